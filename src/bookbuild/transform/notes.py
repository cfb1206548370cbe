"""Notes: body citations become notes of their own; numbering per the contract."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .. import model as m
from .numerals import positional


def with_citation_notes(book: m.Book) -> m.Book:
    """A new book in which every citation in chapter text is replaced by a
    reference to a generated note holding it, so citeproc only formats citations
    inside notes and the BB1xx checks and the numbering cover them like any note.

    A pipeline step of check and build (after load, before any per-edition
    transform); `book` is not modified, the citations themselves move unchanged."""
    notes = dict(book.notes)
    chapters = [_citations_to_notes(ch, notes) for ch in book.chapters]
    return replace(book, chapters=chapters, notes=notes)


def _citations_to_notes(ch: m.Chapter, notes: dict[str, m.Note]) -> m.Chapter:
    """`ch` with each citation replaced by the call of a new note, added to `notes`."""
    count = 0

    def wrap(node: m.Inline) -> m.Inline | None:
        nonlocal count
        if not isinstance(node, m.Citation):
            return None
        count += 1
        nid = f"bbcite-{ch.index + 1}-{count}"
        notes[nid] = m.Note(nid, [m.Para([node], node.pos)], node.pos, generated=True)
        return m.NoteRef(nid, False, node.pos)

    title = m.map_inlines(ch.title, wrap)    # the title first: numbering follows reading order
    return replace(ch, title=title, blocks=m.map_blocks(ch.blocks, wrap))


def note_refs(blocks: list[m.Block]):
    for node in m.walk_blocks_inlines(blocks):
        if isinstance(node, m.NoteRef):
            yield node


def chapter_refs(ch: m.Chapter):
    for node in m.walk_inlines(ch.title):
        if isinstance(node, m.NoteRef):
            yield node
    yield from note_refs(ch.blocks)


@dataclass
class NoteNumbers:
    """Which chapter calls each note first, and its number there."""
    numbers: dict[str, int] = field(default_factory=dict)
    chapters: dict[str, int] = field(default_factory=dict)       # note id -> chapter index
    by_chapter: dict[int, list[str]] = field(default_factory=dict)
    book_numbering: bool = False

    def number(self, note_id: str) -> int:
        return self.numbers[note_id]

    def chapter_of(self, note_id: str) -> int:
        return self.chapters[note_id]

    def label(self, note_id: str, from_chapter: int, chapter_label=None) -> str:
        """The call text: the number, or 見第N章注M for `.again` from another chapter."""
        n = self.numbers[note_id]
        home = self.chapters[note_id]
        if home == from_chapter or self.book_numbering:
            return str(n)
        name = chapter_label(home) if chapter_label else f"第{home + 1}章"
        return f"見{name}注{n}"


def chapter_label(book: m.Book, index: int) -> str:
    """第N章 (Chinese numerals) for a body chapter, 〈title〉 for front and back matter.
    One definition for every edition, so 見第N章注M reads the same in EPUB and PDF."""
    ch = book.chapters[index]
    if ch.number is not None:
        return f"第{positional(ch.number)}章"
    return f"〈{m.plain_text(ch.title).strip() or ch.id}〉"


_LABELLED = re.compile(r"^\s*第[一二三四五六七八九十百千〇零两兩0-9０-９]+章")


def wants_label(ch: m.Chapter) -> bool:
    """A body chapter gets 第N章 before its title unless the author wrote one."""
    return ch.number is not None and not _LABELLED.match(m.plain_text(ch.title))


def chapter_title(book: m.Book, ch: m.Chapter) -> str:
    """The title as tables of contents show it: 第N章　title for body chapters."""
    title = m.plain_text(ch.title).strip()
    if wants_label(ch):
        label = chapter_label(book, ch.index)
        return f"{label}\u3000{title}" if title else label
    return title or ch.id


def number_notes(book: m.Book) -> NoteNumbers:
    nn = NoteNumbers(book_numbering=book.config.note_numbering == "book")
    counter = 0
    for ch in book.chapters:
        if not nn.book_numbering:
            counter = 0
        nn.by_chapter[ch.index] = []
        for ref in chapter_refs(ch):
            if ref.again or ref.id in nn.numbers or ref.id not in book.notes:
                continue
            counter += 1
            nn.numbers[ref.id] = counter
            nn.chapters[ref.id] = ch.index
            nn.by_chapter[ch.index].append(ref.id)
    return nn
