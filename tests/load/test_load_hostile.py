"""Hostile-input defences in load/: long lines, nesting limits, encoding guesses.
(The end-to-end cases are tests/corpus/bad/5x-8x; these pin the mechanisms.)"""
from __future__ import annotations

import re

import pytest

from bookbuild import model as m
from bookbuild.load import load_book
from bookbuild.load import pandoc_input as scan_mod
from bookbuild.load.files import guess_encoding
from bookbuild.load.pandoc_input import MAX_BLOCK_NESTING, block_nesting_fault
from helpers.books import CHAPTER, GLOSSARY, NOTES, make_book

LONG = ("日軍於1944年6月23日進抵[衡陽]{.term}外圍，[方先覺]{.name}率[第十軍]{.term key=tenth}守城，"
        "見[蔣中正日記]{.title}，戰事緊急，軍民死傷甚眾。") * 150


def _inlines(book):
    """Text and positions, adjacent Text nodes merged (a break may split a Str token in two)."""
    out = []
    for n in m.walk_blocks_inlines(book.chapters[0].blocks):
        if isinstance(n, m.Text) and out and out[-1][0] == "Text":
            out[-1] = ("Text", out[-1][1] + n.text, out[-1][2])
            continue
        out.append((type(n).__name__, getattr(n, "text", None), n.pos and (n.pos.line, n.pos.col)))
    return out


def test_long_lines_are_broken_for_pandoc_without_changing_the_model(tmp_path, monkeypatch):
    chapter = CHAPTER.replace("戰事緊急[^b]。", "戰事緊急[^b]。" + LONG)
    root = make_book(tmp_path / "book", {"manuscript/01.md": chapter})
    breaks = [e for e in scan_mod.scan(LONG).edits if e[2].startswith("\n")]
    assert len(breaks) >= len(LONG) // (2 * scan_mod.BREAK_EVERY)        # breaks were inserted
    broken, d1 = load_book(root)
    monkeypatch.setattr(scan_mod, "_LONG_RE", re.compile(r"(?!)"))     # never break
    whole, d2 = load_book(root)
    assert _inlines(broken) == _inlines(whole)
    assert [(d.code, d.line, d.column) for d in d1] == [(d.code, d.line, d.column) for d in d2]


def test_a_long_note_line_is_broken_inside_its_note(tmp_path):
    notes = NOTES.replace("    續行縮排四格。", "    " + "衡陽守城，" * 2000)
    book, diags = load_book(make_book(tmp_path / "book", {"footnotes/01.md": notes}))
    assert not [d for d in diags if d.severity == "error"]
    body = "".join(n.text for n in m.walk_blocks_inlines(book.notes["b"].blocks) if isinstance(n, m.Text))
    assert body == "第一段。" + "衡陽守城，" * 2000


def test_a_heading_or_table_row_is_never_broken():
    for line in ("# " + "衡陽，" * 3000, "| " + "衡陽，" * 3000 + " |"):
        assert not [e for e in scan_mod.scan(line).edits if e[2].startswith("\n")]


@pytest.mark.parametrize("make", [lambda n: ">" * n + " 深",
                                  lambda n: "".join("  " * i + "- 項\n" for i in range(n)),
                                  lambda n: "> - " * (n // 2) + ">" * (n % 2) + " 深"])
def test_block_nesting_limit_is_exact(make):
    assert block_nesting_fault(make(MAX_BLOCK_NESTING)) is None
    assert block_nesting_fault(make(MAX_BLOCK_NESTING + 1)) is not None


def test_ordinary_markdown_is_far_from_the_nesting_limit():
    text = CHAPTER + "\n> 引文\n>\n> > 再引\n\n- 一\n  - 二\n    1. 三\n\n* * *\n\n1944. 年\n    縮排\n"
    assert block_nesting_fault(text) is None
    assert block_nesting_fault(NOTES) is None


def test_deep_nesting_is_bb510_not_a_crash(tmp_path):
    chapter = CHAPTER + "\n" + "*x _x " * 600 + "深" + "_ *" * 600 + "\n"
    book, diags = load_book(make_book(tmp_path / "book", {"manuscript/01.md": chapter}))
    assert [(d.code, d.file) for d in diags if d.severity == "error"] == [("BB510", "manuscript/01.md")]


@pytest.mark.parametrize("text, codec, guess", [
    (CHAPTER, "big5", "Big5"), (CHAPTER, "gb18030", "GB18030"), (GLOSSARY, "big5", "Big5"),
    ("衡阳，方先觉率第十军守城。", "gb18030", "GB18030"), ("title: Opération Ichigo, Müller", "latin-1", "Latin-1"),
    (CHAPTER, "utf-16", "UTF-16")])
def test_encoding_guess(text, codec, guess):
    assert guess_encoding(text.encode(codec)) == guess
