"""Laid-out chapters kept between builds (render/pdf/layout/kept.py, issue 19).

A rebuild lays out again only the chapters whose key changed, and what it
restores must be exactly what a cold build makes: every test compares the
rebuild's layout.json (every column, span, offset and page start) byte for
byte with a cold build's, and its pages' text and pixels (test_incremental's
assert_same_as_cold).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bookbuild.render.pdf.layout import colparts, engine, kept
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.verify.pdf import page_texts
from helpers.books import EDIT_BOOK_TOML, EDIT_GLOSSARY, EDIT_SOURCE
from helpers.pdf import LONG, Builder, assert_same_as_cold


@pytest.fixture
def made(monkeypatch) -> list[int]:
    """The chapters laid out (not restored) in each build, by index."""
    out: list[int] = []
    real = engine._Engine._make_chapter

    def spy(self, ch, note_ids):
        out.append(ch.index)
        return real(self, ch, note_ids)

    monkeypatch.setattr(engine._Engine, "_make_chapter", spy)
    return out


def _layout(builder: Builder, out: str) -> bytes:
    return (builder.root / out / "print.layout.json").read_bytes()


def _same_as_cold(builder: Builder, warm: Path, made: list[int]) -> None:
    """layout.json, text and pixels as a cold build of the same sources has them."""
    assert_same_as_cold(builder, warm, "cold")
    del made[:]
    assert _layout(builder, warm.parent.name) == _layout(builder, "cold")


def _records(builder: Builder) -> list[Path]:
    return sorted((builder.cache / "layout" / "print").glob("*.pickle"))


def test_a_second_build_lays_out_no_chapter(builder, made):
    first = builder.build("a")
    assert sorted(made) == [0, 1] and len(_records(builder)) == 2
    del made[:]
    again = builder.build("b")
    assert made == []
    assert page_texts(again) == page_texts(first)
    assert _layout(builder, "b") == _layout(builder, "a")


def test_a_note_edit_lays_out_its_chapter_only(builder, made):
    builder.build("a")
    del made[:]
    builder.edit("footnotes/01.md", "見當時重慶各報的報導。", "見當時重慶與桂林各報的報導，另見校勘記。")
    warm = builder.build("b")
    assert made == [1]                  # the note is numbered in chapter 2
    assert "校勘記".encode() in _layout(builder, "b")
    _same_as_cold(builder, warm, made)
    assert len(_records(builder)) == 2  # the old record of chapter 2 is gone


@pytest.mark.parametrize("kind", ["glossary", "source", "style", "book.toml"])
def test_every_kind_of_change_is_laid_out_as_cold(builder, made, kind):
    builder.build("a")
    del made[:]
    if kind == "glossary":
        builder.edit(*EDIT_GLOSSARY)
    elif kind == "source":      # citations are formatted again: every chapter is laid out again
        builder.edit(*EDIT_SOURCE)
    elif kind == "style":       # a style is drawing, not layout: nothing is laid out again
        builder.write({"styles/print.css": "p { color: rgb(0, 0, 200) }\n"})
    else:                       # book.toml is in every key
        builder.edit(*EDIT_BOOK_TOML)
    warm = builder.build("b")
    assert sorted(made) == {"glossary": [], "source": [0, 1], "style": [], "book.toml": [0, 1]}[kind]
    _same_as_cold(builder, warm, made)


def test_a_restored_chapter_moved_to_later_pages(builder, made):
    """Chapter 1 grows by whole leaves: chapter 2 is restored, not laid out,
    yet its pages, offsets and index occurrences are those of a cold build."""
    builder.build("a")
    del made[:]
    builder.edit("manuscript/01.md", "## 城內\n", f"## 城內\n\n{LONG}\n")
    warm = builder.build("b")
    assert made == [0]
    _same_as_cold(builder, warm, made)


class _Planted:
    def __reduce__(self):
        return (Path.touch, (Path(_Planted.marker),))


def test_a_planted_pickle_is_never_run(builder, made, tmp_path):
    first = builder.build("a")
    _Planted.marker = str(tmp_path / "ran")
    for path in _records(builder):
        path.write_bytes(pickle.dumps({"format": kept.FORMAT, "x": _Planted()}))
    del made[:]
    again = builder.build("b")
    assert not (tmp_path / "ran").exists()
    assert sorted(made) == [0, 1]       # refused records: laid out again
    assert page_texts(again) == page_texts(first) and _layout(builder, "b") == _layout(builder, "a")


def test_a_damaged_record_is_laid_out_again(builder, made):
    first = builder.build("a")
    for path in _records(builder):
        path.write_bytes(path.read_bytes()[:100])
    del made[:]
    assert page_texts(builder.build("b")) == page_texts(first)
    assert sorted(made) == [0, 1] and _layout(builder, "b") == _layout(builder, "a")


# ------------------------------------------------------------ one record, in memory

def _unit(text, offset, kind=lt.HAN, **kw) -> lt.Unit:
    return lt.Unit(text, kind, 1.0, offset=offset, **kw)


class _Maker:
    """What kept.record reads of a UnitMaker: the stream and the counters."""

    def __init__(self, offset: int, block: int, mark: int):
        from bookbuild.render.pdf.layout.line_finish import Stream
        self.stream, self._blocks, self._marks = Stream(), block, mark
        self.stream.add("x" * offset)
        self.index_marks, self.page_refs = [], False


def test_a_restored_column_is_the_column_moved_on():
    mk = _Maker(10, 3, 1)
    before = kept.Counters.of(mk, [], {})
    mk.stream.add("甲乙丙1")
    mk._blocks, mk._marks = 4, 2
    col = lt.Column([_unit("甲", 10, flags=lt.NAME, mark=2), _unit("乙", 11, flags=lt.NAME, mark=2),
                     _unit("1", 13, lt.CALL, note_id="n1"), _unit("", 13, lt.BLANK)],
                    block=4, foot=[_unit("丙", 12)], length_em=3.0)
    rec = kept.record(kept.pending(mk, [], {}, before, [col], {}, False), colparts.parts)
    later = _Maker(25, 7, 5)                        # the chapter now starts further on
    flow, notes = kept.restore(rec, later, [], {})
    (back,) = flow
    assert isinstance(back, kept.KeptColumn) and notes == {}
    assert back.calls() == ("n1",) and back.blank_widths() == frozenset({1.0})
    offsets, cols = back.kept_ref()[0].start_index()
    assert [o + 15 for o in offsets] == [25, 26, 28] and list(cols) == [0, 0, 0]   # units with text, moved on
    assert back.text_starts() == [25, 26, 28]
    assert back.block == 8 and later._blocks == 8 and later._marks == 6
    assert [u.offset for u in back.units] == [25, 26, 28, 28]
    assert [u.mark for u in back.units] == [6, 6, 0, 0]
    assert back.foot[0].offset == 27 and back.hanging is None
    assert back.units_digest() != col.units_digest()        # its .name ids moved: hashed again
    assert back.kept_parts().head[2] == 25 and back.kept_parts().column(0.5)["block"] == 8
    assert later.stream.text()[25:29] == "甲乙丙1"


def test_a_column_that_points_outside_its_chapter_is_not_kept():
    mk = _Maker(10, 3, 0)
    before = kept.Counters.of(mk, [], {})
    mk.stream.add("甲")
    col = lt.Column([_unit("甲", 2)])               # an offset before the chapter began
    assert kept.record(kept.pending(mk, [], {}, before, [col], {}, False), colparts.parts) is None


# ------------------------------------------------------------ 圖一（第N頁）

_MAP = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
        '<rect width="400" height="300" fill="#ccc"/></svg>')
_FIGURE_CHAPTER = "# 附圖\n\n![衡陽城圖](assets/map.svg){#fig-map}\n\n城圖如上。\n"


def test_a_page_reference_follows_the_figure(builder, made):
    """A chapter that prints a figure's page is laid out again when the page
    moves, and only then; the others are restored in every pass."""
    builder.write({"assets/map.svg": _MAP, "manuscript/03.md": _FIGURE_CHAPTER})
    builder.edit("book.toml", '  "manuscript/02.md",\n', '  "manuscript/02.md",\n  "manuscript/03.md",\n')
    builder.edit("manuscript/02.md", "\n\n", "\n\n城圖見[](#fig-map){.page}。\n\n")
    builder.build("a")
    assert "第".encode() in _layout(builder, "a") and len(_records(builder)) == 2   # no record of 附圖
    del made[:]
    warm = builder.build("b")
    assert 0 not in made        # chapter 1 never asks for a page
    _same_as_cold(builder, warm, made)
    builder.edit("manuscript/03.md", "# 附圖\n\n", f"# 附圖\n\n{LONG}\n\n")     # the figure moves on
    del made[:]
    warm = builder.build("c")
    assert 0 not in made and 1 in made
    _same_as_cold(builder, warm, made)
