"""The vertical print PDF: layout → fonts → drawing → finishing.

    build(book, edition, out_dir, data, cache_dir, *, jobs=None, progress=None)
        -> list[Diagnostic]

writes, atomically, `out_dir/<edition>.pdf`, `<edition>.layout.json` and
`<edition>.log.json` (docs/PRINT-ENGINE.md §1).  Problems are diagnostics,
never tracebacks: BB601 when an output cannot be written, BB703 when
WeasyPrint drew a `.notdef`, BB402 when a character reaches the page that the
derived faces lack (Pango would silently fall back to another font, VT-28).

Each step is a subpackage: layout/ (pages), fonts/ (derived faces),
drawing/ (HTML, WeasyPrint, page cache), finishing/ (stamp, catalog, links, save).
"""
from __future__ import annotations

import gc
import json
import os
import tempfile
from dataclasses import replace
from importlib import resources
from pathlib import Path

from ...atomic import Staged, remove_stale
from ...config import EditionConfig
from ...diagnostics import Diagnostic, cannot_write, to_json_obj
from ...fontchain import fallback_families
from ...model import Book
from ...transform.build_data import BuildData
from .drawing.bookrules import BookRules
from .drawing.css import book_css, book_styles, face_files, stylesheet
from .drawing.forks import in_background
from .drawing.layoutkeys import column_digests, layout_keys
from .drawing.messages import notdef_diagnostics, part_diagnostics
from .drawing.page_html import PageHtmls, wrap_pages
from .drawing.pagecache import PageChars, context_key, font_identity, locked
from .drawing.pages import DrawJob, Drawn, draw_book
from .drawing.pool import Progress
from .drawing.textpages import Painter
from .finishing.docinfo import doc_info, finish_catalog
from .finishing.images import dedupe_images
from .finishing.links import add_links, page_links
from .finishing.merge import save
from .finishing.outline import outline_entries
from .finishing.pagecount import folio_labels, pad_pages, page_labels
from .finishing.press import make_press_ready, save_options
from .finishing.pressrun import PressRun
from .finishing.stamp import Heads
from .fonts.charset import blank_chars, book_faces, fallback_fonts
from .fonts.derived import DerivedFonts, derived_dir
from .layout.engine import layout_book
from .layout.frame import Frame
from .layout.layout_json import write_layout_json
from .layout.layout_types import LayoutResult


def build(book: Book, ed: EditionConfig, out_dir: Path, data: BuildData, cache_dir: Path, *,
          jobs: int | None = None, progress: Progress | None = None) -> list[Diagnostic]:
    """Build one pdf edition of `book`; returns its diagnostics (BB4xx/6xx/7xx)."""
    progress = progress or _noop
    out_dir, cache_dir = Path(out_dir), Path(cache_dir)
    targets = [out_dir / f"{ed.name}{ext}" for ext in (".pdf", ".layout.json", ".log.json")]
    bad = _unwritable(out_dir, targets)
    if bad:
        return bad
    try:
        return _build(book, ed, data, targets, cache_dir, jobs, progress)
    finally:
        gc.unfreeze()
        # a worker terminated while writing a chunk leaves its temporary file
        remove_stale(cache_dir / "pages" / ed.name)


def _build(book: Book, ed: EditionConfig, data: BuildData, targets: list[Path], cache_dir: Path,
           jobs: int | None, progress: Progress) -> list[Diagnostic]:
    progress("layout", 0, 1)
    result, diags = layout_book(book, ed, data, kept_in=cache_dir / "layout" / ed.name)
    diags = list(diags)
    progress("layout", 1, 1)
    # The book and its layout (~10⁶ objects, acyclic) live until the end of the build:
    # out of the cyclic GC's reach, whose passes over them cost seconds while the text
    # pages are written and their cache read (the layout pauses the GC, layout/engine.py)
    gc.freeze()
    if result is None or any(d.severity == "error" for d in diags):
        return diags
    added = pad_pages(result.pages, ed.pages_multiple_of)
    if added:     # reported: the printer binds these pages too
        progress(f"{added} blank page(s) added: {len(result.pages)} pages, "
                 f"a multiple of {ed.pages_multiple_of}", 1, 1)

    progress("fonts", 0, 1)
    font_dir = derived_dir(cache_dir)
    digests = column_digests(result.pages)      # a page's characters are kept by it, and its key made from it
    kept, made = PageChars(cache_dir / "pages" / ed.name), {}
    known = kept.known(digests)
    fonts, d = book_faces(result, ed, font_dir, book, known, made)
    kept.save(digests, made)
    diags += d
    progress("fonts", 1, 1)
    if fonts is None:
        return diags

    frame = replace(Frame.of(ed), blanks=not (blank_chars(result.pages, known, made) & fonts.missing))
    css = stylesheet(book, ed, frame, fonts)
    styles = book_styles(book, ed)
    heads = Heads(ed, fonts, result.pages, "".join(styles))
    own_css = [book_css(t) for t in styles]
    pages = [heads.unstamped(p) for p in result.pages]
    htmls = PageHtmls(pages, frame, ed, result.geometry)        # written when needed
    painter = _painter(pages, htmls, fonts, frame, own_css, ed)
    base_url = book.root.resolve().as_uri() + "/"
    identity = font_identity(ed.font, ed.vertical, font_dir, fallback_families(ed)[0])
    context = context_key(css, identity, ed.vertical, base_url)
    keys = layout_keys(pages, digests, context, repr((ed, frame, result.geometry)))
    job = DrawJob(context=context,
                  fonts={family: str(path) for family, path in face_files(fonts).items()},
                  base_url=base_url, roots=(book.root, Path(str(resources.files("bookbuild") / "data")), cache_dir,
                                             font_dir),
                  turned=ed.vertical, jobs=jobs, progress=progress, extra_glyphs=heads.extra,
                  size=(frame.width, frame.height, frame.bleed),
                  text_faces={"upright": (fonts.upright_family, str(fonts.upright)),
                              "bold": (fonts.bold_family, str(fonts.bold))})
    press = PressRun.of(book, ed, fonts, targets[0], added, len(result.pages))
    diags += _write(book, ed, result, fonts, htmls, css, job, frame, heads, targets, cache_dir, diags, press,
                    painter, keys)
    return diags


def _painter(pages: list, htmls: PageHtmls, fonts: DerivedFonts, frame: Frame, own_css: list[str],
             ed: EditionConfig):
    """page index -> the page written without WeasyPrint (drawing/textpages.py),
    or None; a vertical edition's pages only."""
    if not ed.vertical or os.environ.get("BOOKBUILD_TEXT_PAGES") == "0":     # "0": all by WeasyPrint (comparisons)
        return None
    painter = Painter(fonts, frame, BookRules(own_css))
    return lambda i: painter.paint(pages[i], htmls[i])


def _write(book: Book, ed: EditionConfig, result: LayoutResult, fonts: DerivedFonts, htmls: PageHtmls,
           css: str, job: DrawJob, frame: Frame, heads: Heads, targets: list[Path], cache_dir: Path,
           earlier: list[Diagnostic], press: PressRun, painter, keys: list) -> list[Diagnostic]:
    """Draw, finish, write; the log gets the layout's BB7xx (`earlier`) and the drawing's."""
    pdf_path, layout_path, log_path = targets
    diags: list[Diagnostic] = []
    try:
        # The three files are renamed into place together, after all are
        # written: an interrupt or an error before that keeps the previous set.
        with Staged() as staged:
            pdf_tmp = staged.path(pdf_path)
            # layout.json (~14 MB of JSON for the stress book) is written by a
            # child process while this one draws and merges.
            finish_layout = in_background(lambda tmp: write_layout_json(result, ed, tmp), staged.path(layout_path))
            try:
                with locked(cache_dir / "pages" / ed.name) as folder:
                    drawn = draw_book(htmls, lambda a, b: wrap_pages(htmls[a:b], ed, css), job, folder, painter,
                                      keys)
                    try:
                        diags += notdef_diagnostics(drawn.parts, result, book)
                        diags += part_diagnostics(drawn.parts, book, ed.name, job.base_url)
                        _finish(drawn, book, ed, result, fonts, frame, heads, pdf_tmp, press)
                    except _Rejected:
                        # a chunk of this build holds a fallback font (WeasyPrint may share
                        # one resource dictionary between a chunk's pages): never reuse it
                        for part in drawn.parts:
                            drawn.cache.chunks.pop(part.path.stem, None)
                        drawn.cache.texts.clear()       # nothing of a refused build is kept
                        raise
                    finally:
                        drawn.close()
                        drawn.cache.save(set(drawn.keys))
                job.progress("merge", 1, 1)
            except BaseException:
                finish_layout(False)
                raise
            finish_layout(True)
            diags += press.preflight(pdf_tmp)
            warnings = sorted((d for d in earlier + diags if d.code.startswith(("BB7", "BB8"))),
                              key=Diagnostic.sort_key)
            log = {**to_json_obj(warnings, book.root), "press": press.report()}
            staged.path(log_path).write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except _Rejected as r:
        return diags + r.diags
    except OSError as e:
        return diags + [cannot_write(Path(e.filename) if e.filename else pdf_path, e)]
    return diags


def _finish(drawn: Drawn, book: Book, ed: EditionConfig, result: LayoutResult, fonts: DerivedFonts,
            frame: Frame, heads: Heads, pdf_tmp: Path, press: PressRun) -> None:
    """Heads, font check, catalog, links, page labels, press-ready last; then write
    the PDF (to its staged temporary file)."""
    heads.stamp(drawn.pdf, drawn.fonts, frame)
    rejected = fallback_fonts(drawn.pdf, fonts, book, ed)
    if rejected:
        raise _Rejected(rejected)     # keep the previous good PDF: a fallback font is a wrong book
    finish_catalog(drawn.pdf, doc_info(book, ed), outline_entries(result.pages))
    add_links(drawn.pdf, _links(drawn, result, frame))
    page_labels(drawn.pdf, folio_labels(result.pages, ed.folio == "hanzi-vertical" or ed.numerals == "chinese"))
    dedupe_images(drawn.pdf)      # before the press step: each image converted once
    make_press_ready(drawn.pdf, press.settings)
    save(drawn.pdf, pdf_tmp, **save_options(press.settings))


def _links(drawn: Drawn, result: LayoutResult, frame: Frame) -> list:
    """The document's links; a text page keeps its link areas in the page cache
    (they follow from its layout, as its key does: a page reused needs none found)."""
    made: dict[int, list] = {}
    links = page_links(result.pages, frame, [t.links if t is not None else None for t in drawn.texts], made)
    for i, areas in made.items():
        if drawn.texts[i] is not None:
            drawn.cache.add_text(drawn.keys[i], replace(drawn.texts[i], links=areas))
    return links


def _unwritable(out_dir: Path, targets: list[Path]) -> list[Diagnostic]:
    """BB601 before any work when the output folder cannot take our files."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".bookbuild-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return [cannot_write(out_dir, e)]
    return [cannot_write(t, "is a directory") for t in targets if t.is_dir()]


class _Rejected(Exception):
    def __init__(self, diags: list[Diagnostic]):
        super().__init__("rejected")
        self.diags = diags


def _noop(stage: str, done: int, total: int) -> None:
    pass
