"""Astral characters and variation sequences in units and the column breaker (docs/FORMAT.md
"Characters"; VERTICAL-TYPOGRAPHY.md §3.1): a variation selector is part of its base's cell — never a
cell of its own, never counted in the 38, never separated from its base by a column or 割注 break."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild import charclass as cc
from bookbuild import model as m
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.render.pdf.layout.breaker import Rules, break_block
from bookbuild.render.pdf.layout.textprep import TextPrep, fixed_advance
from bookbuild.render.pdf.layout.units import UnitMaker
from bookbuild.transform.notes import number_notes
from helpers.model import HAN, model_book, para

IVS = "\U000E0100"            # VS17
SVS = "\uFE00"                # VS1
ASTRAL = "\U0002000B\U0002A7DD\U0002B746\U0002CE93\U00030EDD\U00031350"   # Ext. B, C, D, E, G, H
COMPAT = "\uF900\U0002F804"


def maker(book: m.Book) -> UnitMaker:
    ed = book.config.edition("print")
    return UnitMaker(ed, TextPrep(ed, book.config), fixed_advance(0.5), number_notes(book), None, book)


def columns(book: m.Book):
    """The columns of chapter 0's one block (as tests/render/pdf/test_breaker.py breaks them)."""
    ed = book.config.edition("print")
    (blk,) = maker(book).blocks(book.chapters[0].blocks, 0)
    return break_block(blk, ed.chars_per_column, Rules.of(ed), fixed_advance(0.5))


def _check_lengths(cols: list[lt.Column]):
    for c in cols:
        assert c.used_em() <= c.length_em + 1e-6, c.text()
        if not c.last_of_paragraph:
            assert c.justified and abs(c.used_em() - c.length_em) < 1e-6, c.text()


def _text(rnd: random.Random, n: int) -> str:
    """n cells: Han (BMP and astral, compatibility ideographs), some with a VS, some punctuation."""
    out = []
    for _ in range(n):
        ch = rnd.choice(HAN[:200] + ASTRAL * 10 + COMPAT * 5 + "，。「」")
        if cc.is_han(ch) and rnd.random() < 0.3:
            ch += rnd.choice([IVS, "\U000E0101", SVS, "\U000E01EF"])
        out.append(ch)
    return "".join(out)


def _base_count(text: str) -> int:
    return sum(1 for ch in text if not cc.is_joiner(ch))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 9))
def test_a_variation_selector_stays_on_its_base_and_takes_no_cell(seed):
    rnd = random.Random(seed)
    text = _text(rnd, rnd.randint(40, 300))
    cols, _ = columns(model_book([[para(text)]]))
    assert "".join(c.text() for c in cols) == text            # nothing lost, nothing doubled
    for c in cols:
        for u in c.units:
            assert not cc.is_joiner(u.text[0]), (u.text, c.text())   # never a cell of its own
            assert u.kind != lt.HAN or _base_count(u.text) == 1
        # a cell is 1 em whatever selector it carries: 38 (36 after the indent) base characters fill a column
        assert c.used_em() <= c.length_em + 1e-6
    for c in cols[:-1]:
        if c.justified and c.spacing_em == 0:
            assert _base_count(c.text()) == c.length_em, c.text()
    _check_lengths(cols)


def test_full_columns_of_variation_sequences_hold_38_characters():
    text = ("葛" + IVS + "\U0002000B" + "兀" + SVS) * 40      # 120 cells, 200 code points
    cols, _ = columns(model_book([[para(text)]]))
    assert [_base_count(c.text()) for c in cols] == [36, 38, 38, 8]
    assert [len(c.text()) for c in cols[:3]] == [60, 63, 64]     # code points: the VSs ride along
    for c in cols:
        assert not cc.is_joiner(c.text()[0])
        assert c.text()[-1] not in "葛兀"          # a break after the base takes its VS along


def test_warichu_split_counts_cells_and_cuts_between_them():
    inner = ("葛" + IVS + "洪" + "\U0002000B" + "兀" + SVS) * 9       # 27 cells, 45 code points
    aside = m.Span("aside", [m.Text(inner)], {}, ("aside",), m.Pos("manuscript/01.md", 3, 40))
    for lead in range(20, 38):
        cols, _ = columns(model_book([[para("甲" * lead, aside, "乙" * 40)]]))
        pieces = [u for c in cols for u in c.units if u.kind == lt.WARICHU]
        assert "".join(p.text for p in pieces) == inner
        for p in pieces:
            cells = cc.cells(p.text)
            half = -(-len(cells) // 2)
            assert p.width_em == half * 0.5, (lead, p.text)          # VSs take no room
            assert p.split == len("".join(cells[:half]))             # the sub-columns part between cells
            assert not cc.is_joiner(p.text[0]) and not cc.is_joiner(p.text[p.split:][:1] or "a")
        _check_lengths(cols)


def test_glue_after_a_variation_sequence_before_latin():
    book = model_book([[para("葛" + IVS, m.Space(), "Chennault", m.Space(), "兀" + SVS)]])
    units = maker(book).blocks(book.chapters[0].blocks, 0)[0].lines[0]
    latin = next(u for u in units if u.text == "Chennault")
    assert latin.glue_before == 0.25 and latin.glue_after == 0.25
    assert [u.text for u in units if u.kind == lt.HAN] == ["葛" + IVS, "兀" + SVS]


def test_newest_extensions_are_han_cells_and_count_against_widows():
    ext_h = "\U00031350\U00031351"          # Ext. H: unknown to Python 3.11's Unicode 14 data
    assert all(cc.is_han(ch) and cc.orientation(ch) == "upright" for ch in ext_h + "\U0002EBF0")
    text = "甲" * (36 + 38) + ext_h + "。"
    cols, _ = columns(model_book([[para(text)]]))
    assert cols[-1].text() == ext_h + "。"   # two characters: no widow to fix
