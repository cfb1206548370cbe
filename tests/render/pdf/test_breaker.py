"""Column breaker and units (docs/PRINT-ENGINE.md §3; VT-05–07, VT-12, VT-16–19, VT-25)."""
from __future__ import annotations

import math
import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild import charclass as cc
from bookbuild import model as m
from bookbuild.render.pdf.layout import layout_types as lt
from helpers.breaking import break_chapter as columns
from helpers.breaking import maker
from helpers.model import model_book, para, random_text, ref

EPS = 1e-6


# ------------------------------------------------------------------ column lengths

def _check_lengths(cols: list[lt.Column]):
    for c in cols:
        assert c.used_em() <= c.length_em + EPS or c.hanging is not None, c.text()
        if not c.last_of_paragraph:
            target = c.length_em + (c.hanging.width_em if c.hanging else 0.0)
            assert c.justified, c.text()
            assert abs(c.used_em() - target) < EPS, (c.used_em(), target, c.text())


def test_columns_fill_exactly_and_first_column_is_indented():
    rnd = random.Random(7)
    book = model_book([[para(random_text(rnd, 400), line=i + 3) for i in range(20)]])
    blocks, _ = columns(book)
    for cols in blocks:
        assert cols[0].indent_em == 2 and cols[0].length_em == 36
        assert all(c.indent_em == 0 and c.length_em == 38 for c in cols[1:])
        _check_lengths(cols)
        # natural length never exceeds the column; the justification adds only what is missing
        assert all(c.natural_em() <= c.length_em + EPS for c in cols)


def test_block_quote_columns_hold_n_minus_2():
    rnd = random.Random(3)
    book = model_book([[m.BlockQuote([para(random_text(rnd, 300))], m.Pos("manuscript/01.md", 3, 1))]])
    (cols,), _ = columns(book)
    assert len(cols) > 3
    assert all(c.role == lt.QUOTE and c.indent_em == 2 and c.length_em == 36 for c in cols)
    _check_lengths(cols)


# ------------------------------------------------------------------ kinsoku

def _starts(cols):
    """(column, first char) of every column after the first of its paragraph."""
    for c in cols[1:]:
        vis = [u for u in c.units if u.kind != lt.CALL]
        yield c, vis[0].text[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 9), st.sampled_from(["basic", "strict"]))
def test_kinsoku_sets_respected_on_random_text(seed, level):
    rnd = random.Random(seed)
    book = model_book([[para(random_text(rnd, rnd.randint(50, 600)))]], kinsoku=level)
    (cols,), diags = columns(book)
    exceptions = {(d.line, d.col) for d in diags if d.code == "BB702"}
    for c, ch in _starts(cols):
        if ch in cc.START_PROHIBITED[level]:
            assert (c.src.line, c.src.col) in exceptions, (level, c.text())
    for c in cols[:-1]:
        assert c.units[-1].text[-1] not in cc.END_PROHIBITED_BY_LEVEL[level] or \
            (c.src.line, c.src.col) in exceptions, c.text()
    _check_lengths(cols)


def test_strict_keeps_dashes_off_the_column_head():
    text = "甲" * 36 + "——乙" + "丙" * 60   # the dash falls exactly on the column start
    for level, allowed in (("basic", True), ("strict", False)):
        (cols,), _ = columns(model_book([[para(text)]], kinsoku=level))
        starts_with_dash = any(c.text().startswith("——") for c in cols[1:])
        assert starts_with_dash == allowed, level


def test_pairs_never_split_and_calls_never_start_a_column():
    rnd = random.Random(11)
    text = "".join(random_text(rnd, 30) + rnd.choice(["——", "……"]) for _ in range(40))
    pieces = [text[i:i + 97] for i in range(0, len(text), 97)]
    inl = []
    for k, p in enumerate(pieces):
        inl += [m.Text(p, m.Pos("manuscript/01.md", 3, 1)), ref(f"n{k}")]
    book = model_book([[m.Para(inl, m.Pos("manuscript/01.md", 3, 1))]],
                     note_texts={f"n{k}": "注文。" for k in range(len(pieces))})
    (cols,), _ = columns(book)
    joined, bounds = "", []
    for c in cols:
        assert c.units[0].kind != lt.CALL
        joined += "".join(u.text for u in c.units if u.kind != lt.CALL)
        bounds.append(len(joined))
    for pair in ("——", "……"):
        start = joined.find(pair)
        while start >= 0:
            assert start + 1 not in bounds, f"{pair} split at {start}"
            start = joined.find(pair, start + 2)
    assert sum(u.kind == lt.CALL for c in cols for u in c.units) == len(pieces)


def test_widow_column_has_two_non_punctuation_chars():
    for tail in range(0, 6):
        text = "甲" * (36 + 38 * 2 + tail) + "。」"
        (cols,), _ = columns(model_book([[para(text)]]))
        last = cols[-1].text()
        content = sum(1 for ch in last if unicodedata.category(ch)[0] in "LN")
        assert content >= 2, (tail, last)
        _check_lengths(cols)


# ------------------------------------------------------------------ justification and Latin

def test_loose_column_is_reported_bb701():
    word = "Internationalizatio9" * 2      # 40 chars × 0.5 em = 20 em; letters glued to a digit: unbreakable (VT-12a)
    text = "甲" * 30 + word + "乙" * 50
    (cols,), diags = columns(model_book([[para(text, line=9)]]))
    assert cols[0].text() == "甲" * 30
    assert cols[0].spacing_em > 0.1
    assert any(d.code == "BB701" and d.line == 9 for d in diags)
    _check_lengths(cols)


def test_latin_spaces_stretch_before_letter_spacing():
    text = "甲" * 20 + "Claire Lee Chennault" + "乙" * 60
    (cols,), diags = columns(model_book([[para(*text.split(" ", 1)[:1],
                                               m.Space(), *_spaced(text.split(" ", 1)[1]))]]))
    first = cols[0]
    assert first.spaces() >= 1
    if first.space_extra_em < 0.5 - EPS:
        assert first.spacing_em == 0
    _check_lengths(cols)


def _spaced(s: str) -> list:
    out = []
    for i, w in enumerate(s.split(" ")):
        out += ([m.Space()] if i else []) + [m.Text(w, m.Pos("manuscript/01.md", 3, 1))]
    return out


def test_han_latin_glue_and_spaces():
    book = model_book([[para("美國", m.Space(), "OSS", m.Space(), "與", m.Space(), "Claire",
                            m.Space(), "Chennault", m.Space(), "將軍")]])
    mk = maker(book)
    (blk,) = mk.blocks(book.chapters[0].blocks, 0)
    units = blk.lines[0]
    kinds = [(u.text, u.kind) for u in units]
    assert ("O", lt.UPRIGHT) in kinds                     # acronym upright, one cell per letter
    assert [u.text for u in units if u.kind == lt.SPACE] == [" "]   # only the space between Latin words
    claire = next(u for u in units if u.text == "Claire")
    chennault = next(u for u in units if u.text == "Chennault")
    assert claire.glue_before == 0.25 and claire.glue_after == 0
    assert chennault.glue_after == 0.25 and chennault.glue_before == 0


def test_tcy_and_long_numbers():
    book = model_book([[para("第10軍於1944年8月7日，B-29與30％")]])
    units = maker(book).blocks(book.chapters[0].blocks, 0)[0].lines[0]
    by_text = {u.text: u for u in units}
    assert by_text["10"].kind == lt.TCY and by_text["10"].width_em == 1
    assert by_text["8"].kind == lt.TCY and by_text["7"].kind == lt.TCY
    assert by_text["1944"].kind == lt.SIDEWAYS and by_text["1944"].width_em == 2.0
    assert by_text["B-29"].kind == lt.SIDEWAYS
    assert by_text["％"].flags & lt.NOBREAK_BEFORE
    up = model_book([[para("1944年")]], long_numbers="upright")
    units = maker(up).blocks(up.chapters[0].blocks, 0)[0].lines[0]
    assert [u.kind for u in units[:4]] == [lt.UPRIGHT] * 4


# ------------------------------------------------------------------ spans

def test_title_marks_not_doubled_and_names_flagged():
    t1 = m.Span("title", [m.Text("蔣中正日記")], {}, ("title",), m.Pos("manuscript/01.md", 3, 2))
    t2 = m.Span("title", [m.Text("《大公報》")], {}, ("title",), m.Pos("manuscript/01.md", 3, 9))
    t3 = m.Span("title", [m.Text("社論")], {"kind": "article"}, ("title",), m.Pos("manuscript/01.md", 3, 20))
    nm = m.Span("name", [m.Text("林森")], {}, ("name",), m.Pos("manuscript/01.md", 3, 30))
    book = model_book([[para("見", t1, t2, t3, nm, "。")]])
    units = maker(book).blocks(book.chapters[0].blocks, 0)[0].lines[0]
    text = "".join(u.text for u in units)
    assert text == "見《蔣中正日記》《大公報》〈社論〉林森。"
    names = [u for u in units if u.flags & lt.NAME]
    assert [u.text for u in names] == ["林", "森"] and names[0].mark == names[1].mark != 0
    wavy = model_book([[para("見", t1, "。")]], title_marks="wavy")
    units = maker(wavy).blocks(wavy.chapters[0].blocks, 0)[0].lines[0]
    assert "".join(u.text for u in units) == "見蔣中正日記。"
    assert all(u.flags & lt.TITLE_WAVY for u in units[1:-1])


def test_warichu_pieces_are_balanced_and_split_across_columns():
    aside = m.Span("aside", [m.Text("南按：原主席已於是年八月一日去世，此處仍依原電文照錄")], {}, ("aside",),
                   m.Pos("manuscript/01.md", 3, 40))
    book = model_book([[para("甲" * 30, aside, "乙" * 40)]])
    (cols,), _ = columns(book)
    pieces = [u for c in cols for u in c.units if u.kind == lt.WARICHU]
    assert len(pieces) == 2                              # split at the column end
    assert "".join(p.text for p in pieces) == "南按：原主席已於是年八月一日去世，此處仍依原電文照錄"
    for p in pieces:
        assert p.split == math.ceil(len(p.text) / 2)
        assert p.width_em == p.split * 0.5
    assert cols[0].text().startswith("甲" * 30 + "（")
    assert "）" in cols[1].text()
    _check_lengths(cols)


def test_note_call_labels_per_chapter_and_again():
    ch1 = [para("甲", ref("a"), "乙", ref("b"), "。")]
    ch2 = [para("丙", ref("c"), "丁", ref("a", again=True), "。")]
    for numbering, labels in (("chapter", ["1", "2", "1"]), ("book", ["1", "2", "3", "1"])):
        book = model_book([ch1, ch2], note_texts={"a": "甲注", "b": "乙注", "c": "丙注"}, numbering=numbering)
        mk = maker(book)
        u1 = mk.blocks(ch1, 0)[0].lines[0]
        u2 = mk.blocks(ch2, 1)[0].lines[0]
        calls = [u.text for u in u1 + u2 if u.kind == lt.CALL]
        assert calls == labels, numbering
        if numbering == "chapter":   # .again from another chapter: 見第1章注1 as text
            assert "".join(u.text for u in u2).endswith("見第1章注1。")
            assert all(u.note_id == "a" for u in u2 if u.flags & lt.LINK)


def test_chinese_numerals_edition_converts_calls():
    book = model_book([[para("甲", ref("a"), "。")]], note_texts={"a": "注"}, numerals="chinese")
    units = maker(book).blocks(book.chapters[0].blocks, 0)[0].lines[0]
    assert [u.text for u in units if u.kind == lt.CALL] == ["一"]


@pytest.mark.parametrize("hanging", [False, True])
def test_hanging_punctuation_option(hanging):
    text = "甲" * 36 + "。" + "乙" * 50
    (cols,), _ = columns(model_book([[para(text)]], hanging=hanging))
    if hanging:
        assert cols[0].hanging is not None and cols[0].text().endswith("。")
        assert abs(cols[0].used_em() - 37) < EPS
    else:
        assert cols[0].hanging is None and not cols[1].text().startswith("。")
    _check_lengths(cols)


def test_warichu_at_paragraph_end_leaves_two_chars_not_a_lone_bracket():
    aside = m.Span("aside", [m.Text("南按：一紮當時立射日記冷嘲但個性開始村貌至少")], {}, ("aside",),
                   m.Pos("manuscript/01.md", 3, 40))
    # 31 + （ + 5.5 em of 割注 fill the second column exactly; ） may not start the third
    book = model_book([[para("甲" * (36 + 31), aside)]])
    (cols,), _ = columns(book)
    last = cols[-1]
    pieces = [u for u in last.units if u.kind == lt.WARICHU]
    assert last.text().endswith("）") and pieces and len(pieces[0].text) >= 2
    assert cols[-2].text().startswith("甲" * 31 + "（")
    assert cols[-2].spacing_em < 0.1
    _check_lengths(cols)


def test_acronyms_upright_in_cjk_but_sideways_inside_latin():
    words = ["PEATTIE", "M,", "DREA", "E,", "VAN", "DE", "VEN", "H.", "The", "Battle"]
    inl: list = ["見"]
    for i, w in enumerate(words):
        inl += ([m.Space()] if i else []) + [w]
    inl += ["。美國", m.Space(), "OSS", m.Space(), "特工"]
    book = model_book([[para(*inl)]])
    units = maker(book).blocks(book.chapters[0].blocks, 0)[0].lines[0]
    sideways = [u.text for u in units if u.kind == lt.SIDEWAYS]
    assert sideways == ["PEATTIE", "M,", "DREA", "E,", "VAN", "DE", "VEN", "H.", "The", "Battle"]
    assert [u.text for u in units if u.kind == lt.UPRIGHT] == ["O", "S", "S"]
