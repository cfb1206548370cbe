"""BB101–BB108: note references and definitions."""
from __future__ import annotations

import re

from .. import model as m
from ..diagnostics import Diagnostic, diag
from ..transform.notes import chapter_refs, note_refs

ID_RE = re.compile(r"[A-Za-z0-9_-]+")
LEGACY_RE = re.compile(r"\[\d{1,4}\]|〔\d{1,4}〕|［\d{1,4}］")


def check_notes(book: m.Book) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first_ref: dict[str, m.NoteRef] = {}
    for ch in book.chapters:
        for ref in chapter_refs(ch):
            out += _check_ref(book, ref, first_ref)
    referenced = set(first_ref)
    referenced |= {ref.id for ch in book.chapters for ref in chapter_refs(ch) if ref.again}
    for note in book.notes.values():
        out += _check_definition(note, referenced)
    out += check_legacy_markers(book)
    return out


def _check_ref(book, ref: m.NoteRef, first_ref) -> list[Diagnostic]:
    if not ID_RE.fullmatch(ref.id):
        return [diag("BB108", ref.pos, f"note id [^{ref.id}] is malformed",
                     "note ids use only A–Z, a–z, 0–9, _ and -")]
    if ref.id not in book.notes:
        return [diag("BB101", ref.pos, f"note [^{ref.id}] has no definition",
                     f"add `[^{ref.id}]: …` to a file in footnotes/")]
    if ref.again:
        return []
    if ref.id in first_ref:
        first = first_ref[ref.id].pos
        return [diag("BB104", ref.pos, f"note [^{ref.id}] is referenced again (first at {first.file}:{first.line})",
                     f"write [^{ref.id}]{{.again}} to point at the same note")]
    first_ref[ref.id] = ref
    return []


def _check_definition(note: m.Note, referenced: set[str]) -> list[Diagnostic]:
    out = []
    malformed = not ID_RE.fullmatch(note.id)
    if malformed:
        out.append(diag("BB108", note.pos, f"note id [^{note.id}] is malformed",
                        "note ids use only A–Z, a–z, 0–9, _ and -"))
    if not m.plain_text([n for b in note.blocks for inl in m.block_inlines(b) for n in inl]).strip() \
            and not any(isinstance(n, m.Citation) for n in m.walk_blocks_inlines(note.blocks)):
        out.append(diag("BB105", note.pos, f"note [^{note.id}] is empty", "write the note's text after the colon"))
    for ref in note_refs(note.blocks):
        out.append(diag("BB106", ref.pos, f"note [^{note.id}] contains a reference to note [^{ref.id}]",
                        "notes cannot nest: move the text into this note or cite a source instead"))
    # a call of a malformed id is BB108 and never counts: "never referenced" would be noise
    if note.id not in referenced and not note.generated and not malformed:
        out.append(diag("BB103", note.pos, f"note [^{note.id}] is never referenced",
                        f"reference it with [^{note.id}] in a chapter, or delete it"))
    return out


def check_legacy_markers(book: m.Book) -> list[Diagnostic]:
    """BB107: hand-numbered markers like [3] or 〔16〕 left in the text."""
    out = []
    blocks = [b for ch in book.chapters for b in ch.blocks] + [b for n in book.notes.values() for b in n.blocks]
    for node in m.walk_blocks_inlines(blocks):
        if isinstance(node, m.Text) and node.pos:
            for mt in LEGACY_RE.finditer(node.text):
                pos = m.Pos(node.pos.file, node.pos.line, node.pos.col + mt.start())
                out.append(diag("BB107", pos, f"legacy note marker {mt.group()} left in the text",
                                "turn it into a note reference [^id] with a definition in footnotes/ "
                                "(bookbuild import does this)"))
    return out
