"""EPUB 3 editions (vertical and horizontal) from the book model.

    build(book, edition, out_dir, data, cache_dir) -> list[Diagnostic]

Called by `bookbuild build` after check passed, with the model already in
the edition's script (transform/simplified.py `for_edition`) and the build's
shared data (transform/build_data.py).  Renders every document,
lets ebooklib write the package (write errors raise), rewrites the archive
reproducibly (SOURCE_DATE_EPOCH), re-opens it and verifies it
(verify/epub.py) before it replaces `out_dir/<edition>.epub` atomically: a
failed verification is an error and leaves the previous output in place.
The edition's diagnostics are written to `<edition>.log.json`, with
`source_ids`: for each package file, the element ids the writer gave and the
source file:line:col each renders (`bookbuild build --check` maps a
validator's finding back through them, verify/sourcemap.py).

A `kepub` edition is the same book with Kobo's span markup (kobo.py) and
written as `<edition>.kepub.epub`.  Every edition has a cover: book.toml's
`cover` image, else the front panel of the cover edition in its script
(render/cover/front.py), else a typographic one (cover.py).  Apple Books' display
options file says whether the book's fonts are to be used (store.py).

With `page_source`, the parsed `<page_source>.layout.json` of that pdf
edition (built earlier in the same run, `data.page_layouts`) gives the EPUB
print page markers, a page-list and dc:source (pagelist.py), and 索引
locators that read as print pages.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ... import model as m
from ...atomic import atomic_path, write_text
from ...booktoml import KeyIndex
from ...check.assets import check_assets
from ...config import EditionConfig
from ...diagnostics import BookError, Diagnostic, cannot_write, to_json_obj
from ...fontchain import fallback_families, resolve
from ...fonts import FontNotFound
from ...isbn import isbn_urn
from ...transform.build_data import BuildData
from ...transform.edition_text import EditionText
from ...verify.epub import verify_epub
from . import css as css_mod
from . import fontembed, package, split, store
from .backindex import index_doc
from .bibliography import bibliography_doc
from .chapter_cache import ChapterCache, edition_folder
from .chapters import chapter_doc
from .context import Context
from .cover import cover_png
from .document import Doc, Facts
from .glossary import glossary_doc
from .kobo import kobo_documents
from .nav import NAV_FILE, cover_doc, nav_doc, title_doc
from .notes import notes_doc
from .pagelist import PageMarks
from .reproducible_zip import DEFLATED, Deflated, build_time, reproducible
from .variants import mark_sequences


def build(book: m.Book, edition: EditionConfig, out_dir: Path, data: BuildData, cache_dir: Path, *,
          jobs: int | None = None, progress=None) -> list[Diagnostic]:
    """Write out_dir/<edition>.epub and its log; return the diagnostics (errors mean no EPUB).
    (`jobs` and `progress` are the renderers' common signature: `jobs = 1` writes every
    chapter in this process (split.py), no stages.)"""
    out_dir = Path(out_dir)
    out_path = out_dir / edition.output_file
    layout, diags = page_layout(book, edition, data)
    source_ids: dict = {}
    diags += _write_epub(book, edition, out_path, data, cache_dir, layout, source_ids, jobs)
    log = to_json_obj(diags, book.root) | {"source_ids": {
        doc: {i: [p.file, p.line, p.col] for i, p in ids.items()} for doc, ids in sorted(source_ids.items())}}
    try:
        write_text(out_dir / f"{edition.name}.log.json", json.dumps(log, ensure_ascii=False, indent=2) + "\n")
    except OSError as e:
        diags.append(cannot_write(out_dir / f"{edition.name}.log.json", e))
    return diags


def page_layout(book: m.Book, edition: EditionConfig, data: BuildData) -> tuple[dict | None, list[Diagnostic]]:
    """The layout.json of the edition's page_source (None when there is none
    or that edition failed in this run: its errors say why), or a BB502."""
    source = edition.page_source
    if not source:
        return None, []
    pdf = next((e for e in book.config.editions if e.name == source), None)
    if pdf is None or pdf.format != "pdf" or pdf.script != edition.script:
        return None, [Diagnostic("BB502", f'[editions.{edition.name}] page_source = "{source}" names no pdf '
                                 f"edition in the same script", book.config.path, 1, 1,
                                 "name a pdf edition of this book, or remove page_source")]
    return data.page_layouts.get(source), []


def _write_epub(book: m.Book, edition: EditionConfig, out_path: Path, data: BuildData, cache_dir: Path,
                layout: dict | None, source_ids: dict, jobs: int | None = None) -> list[Diagnostic]:
    try:
        archive, diags = render_epub(book, edition, data, cache_dir, layout, source_ids, jobs)
    except BookError as exc:
        return list(exc.diagnostics)
    try:
        with atomic_path(out_path) as tmp:
            tmp.write_bytes(archive)
            problems = verify_epub(tmp, book)
            if problems:
                raise _Unverified(problems)
    except _Unverified as exc:
        return diags + [Diagnostic(
            "BB601", f"{out_path.name} failed verification and was not written: "
                     + "; ".join(exc.problems[:5]), str(out_path), 1, 1,
            "this is a bookbuild bug; please report it with the book")]
    except OSError as exc:
        return diags + [cannot_write(out_path, exc)]
    return diags


class _Unverified(Exception):
    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def render_epub(book: m.Book, edition: EditionConfig, data: BuildData, cache_dir: Path | None = None,
                layout: dict | None = None, source_ids: dict | None = None,
                jobs: int | None = None) -> tuple[bytes, list[Diagnostic]]:
    """The finished, reproducible EPUB archive as bytes; `source_ids`, when
    given, is filled with the package paths' element ids → source positions;
    `jobs = 1`: no chapter written by a forked process (split.py)."""
    refused = check_assets(book, ["all.css", f"{edition.name}.css"])
    if refused:     # a remote, outside or broken reference: no EPUB (check/assets.py)
        raise BookError(refused)
    if data.citation_errors:    # a bad CSL style
        raise BookError(data.citation_errors)
    edition_text = EditionText.of(edition, book.config, pdf=False, memo=data.normalized)
    ctx = Context(book, edition, data.numbers, data.citations, edition_text)
    ctx.index = data.index or None
    ctx.figures = data.figures
    ctx.pages = PageMarks.from_layout(layout) if layout else None
    # the font rule is written once the documents (and so their characters) exist
    sheets = css_mod.stylesheets(book, edition, "", ctx)
    ctx.stylesheets = [path for path, _ in sheets]
    kept = ChapterCache(ctx, cache_dir, data.epub_memo)   # documents of chapters kept from the last build
    chapters = split.begin(ctx, lambda c, ch: kept.render(c, ch, chapter_doc), jobs,
                           kept.kept, kept.facts)     # the later ones to write in a forked child (split.py)
    try:
        cover, diags = _cover(ctx, cache_dir)
        docs, resources = _documents(ctx, cover, chapters)
    finally:
        chapters.close()
    kept.prune()
    if source_ids is not None:
        source_ids.update({"EPUB/" + doc: ids for doc, ids in ctx.source_ids.items()})
    docs.insert(2 if cover else 1, docs.pop())          # nav after cover and title
    resources = sheets + resources
    diags += list(getattr(ctx.cites, "warnings", ()))    # Pandoc citeproc's (BB604)
    docs, fonts, font_rule, d = _fonts(ctx, docs, cache_dir, kept.facts)
    diags += d
    resources = [(p, font_rule if p == css_mod.FONT_CSS else b) for p, b in resources] + fonts
    if edition.format == "kepub":
        docs = kobo_documents(docs)
    order = [doc.uid for doc in docs]
    pub = package.assemble(book, edition, docs, order, resources, cover[0] if cover else None,
                           has_images=bool(ctx.images), source=_print_source(ctx),
                           has_index=ctx.index is not None, a11y=_a11y_facts(ctx, docs, kept.facts))
    when = build_time()
    with tempfile.TemporaryDirectory(prefix="bookbuild-epub-") as tmp:
        raw = Path(tmp) / "raw.epub"
        package.write(pub, raw, when)
        streams = Deflated(Path(cache_dir) / DEFLATED / f"{edition_folder(edition.name)}.pickle" if cache_dir else None)
        return reproducible(raw.read_bytes(), when, store.container_files(edition), streams), diags


def _cover(ctx: Context, cache_dir) -> tuple[tuple[str, bytes] | None, list[Diagnostic]]:
    """(package path, image) of the cover: book.toml's `cover`, else the front
    panel of the book's cover edition in this script, else a generated one;
    None (and a BB402) only when the font it is drawn in is missing."""
    cfg, root = ctx.book.config, ctx.book.root
    if cfg.cover and (root / cfg.cover).is_file():
        return ("images/cover" + Path(cfg.cover).suffix.lower(), (root / cfg.cover).read_bytes()), []
    front = None
    if any(e.format == "cover" for e in cfg.editions):
        # deferred: render/cover imports the PDF renderer, WeasyPrint's helpers and
        # pikepdf (≈ 0.3 s); an EPUB of a book without a cover edition needs none of them
        from ..cover.front import cover_edition, front_png
        front = cover_edition(cfg, ctx.edition)
    try:
        if front is not None:       # the print cover's front panel (render/cover/front.py)
            return ("images/cover.png", front_png(ctx.book, front, cache_dir)), []
        return ("images/cover.png", cover_png(cfg, ctx.edition, cache_dir)), []
    except FontNotFound as exc:
        return None, [Diagnostic("BB402", f"no cover: the cover is drawn in {exc.family!r}, which is not "
                                 "installed", cfg.path, 1, 1, exc.hint + "; or set cover = \"…\" in [book]")]


def _documents(ctx: Context, cover: tuple[str, bytes] | None,
               chapters: split.Pending) -> tuple[list[Doc], list[tuple[str, bytes]]]:
    """Content documents in reading order (nav last, moved later) and the
    images they use (the cover first)."""
    book = ctx.book
    docs: list[Doc] = []
    resources: list[tuple[str, bytes]] = []
    if cover:
        resources.append(cover)
        docs.append(cover_doc(ctx, cover[0]))
    docs.append(title_doc(ctx))
    docs += chapters.docs()
    if ctx.book_notes and any(ctx.numbers.by_chapter.values()):
        docs.append(notes_doc(ctx))
    if book.terms:
        docs.append(glossary_doc(ctx))
    if ctx.cites.bibliography:
        docs.append(bibliography_doc(ctx))
    if ctx.index:
        docs.append(index_doc(ctx))
    for rel, path in sorted(ctx.images.items(), key=lambda kv: kv[1]):
        resources.append((path, (book.root / rel).read_bytes()))
    if ctx.pages:      # pages the documents had no place for go next to a neighbour
        ctx.pages.reserve(ctx.pages.section("toc"), NAV_FILE)
        ctx.pages.resolve()
    docs.append(nav_doc(ctx, docs))
    if ctx.pages:
        ctx.pages.insert_pending(docs)
    return docs, resources


def _a11y_facts(ctx: Context, docs: list[Doc], facts: Facts) -> package.A11yFacts:
    """What the accessibility metadata may say, read from the finished documents."""
    alts = [alt for doc in docs for alt in facts.of(doc).alts]
    parts = {doc.uid for doc in docs} & {"glossary", "bibliography", "index"}
    if any(ctx.numbers.by_chapter.values()):
        parts.add("notes")
    return package.A11yFacts(bool(alts), all(alt.strip() for alt in alts), tuple(sorted(parts)))


def _print_source(ctx: Context) -> str:
    """dc:source and pageBreakSource: the print edition the page numbers come
    from — its ISBN (the pdf edition's `isbn`, else [book] `isbn` when this
    edition has an ISBN of its own), else its title and name."""
    if ctx.pages is None:
        return ""
    cfg = ctx.book.config
    pdf = next((e for e in cfg.editions if e.name == ctx.edition.page_source), None)
    print_isbn = (pdf.isbn if pdf else "") or (cfg.isbn if ctx.edition.isbn else "")
    if print_isbn:
        return isbn_urn(print_isbn)
    statement = f"{cfg.edition_statement}" if cfg.edition_statement else ""
    return f"{cfg.title}（{statement}印刷版 {ctx.pages.source}）"


def _fonts(ctx: Context, docs: list[Doc], cache_dir, facts: Facts):
    """(documents, embedded font files, css/font.css bytes, diagnostics): the
    documents with the variation sequences a fallback font supplies in spans
    (variants.py), the chain's faces they need (`embed_font`), or a BB408
    naming what a reader's device may lack when the fallbacks are not embedded."""
    ed = ctx.edition
    try:
        chain = resolve(ed, cache_dir)
    except FontNotFound as exc:
        diags = [Diagnostic("BB402", f"cannot embed font {exc.family!r}: not installed",
                            ctx.book.config.path, 1, 1, exc.hint)] if ed.embed_font else []
        names = (ed.font, *fallback_families(ed)[0])
        return docs, [], fontembed.font_css(names, []).encode(), diags
    docs, sequences = mark_sequences(docs, chain)
    chars: set[str] = set()
    for doc in docs:
        chars.update(facts.of(doc).chars)
    chars.update(ed.aside_brackets + "《》〈〉「」『』（）、。，：；！？…—　0123456789")
    chars.discard("\n")
    embedded = fontembed.embedded_fonts(chain, chars, ed.embed_font, cache_dir, sequences) if ed.embed_font else []
    diags = []
    missing = fontembed.fallback_chars(chain, chars, sequences)
    if missing and not ed.embed_font:
        listed = "; ".join(f"{family}: {''.join(cs)}" for family, cs in missing.items())
        diags.append(Diagnostic("BB408", f"edition '{ed.name}' uses characters only fallback fonts have, "
                                f"not embedded: a reader's device may not show them ({listed})",
                                ctx.book.config.path,
                                *KeyIndex(ctx.book.texts.get(ctx.book.config.path, "")).table(f"editions.{ed.name}"),
                                'set embed_font = "fallback" (or true) in the edition'))
    css = fontembed.font_css(chain.names, embedded, sequences).encode()
    return docs, [(e.file, e.data) for e in embedded], css, diags
