"""Issue 18 item 6: a Pandoc inline note `^[…]` in a chapter is a note like the
others — numbered in reading order with them, at its source position, with a
stable id — never dropped.  (test_construct_audit.py proves it reaches every
edition's text.)"""
from __future__ import annotations

from bookbuild import model as m
from bookbuild.commands.check import check_book, load_prepared
from bookbuild.transform.notes import chapter_refs, number_notes
from helpers.books import copy_sample, make_book

SHIJING = "乃裹餱糧^[「糧」，或本作「囊」。]，于橐于囊。"


def _refs(book: m.Book, file: str) -> list[m.NoteRef]:
    ch = next(c for c in book.chapters if c.file == file)
    return list(chapter_refs(ch))


def test_inline_note_in_the_sample_is_numbered_with_the_others(tmp_path):
    root = copy_sample(tmp_path / "book")
    path = root / "manuscript" / "02-siege.md"
    lines = path.read_text("utf-8").split("\n")
    lines.insert(6, SHIJING + "\n")          # line 7, after the paragraph with two notes
    path.write_text("\n".join(lines), "utf-8")
    diags, _ = check_book(root)
    assert not [d for d in diags if d.severity == "error"], diags
    book, _ = load_prepared(root)
    refs = [r for r in _refs(book, "manuscript/02-siege.md") if not r.again]
    inline = next(r for r in refs if r.id.startswith("bbinline-"))
    assert inline.id == "bbinline-manuscript-02-siege-1"
    note = book.notes[inline.id]
    assert m.plain_text(note.blocks[0].inlines) == "「糧」，或本作「囊」。"
    col = SHIJING.index("^[") + 1
    assert (note.pos.file, note.pos.line, note.pos.col) == ("manuscript/02-siege.md", 7, col)
    assert (inline.pos.line, inline.pos.col) == (7, col)
    numbers = number_notes(book)
    ordered = [r.id for r in refs if r.id in numbers.numbers]
    at = ordered.index(inline.id)
    assert numbers.number(inline.id) == at + 1, "numbered in reading order with the [^id] notes"
    assert numbers.number(ordered[at + 1]) == at + 2


def test_ids_are_stable_and_per_file(tmp_path):
    chapter = "# 第一章　圍城\n\n甲^[一注。]乙[^a]丙^[二注。]。\n\n丁^[三注，*強調*與[@japan]。]\n"
    root = make_book(tmp_path, {"manuscript/01.md": chapter})
    book, diags = load_prepared(root)
    assert not diags
    ids = [r.id for r in _refs(book, "manuscript/01.md")]
    assert ids == ["bbinline-manuscript-01-1", "a", "bbinline-manuscript-01-2", "bbinline-manuscript-01-3"]
    third = book.notes["bbinline-manuscript-01-3"]
    assert any(isinstance(n, m.Citation) for n in m.walk_blocks_inlines(third.blocks)), "citations inside stay"
    assert any(isinstance(n, m.Emph) for n in m.walk_blocks_inlines(third.blocks))
    again, _ = load_prepared(make_book(tmp_path / "again", {"manuscript/01.md": chapter}))
    assert list(again.notes) == list(book.notes)


def test_an_inline_note_inside_a_note_is_reported_not_dropped(tmp_path):
    notes = "[^a]: 日軍第十一軍^[內注。]進抵衡陽外圍。\n\n[^b]: 第一段。\n"
    root = make_book(tmp_path, {"footnotes/01.md": notes})
    diags, _ = check_book(root)
    nested = [d for d in diags if d.code == "BB106"]
    assert len(nested) == 1 and (nested[0].file, nested[0].line) == ("footnotes/01.md", 1)
    assert nested[0].col == notes.index("^[") + 1


def test_an_unnamed_path_gets_a_hashed_id(tmp_path):
    from bookbuild.load.pandoc_ast import inline_note_id
    assert inline_note_id("manuscript/第一章.md", 2).startswith("bbinline-")
    assert inline_note_id("manuscript/第一章.md", 2) != inline_note_id("manuscript/第二章.md", 2)
    assert inline_note_id("manuscript/第一章.md", 2).endswith("-2")
