"""Latin words broken at a column end (VT-12a; layout/hyphenate.py, breaker._hyphenate).

Latin chars are 0.5 em each (fixed_advance), so where a word lands is
arithmetic: after `甲` × (L − 3) a column has 3 em left, ¼ em of it the
Han–Latin glue: room for seven Latin chars.
"""
from __future__ import annotations

from pathlib import Path

from bookbuild import model as m
from bookbuild.commands.check import load_prepared
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.render.pdf.layout.breaker import LOOSE
from bookbuild.render.pdf.layout.engine import layout_book
from bookbuild.render.pdf.layout.hyphenate import break_points
from bookbuild.transform.build_data import prepare
from helpers.breaking import break_chapter as columns
from helpers.model import model_book, para

EPS = 1e-6
SAMPLE = Path(__file__).resolve().parents[3]        # the sample book at the repository root


def _check_lengths(cols: list[lt.Column]):
    """Every non-final column is justified to exactly its length (VT-06)."""
    for c in cols:
        assert c.used_em() <= c.length_em + EPS, c.text()
        if not c.last_of_paragraph:
            assert c.justified and abs(c.used_em() - c.length_em) < EPS, (c.used_em(), c.text())


def _length() -> int:
    return model_book([[para("甲")]]).config.edition("print").chars_per_column


def _two(*parts, line=3):
    (cols,), diags = columns(model_book([[para(*parts, line=line)]]))
    _check_lengths(cols)
    return cols, diags


def test_pushed_out_word_is_hyphenated_when_the_column_would_be_loose():
    # the paragraph indent takes 2 em: 4 em left, 3.75 after the glue; 4 / 31 gaps is loose
    cols, diags = _two("甲" * (_length() - 6) + "Fourteenth" + "乙" * 20)
    head, tail = cols[0].units[-1], cols[1].units[0]
    assert (head.text, tail.text) == ("Four", "teenth")
    assert head.flags & lt.HYPHEN and not tail.flags & lt.HYPHEN
    assert head.width_em == 2.5                  # "Four-": the drawn hyphen takes its advance
    assert cols[0].text().endswith("Four-") and cols[0].hyphenated() and not cols[1].hyphenated()
    assert tail.offset == head.offset + 4         # the stream keeps the word whole, without "-"
    assert cols[0].spacing_em <= 0.1 + EPS and not [d for d in diags if d.code == "BB701"]


def test_explicit_hyphen_breaks_without_adding_one():
    cols, diags = _two("甲" * (_length() - 6) + "Dì-shísì" + "乙" * 20)
    head, tail = cols[0].units[-1], cols[1].units[0]
    assert (head.text, tail.text) == ("Dì-", "shísì")
    assert not head.flags & lt.HYPHEN and cols[0].text().endswith("甲Dì-")
    assert cols[0].spacing_em <= 0.1 + EPS and not diags


def test_no_hyphenation_when_the_column_is_not_loose():
    # 3 em left: 3 / 32 gaps stays below 0.1 em, so the word moves on whole
    cols, _ = _two("甲" * (_length() - 5) + "Fourteenth" + "乙" * 20)
    assert cols[1].units[0].text == "Fourteenth" and not any(c.hyphenated() for c in cols)
    assert 0 < cols[0].spacing_em <= 0.1 + EPS


def test_code_is_never_hyphenated_and_the_loose_column_is_reported():
    n = _length() - 6
    cols, diags = _two(m.Text("甲" * n, m.Pos("manuscript/01.md", 9, 1)),
                       m.Code("Fourteenth", m.Pos("manuscript/01.md", 9, n + 1)),
                       m.Text("乙" * 20, m.Pos("manuscript/01.md", 9, n + 12)), line=9)
    assert cols[0].text() == "甲" * n and cols[1].units[0].text == "Fourteenth"
    assert any(d.code == "BB701" and d.line == 9 for d in diags)


def test_loose_column_takes_cells_from_the_column_before():
    # column 2 would hold L − 5 乙 and 5 em of slack (the word glued to a digit cannot
    # break): 5 / 32 gaps is loose; it takes as few 甲 from column 1 as mend it: two
    # leave 2 / 33 there and 3 / 34 here, both below 0.1 em
    n = _length()
    cols, diags = _two("甲" * (n - 2) + "乙" * (n - 5) + "Xyzabcdefghij9" + "丙" * 20)
    assert cols[0].text() == "甲" * (n - 4) and cols[1].text() == "甲" * 2 + "乙" * (n - 5)
    assert all(c.spacing_em <= 0.1 + EPS for c in cols) and not diags


def test_break_points():
    assert break_points("Fourteenth") == [(4, True)]          # ≥ 2 before, ≥ 3 after
    assert break_points("Dì-shísì") == [(3, False)]           # pinyin: its hyphen only
    assert break_points("Hùnhétuán") == []                    # tone marks: no English patterns
    assert break_points("B-29") == [] and break_points("F-86F") == []   # no break before a digit
    assert break_points("NASA") == [] and break_points("INTERNATIONAL") == []
    assert break_points("B29bomber") == []                    # letters glued to digits
    assert break_points("Fourteenth", code=True) == []
    assert break_points("(Fourteenth") == [(5, True)]         # a bracket is no letter
    assert all(2 <= k <= len("information,") - 4 for k, _ in break_points("information,"))


def test_sample_print_horizontal_has_no_loose_column():
    """The sample book's print-horizontal edition at the layout level: no column, body or note,
    is loose (BB701), and the glossary's Fourteenth Air Force is hyphenated (VT-12a).  The
    edition lets 。，、 hang (book.toml), so a note's closing 1944年。 is not pushed out."""
    book, _ = load_prepared(SAMPLE)
    result, diags = layout_book(book, book.config.edition("print-horizontal"), prepare(book))
    for page in result.pages:
        loose = [c.text() for c in page.columns + page.note_columns if c.spacing_em > LOOSE + EPS]
        assert not loose, (page.number, loose)
    assert any(c.hyphenated() for p in result.pages for c in p.columns)     # Four-|teenth
    assert [d for d in diags if d.code == "BB701"] == []
