"""Everything one EPUB edition's documents share: ids, file names, lookups.

File names inside the package (all under EPUB/):
  text/chNN.xhtml, text/notes.xhtml, text/glossary.xhtml,
  text/bibliography.xhtml, text/index.xhtml, text/title.xhtml, text/cover.xhtml,
  nav.xhtml, css/*.css, images/*, fonts/*.
Note ids follow VT-35: `fn-C-n`/`nr-C-n` with per-chapter numbering (C is
the chapter's 1-based position in book.toml), `fn-n`/`nr-n` with one
sequence through the book.  Every call of a note has an id: the first in
reading order `nr-…`, the k-th (a `.again` call) `nr-…-rk`, and the note links
back to each of them (docs/EPUB-NOTES.md).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ... import model as m
from ...check.assets import image_path
from ...config import EditionConfig
from ...transform.bookindex import BookIndex, named_terms
from ...transform.citeproc import Citations
from ...transform.edition_text import EditionText
from ...transform.figures import FigureNumbers
from ...transform.notes import NoteNumbers, chapter_label, chapter_refs, note_refs
from ...transform.sortkeys import sort_key
from .pagelist import PageMarks


@dataclass
class Context:
    book: m.Book
    edition: EditionConfig
    numbers: NoteNumbers
    cites: Citations
    text: EditionText                                      # normalizer and numerals of the edition
    stylesheets: list[str] = field(default_factory=list)   # package paths, in order
    images: dict[str, str] = field(default_factory=dict)   # book path -> package path
    term_ids: dict[str, str] = field(default_factory=dict)
    terms_by_name: dict[str, list[str]] = field(default_factory=dict)
    pages: PageMarks | None = None                          # print page starts (page_source)
    index: BookIndex | None = None                          # 索引 occurrences
    figures: FigureNumbers | None = None                    # 圖N / 表N (transform/figures.py)
    index_files: dict[str, str] = field(default_factory=dict)  # occurrence id -> package file
    # package file -> element id -> the source position it came from: how
    # `build --check` points a validator's finding at the author's line
    source_ids: dict[str, dict[str, m.Pos]] = field(default_factory=dict)
    calls: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # note id -> (file, call id)s
    call_ids: dict[int, str] = field(default_factory=dict)     # id(NoteRef) -> its call id
    # every image reference of the documents, in order: (src, the file it is
    # relative to, package path or None): what a kept chapter is checked against
    image_uses: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __post_init__(self):
        self._number_calls()
        keys = sorted(self.book.terms, key=lambda k: (sort_key(self.book.terms[k].term,
                                                               self.book.config.bibliography_sort), k))
        self.term_ids = {k: f"gl-{i + 1}" for i, k in enumerate(keys)}
        for key, term in self.book.terms.items():
            self.terms_by_name.setdefault(term.term, []).append(key)

    def remember(self, doc: str, element_id: str, pos: m.Pos | None) -> None:
        """Element `element_id` of package file `doc` renders source `pos`."""
        if pos is not None and pos.file:
            self.source_ids.setdefault(doc, {}).setdefault(element_id, pos)

    # ------------------------------------------------------------ basics
    @property
    def lang(self) -> str:
        return self.edition.language

    @property
    def book_notes(self) -> bool:
        return self.edition.notes == "book"

    @staticmethod
    def chapter_file(ch: m.Chapter) -> str:
        return f"text/{ch.id}.xhtml"

    def chapter_label(self, index: int) -> str:
        """第N章 for a body chapter, 〈title〉 for front and back matter."""
        return chapter_label(self.book, index)

    # -------------------------------------------------------------- notes
    def _suffix(self, note_id: str) -> str:
        n = self.numbers.number(note_id)
        if self.numbers.book_numbering:
            return str(n)
        return f"{self.numbers.chapter_of(note_id) + 1}-{n}"

    def fn_id(self, note_id: str) -> str:
        return f"fn-{self._suffix(note_id)}"

    def nr_id(self, note_id: str) -> str:
        return f"nr-{self._suffix(note_id)}"

    def _number_calls(self) -> None:
        """Every call of a note, in reading order, with the document it is in:
        the chapter's text, then its notes (at its end, or in notes.xhtml).
        Keyed by the NoteRef object: the writer renders these same objects."""
        notes_file = "text/notes.xhtml" if self.book_notes else None
        late: list[tuple[str, m.NoteRef]] = []
        for ch in self.book.chapters:
            file = self.chapter_file(ch)
            in_notes = [(notes_file or file, ref) for nid in self.numbers.by_chapter.get(ch.index, [])
                        for ref in note_refs(self.book.notes[nid].blocks)]
            self._add_calls([(file, ref) for ref in chapter_refs(ch)] + ([] if notes_file else in_notes))
            late += in_notes if notes_file else []
        self._add_calls(late)

    def _add_calls(self, refs: list[tuple[str, m.NoteRef]]) -> None:
        for file, ref in refs:
            if ref.id not in self.numbers.numbers:
                continue                     # unknown note: check has reported it
            seen = self.calls.setdefault(ref.id, [])
            call = self.nr_id(ref.id) + (f"-r{len(seen) + 1}" if seen else "")
            seen.append((file, call))
            self.call_ids[id(ref)] = call

    def note_file(self, note_id: str) -> str:
        if self.book_notes:
            return "text/notes.xhtml"
        return self.chapter_file(self.book.chapters[self.numbers.chapter_of(note_id)])

    @staticmethod
    def href(from_file: str, to_file: str, frag: str = "") -> str:
        """Relative link from one package file to another (or to a fragment)."""
        if to_file == from_file and frag:
            return "#" + frag
        rel = posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
        return f"{rel}#{frag}" if frag else rel

    # -------------------------------------------------------------- terms
    def term_key(self, span: m.Span) -> str | None:
        """The glossary entry a `.term` span links to (the lookup of docs/FORMAT.md "Glossary")."""
        key = span.attrs.get("key")
        if key:
            return key if key in self.book.terms else None
        text = m.plain_text(span.children).strip()
        if text in self.book.terms:
            return text
        # a miss: the lookup that looks through variation selectors (bookindex.named_terms)
        named = self.terms_by_name.get(text) or [t.key for t in named_terms(self.book, text)]
        return named[0] if len(named) == 1 else None


def safe_class(name: str) -> str:
    """An author's class name made safe for an XHTML class attribute."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def image_href(ctx: Context, src: str, chapter_file: str) -> str | None:
    """Register an image of the book (path relative to the book root, or to
    the chapter's folder) and return its href from a text/ document; None for
    what is refused (a remote URL, a file outside the book root, not an image:
    check/assets.py reports it)."""
    path, _ = image_path(src, chapter_file, ctx.book.root)
    package = None if path is None else register_image(ctx, path)
    ctx.image_uses.append((src, chapter_file, package))
    return None if package is None else "../" + package


def register_image(ctx: Context, path: Path) -> str:
    """The package path (images/NNN.ext) of a checked file under the book root."""
    rel = path.relative_to(ctx.book.root.resolve()).as_posix()
    if rel not in ctx.images:
        ctx.images[rel] = next_image(ctx.images, rel)
    return ctx.images[rel]


def next_image(images: dict[str, str], rel: str) -> str:
    """The package path the next new image `rel` gets: numbered in order of first use."""
    return f"images/{len(images) + 1:03d}{Path(rel).suffix.lower()}"
