"""A Markdown book with Pandoc's notes (one file, or a folder of chapter files) -> chapters and footnotes.

Every note moves into footnotes/: a definition `[^label]:` wherever it stands
(after its paragraph, at the chapter's end, at the book's end) and every inline
note `^[…]`. Note ids follow the chapter of the note's first reference, like
the legacy import's `c<chapter>-<number>`: `[^7]` in chapter 3 is `c3-7`, a
label that is not a valid id (`[^注一]`) is `c3-n1`, the second inline note of
chapter 3 is `c3-i2`. The same input always gives the same ids. Everything else
in the text (citations, spans, attributes, code) is copied as it is.

In a folder each file's references find the definitions of that file first
(chapters are often written to be run through Pandoc one by one), else the one
definition elsewhere in the book.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..check.notes import ID_RE
from .metadata import Metadata, split_metadata
from .pandocnotes import Definition, code_regions, escape_ref, find_marks, flatten_note, split_off_definitions
from .plaintext import ImportedChapter, ImportResult

_H1_RE = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?[ \t]*$", re.M)


@dataclass
class SourceFile:
    name: str       # as the report names it
    text: str


@dataclass
class _File:
    name: str
    body: str                                   # the text without metadata and definitions
    defs: dict[str, Definition]                 # label -> the definition Pandoc shows (the last)
    extra: list[tuple[str, Definition]] = field(default_factory=list)   # (suffix, earlier duplicate)
    chapter_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset in body, chapter no.)


class _Book:
    """Ids, note texts and the report, built chapter by chapter."""

    def __init__(self, files: list[_File]):
        self.files = files
        self.ids: dict[tuple[int, str], str] = {}      # (file, label) -> final note id
        self.problems: list[str] = []

    def resolve(self, label: str, file_no: int) -> tuple[int, Definition] | None:
        if label in self.files[file_no].defs:
            return file_no, self.files[file_no].defs[label]
        elsewhere = [(i, f.defs[label]) for i, f in enumerate(self.files) if label in f.defs]
        return elsewhere[0] if len(elsewhere) == 1 else None


def import_pandoc(sources: list[SourceFile], base_dir) -> ImportResult:
    meta = Metadata()
    files = []
    for src in sources:
        text, found = split_metadata(src.text, src.name, base_dir)
        meta.merge(found)
        files.append(_split_file(src.name, text))
    book = _Book(files)
    book.problems += meta.problems
    chapters: list[ImportedChapter] = []
    for file_no, f in enumerate(files):
        for start, title, body in _split_chapters(f.body):
            chapters.append(ImportedChapter(title, []))
            f.chapter_starts.append((start, len(chapters)))
            _convert_chapter(book, chapters[-1], len(chapters), file_no, body)
    _keep_unreferenced(book, chapters)
    result = ImportResult(chapters, book.problems, title=meta.title)
    result.book_keys, result.sources = meta.book_keys, meta.sources
    return result


def _split_file(name: str, text: str) -> _File:
    body, defs = split_off_definitions(text)
    shown: dict[str, Definition] = {}
    extra: list[tuple[str, Definition]] = []
    counts: dict[str, int] = {}
    for d in defs:
        if d.label in shown:
            counts[d.label] = counts.get(d.label, 0) + 1
            earlier = shown[d.label]
            suffix = f"{_suffix_of(d.label, 'dup')}-dup{counts[d.label]}"
            extra.append((suffix, earlier))
        shown[d.label] = d
    return _File(name, body, shown, extra)


def _suffix_of(label: str, fallback: str) -> str:
    return label if ID_RE.fullmatch(label) else fallback


def _split_chapters(body: str) -> list[tuple[int, str, str]]:
    """(offset, title, text) per level-1 ATX heading; text before the first heading is a chapter of its own."""
    regions = code_regions(body)
    heads = [m for m in _H1_RE.finditer(body) if not any(a <= m.start() < b for a, b in regions)]
    out = []
    first = heads[0].start() if heads else len(body)
    if body[:first].strip():
        out.append((0, "", body[:first].strip("\n")))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        out.append((m.start(), (m.group(1) or "").strip(), body[m.end():end].strip("\n")))
    return out


def _convert_chapter(book: _Book, ch: ImportedChapter, no: int, file_no: int, body: str) -> None:
    """Each mark becomes a reference to a note of this chapter, or `.again`, or literal text."""
    out, last, inline_no, odd_no = [], 0, 0, 0
    taken: set[str] = set()
    for mk in find_marks(body):
        out.append(body[last:mk.start])
        last = mk.end
        if mk.kind == "inline":
            inline_no += 1
            suffix = _unique(f"i{inline_no}", taken)
            ch.notes[suffix] = _note_text(book, mk.text.strip(), f"chapter {no}: inline note {inline_no}")
            out.append(f"[^c{no}-{suffix}]")
            continue
        found = book.resolve(mk.text, file_no)
        if found is None:
            book.problems.append(f"chapter {no} ({book.files[file_no].name}, after “{_before(body, mk.start)}”): "
                                 f"[^{mk.text}] has no definition; kept as text")
            out.append(escape_ref(mk.text))
            continue
        key = (found[0], mk.text)
        if key in book.ids:
            out.append(f"[^{book.ids[key]}]{{.again}}")
            continue
        if not ID_RE.fullmatch(mk.text):
            odd_no += 1
        suffix = _unique(_suffix_of(mk.text, f"n{odd_no}"), taken)
        book.ids[key] = f"c{no}-{suffix}"
        ch.notes[suffix] = _note_text(book, found[1].body, f"note [^{mk.text}]")
        out.append(f"[^{book.ids[key]}]")
    out.append(body[last:])
    ch.paragraphs = ["".join(out).strip("\n")] if "".join(out).strip() else []


def _before(body: str, offset: int) -> str:
    """A few characters before a mark, to find it by (its line moved when definitions left the text)."""
    return " ".join(body[max(0, offset - 12):offset].split())


def _unique(suffix: str, taken: set[str]) -> str:
    n, candidate = 1, suffix
    while candidate in taken:
        n += 1
        candidate = f"{suffix}-{n}"
    taken.add(candidate)
    return candidate


def _note_text(book: _Book, body: str, what: str) -> str:
    text, changed = flatten_note(body)
    book.problems += [f"{what}: {c}" for c in changed]
    if not text.strip():
        book.problems.append(f"{what} is empty (BB105): write its text in footnotes/")
    return text


def _keep_unreferenced(book: _Book, chapters: list[ImportedChapter]) -> None:
    """Definitions no reference reached, and earlier duplicates: kept, in the chapter they stood in."""
    for file_no, f in enumerate(book.files):
        if not f.chapter_starts:
            f.chapter_starts.append((0, _empty_chapter(chapters)))
        for label, d in f.defs.items():
            if (file_no, label) not in book.ids:
                suffix = _suffix_of(label, "unref")
                _keep(book, chapters, f, suffix, d, f"{f.name}:{d.line}: [^{label}] is never referenced; "
                                                    "kept as an unreferenced note (BB103)")
        for suffix, d in f.extra:
            shown = f.defs[d.label]
            _keep(book, chapters, f, suffix, d, f"{f.name}:{d.line}: [^{d.label}] is defined again at line "
                                                f"{shown.line}; Pandoc shows the last, this one is kept as an "
                                                "unreferenced note (BB103)")


def _keep(book, chapters, f: _File, suffix: str, d: Definition, report: str) -> None:
    no = max((n for start, n in f.chapter_starts if start <= d.offset), default=f.chapter_starts[0][1])
    ch = chapters[no - 1]
    suffix = _unique(suffix, set(ch.notes))
    ch.notes[suffix] = _note_text(book, d.body, f"note [^{d.label}]")
    book.problems.append(f"{report} as [^c{no}-{suffix}]")


def _empty_chapter(chapters: list[ImportedChapter]) -> int:
    """A file of nothing but definitions (notes.md after the chapters): its notes go with the last chapter."""
    if not chapters:
        chapters.append(ImportedChapter("", []))
    return len(chapters)
