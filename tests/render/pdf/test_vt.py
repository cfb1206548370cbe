"""VT rules measured on the real print PDF of a small book (docs/VERTICAL-TYPOGRAPHY.md).

The book is built once per session with the loader and `build_pdf`; positions
always come from the PDF (pdfplumber, P frame, pt), never from layout.json,
which only says what should be where.  TA = the type area in P.
"""
from __future__ import annotations

import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest

from bookbuild.render.pdf.layout.frame import Frame
from helpers.pdf import EPOCH, build_small_book, han_only, ink_box


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp("pdfvt"))
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return out


@pytest.fixture(scope="session")
def doc(built):
    return Doc(built)


class Doc:
    """The built PDF, its layout.json and the P-frame type area."""

    def __init__(self, out: Path):
        self.pdf_path = out / "print.pdf"
        self.layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
        g = self.layout["geometry"]
        self.em = g["font_size_pt"]
        self.pitch = g["pitch_em"] * self.em
        self.gap = g["gap_em"] * self.em
        self.n = g["chars_per_column"]
        self.pdf = pdfplumber.open(self.pdf_path)

    def ta(self, number: int) -> dict:
        """Type area of a page, recomputed from the edition (not from the layout)."""
        return _frame().ta_p(number % 2 == 1)

    def page(self, number: int):
        return self.pdf.pages[number - 1]

    def body_chars(self, number: int) -> list[dict]:
        return [c for c in self.page(number).chars
                if c["fontname"].endswith("TateU") and abs(c["size"] - self.em) < 0.01]

    def columns(self, number: int) -> list[list[dict]]:
        """Body chars grouped by x-centre (within 0.1 em), right → left, top → bottom."""
        cols: list[list[dict]] = []
        for c in sorted(self.body_chars(number), key=lambda c: -(c["x0"] + c["x1"]) / 2):
            x = (c["x0"] + c["x1"]) / 2
            if cols and abs((cols[-1][0]["x0"] + cols[-1][0]["x1"]) / 2 - x) < 0.1 * self.em:
                cols[-1].append(c)
            else:
                cols.append([c])
        return [sorted(col, key=lambda c: c["top"]) for col in cols]

    def body_pages(self) -> list[dict]:
        return [p for p in self.layout["pages"] if p["role"] in ("body", "chapter-open")]


@lru_cache(maxsize=1)
def _frame() -> Frame:
    from bookbuild.config import EditionConfig
    return Frame.of(EditionConfig(name="print", format="pdf"))


def _xc(c: dict) -> float:
    return (c["x0"] + c["x1"]) / 2


def _pairs(doc: Doc):
    """(page number, layout column, pdf column) for every plain body column.

    Plain: every cell a Han character or full-width mark, so each char of the
    layout text is one pdfplumber char; columns are matched by reading order.
    """
    for p in doc.body_pages():
        lay = [c for c in p["body"]["columns"] if c["role"] in ("body", "quote")]
        pdf_cols = [c for c in doc.columns(p["number"])
                    if abs(c[0]["size"] - doc.em) < 0.01]
        texts = {"".join(ch["text"] for ch in c): c for c in pdf_cols}
        for c in lay:
            if c["text"] and han_only(c["text"]) and c["text"] in texts:
                yield p["number"], c, texts[c["text"]]


# ------------------------------------------------------------------ A. grid

def test_vt01_columns_right_to_left_in_reading_order(doc):
    checked = 0
    for p in doc.body_pages():
        lay = [c["text"] for c in p["body"]["columns"]
               if c["role"] in ("body", "quote") and han_only(c["text"], allow_empty=True)]
        got = ["".join(ch["text"] for ch in col) for col in doc.columns(p["number"])]
        got = [t for t in got if t in lay]
        assert got == [t for t in lay if t in got], f"page {p['number']}"
        checked += len(got)
    assert checked > 20


def test_vt01_gutter_alternates(doc):
    gutter = 25 * 72 / 25.4
    width = doc.page(1).width
    for p in doc.body_pages():
        cols = doc.columns(p["number"])
        right = max(c["x1"] for col in cols for c in col)
        left = min(c["x0"] for col in cols for c in col)
        ta = doc.ta(p["number"])
        if p["number"] % 2:
            assert abs(width - ta["right"] - gutter) <= 0.5
        else:
            assert abs(ta["left"] - gutter) <= 0.5
        assert right <= ta["right"] + 0.05 * doc.em and left >= ta["left"] - 0.05 * doc.em


def test_vt01_chapters_open_on_odd_pages(doc):
    opens = [p["number"] for p in doc.layout["pages"] if p["role"] == "chapter-open"]
    assert len(opens) >= 2 and all(n % 2 == 1 for n in opens)


def test_vt02_cells_touch_with_one_spacing_per_column(doc):
    checked = 0
    for number, lay, col in _pairs(doc):
        steps = [b["top"] - a["top"] for a, b in zip(col, col[1:])]
        if not steps:
            continue
        s_col = steps[0] - doc.em
        for st in steps:
            assert abs(st - (doc.em + s_col)) <= 0.01 * doc.em, (number, lay["text"])
        assert abs(s_col - lay["spacing_em"] * doc.em) <= 0.01 * doc.em
        assert all(abs((c["x1"] - c["x0"]) - doc.em) <= 0.01 * doc.em for c in col)
        checked += 1
    assert checked > 20


def test_vt03_vt04_columns_on_the_grid(doc):
    for p in doc.body_pages():
        ta = doc.ta(p["number"])
        assert abs((ta["bottom"] - ta["top"]) / doc.em - doc.n) < 0.001
        ks = []
        for col in doc.columns(p["number"]):
            k = (ta["right"] - 0.5 * doc.em - _xc(col[0])) / doc.pitch
            assert abs(k - round(k)) * doc.pitch <= 0.05 * doc.em, (p["number"], col[0]["text"])
            ks.append(round(k))
        assert len(ks) == len(set(ks))


def test_vt05_paragraph_first_cell_two_em_below_head(doc):
    checked = 0
    for number, lay, col in _pairs(doc):
        ta = doc.ta(number)
        # the rule, on the layout: 2 em for a paragraph's first column, block
        # quotes indented 2 em as a whole; the drawing: the cell is there
        if lay["role"] == "body":
            assert lay["indent_em"] == (2 if lay["first_of_paragraph"] else 0), lay["text"]
        else:
            assert lay["indent_em"] >= 2 and len(lay["text"]) <= doc.n - 2
        want = ta["top"] + lay["indent_em"] * doc.em
        assert abs(col[0]["top"] - want) <= 0.05 * doc.em, (number, lay["text"])
        checked += lay["first_of_paragraph"]
    assert checked >= 3
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(doc.pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    heads = {ln for ln in text.splitlines() if ln.endswith(("圍城", "餘波"))}    # 第一章　圍城
    assert all("\u3000" not in ln for ln in text.splitlines() if ln not in heads)


def test_vt06_flush_foot_except_paragraph_end(doc):
    checked = 0
    for number, lay, col in _pairs(doc):
        ta = doc.ta(number)
        if lay["last_of_paragraph"]:
            assert col[-1]["bottom"] <= ta["bottom"] + 0.05 * doc.em
        else:
            assert abs(col[-1]["bottom"] - ta["bottom"]) <= 0.05 * doc.em, (number, lay["text"])
            checked += 1
    assert checked >= 12


def test_vt06_justified_columns_with_latin_end_flush(doc):
    """Columns holding sideways Latin, tcy or pairs end flush too (all chars, any size)."""
    checked = 0
    for p in doc.body_pages():
        ta = doc.ta(p["number"])
        lay = {c["text"]: c for c in p["body"]["columns"] if c["role"] == "body"}
        for col in doc.columns(p["number"]):
            chars = sorted((c for c in doc.page(p["number"]).chars
                            if abs(_xc(c) - _xc(col[0])) < 0.6 * doc.em and c["fontname"].endswith("TateU")),
                           key=lambda c: c["top"])
            text = "".join(c["text"] for c in chars)
            c = lay.get(text)
            if c and not c["last_of_paragraph"] and not han_only(text, allow_empty=True):
                assert abs(chars[-1]["bottom"] - ta["bottom"]) <= 0.05 * doc.em, text
                checked += 1
    assert checked >= 1


# ------------------------------------------------------------------ B. numbers, Latin, pairs

def _find_column_chars(doc: Doc, needle: str):
    for p in doc.body_pages():
        chars = doc.page(p["number"]).chars
        text = "".join(c["text"] for c in chars)
        i = text.find(needle)
        if i >= 0:
            return p["number"], chars, i
    raise AssertionError(f"{needle!r} not in the PDF")


def test_vt11_pair_and_vt13_tcy_advance(doc):
    number, chars, i = _find_column_chars(doc, "最後一電——「")
    dash = chars[i + 4]
    assert dash["text"] == "——"                      # one ligature glyph, text kept
    after = chars[i + 5]
    s = (chars[i + 1]["top"] - chars[i]["top"]) - doc.em
    assert abs(after["top"] - dash["top"] - (2 * doc.em + s)) <= 0.01 * doc.em
    number, chars, i = _find_column_chars(doc, "四個師團")
    for p in doc.layout["pages"]:
        for span in p["spans"]:
            if span["kind"] == "tcy":
                assert re.fullmatch(r"[0-9]{1,3}", span["text"])


def test_vt12_latin_run_sideways_with_quarter_em_glue(doc):
    number, chars, i = _find_column_chars(doc, "總統Roosevelt致電")
    han_before, first, last, han_after = chars[i + 1], chars[i + 2], chars[i + 10], chars[i + 11]
    col = next(c for p in doc.layout["pages"] if p["number"] == number
               for c in p["body"]["columns"] if "Roosevelt" in c["text"])
    # ¼ em, plus what VT-06 justification added to this column's glue and gaps
    glue = (0.25 + col["glue_extra_em"] + col["spacing_em"]) * doc.em
    assert not first["upright"] and first["text"] == "R" and last["text"] == "t"
    assert abs(first["top"] - han_before["bottom"] - glue) <= 0.05 * doc.em
    assert abs(han_after["top"] - last["bottom"] - glue) <= 0.05 * doc.em
    assert col["glue_extra_em"] <= 0.5 - 0.25 + 1e-6        # VT-06: the gap grows from ¼ to at most ½ em
    assert abs(_xc(first) - _xc(han_before)) <= 0.15 * doc.em


def test_vt12_acronym_letters_upright_one_em_each(doc):
    number, chars, i = _find_column_chars(doc, "美國OSS的報告")
    cells = chars[i + 1:i + 6]                     # 國 O S S 的
    steps = [b["top"] - a["top"] for a, b in zip(cells, cells[1:])]
    assert max(steps) - min(steps) <= 0.01 * doc.em and abs(steps[0] - doc.em) <= 0.1 * doc.em
    # upright by ink: a letter is taller (along the column) than a sideways run's cap height
    for c in cells[1:4]:
        ink = ink_box(doc.pdf_path, number, (c["x0"], c["top"], c["x1"], c["bottom"]))
        assert ink is not None and ink[3] - ink[1] > 0.5 * doc.em and ink[2] - ink[0] > 0.4 * doc.em


# ------------------------------------------------------------------ E. marks

def test_vt20_name_marks_left_of_column_and_separate(doc):
    number, chars, i = _find_column_chars(doc, "方先覺周慶祥")
    fang, zhou = chars[i:i + 3], chars[i + 3:i + 6]
    page = doc.page(number)
    col_left = fang[0]["x0"]
    lines = [r for r in page.rects if col_left - 0.5 * doc.gap < r["x0"] and r["x1"] <= col_left + 0.01
             and r["height"] > doc.em]
    assert len(lines) >= 2
    def covering(name):
        return [r for r in lines if r["top"] <= name[0]["top"] + 0.1 * doc.em
                and r["bottom"] >= name[-1]["bottom"] - 0.1 * doc.em]
    a, b = covering(fang), covering(zhou)
    assert a and b and a[0] is not b[0]
    assert b[0]["top"] - a[0]["bottom"] >= 0.1 * doc.em - 0.01


def test_vt22_emphasis_dots_right_of_each_char(doc):
    number, chars, i = _find_column_chars(doc, "不能退")
    page = doc.page(number)
    col_right = chars[i]["x1"]
    dots = [o for o in page.curves + page.rects
            if col_right <= o["x0"] and o["x1"] < col_right + 0.5 * doc.gap and o["height"] < 0.3 * doc.em]
    for c in chars[i:i + 3]:
        yc = (c["top"] + c["bottom"]) / 2
        near = [d for d in dots if abs((d["top"] + d["bottom"]) / 2 - yc) <= 0.05 * doc.em]
        assert len(near) == 1, c["text"]


# ------------------------------------------------------------------ F. notes

def test_vt24_notes_left_of_body_with_rule(doc):
    checked = 0
    note_size = doc.layout["geometry"]["note_size_em"] * doc.em
    for p in doc.body_pages():
        if not p["notes"]["columns"]:
            continue
        page = doc.page(p["number"])
        body_left = min(c["x0"] for c in doc.body_chars(p["number"]))
        notes = [c for c in page.chars if abs(c["size"] - note_size) < 0.01 and c["fontname"].endswith("TateU")]
        assert notes
        assert max(c["x1"] for c in notes) <= body_left - doc.pitch + doc.em + 0.01
        assert max(c["x1"] for c in notes) <= body_left - doc.gap
        rules = [r for r in page.rects + page.lines if r["height"] > 10 * doc.em and r["width"] < 2]
        assert any(max(c["x1"] for c in notes) < r["x0"] < body_left for r in rules)
        checked += 1
    assert checked >= 2


# ------------------------------------------------------------------ G. heads

def test_vt26_folio_at_the_foot_outer_side(doc):
    for p in doc.layout["pages"]:
        page = doc.page(p["number"])
        folio = [c for c in page.chars if "TateH" in c["fontname"] and c["top"] > doc.ta(p["number"])["bottom"]]
        if not p["folio"]:
            assert not folio
            continue
        assert "".join(c["text"] for c in sorted(folio, key=lambda c: c["x0"])) == p["folio"]
        ta = doc.ta(p["number"])
        assert all(c["upright"] for c in folio)
        if p["number"] % 2:
            assert abs(min(c["x0"] for c in folio) - ta["left"]) <= 0.1 * doc.em
        else:
            assert abs(max(c["x1"] for c in folio) - ta["right"]) <= 0.1 * doc.em
        assert min(c["top"] for c in folio) >= ta["bottom"] + 0.9 * doc.em


def test_vt27_running_heads(doc):
    seen = 0
    for p in doc.layout["pages"]:
        ta = doc.ta(p["number"])
        head = [c for c in doc.page(p["number"]).chars if "TateH" in c["fontname"] and c["bottom"] < ta["top"]]
        text = "".join(c["text"] for c in sorted(head, key=lambda c: c["x0"]))
        if p["role"] in ("chapter-open", "blank") or not p["running_head"]:
            assert not head
            continue
        seen += 1
        assert text == p["running_head"]
        assert max(c["bottom"] for c in head) <= ta["top"] - 0.9 * doc.em
        if p["number"] % 2:
            assert abs(min(c["x0"] for c in head) - ta["left"]) <= 0.1 * doc.em
        else:
            assert abs(max(c["x1"] for c in head) - ta["right"]) <= 0.1 * doc.em
    assert seen >= 1


# ------------------------------------------------------------------ H. PDF level

def test_vt28_only_derived_faces(doc):
    for page in doc.pdf.pages:
        for c in page.chars:
            assert re.fullmatch(r"[A-Z]{6}\+BookbuildTate[UHB](-Bold)?", c["fontname"]), c["fontname"]
    log = json.loads((doc.pdf_path.parent / "print.log.json").read_text(encoding="utf-8"))
    assert not [d for d in log["diagnostics"] if d["code"] == "BB703"]


def test_vt30_raw_text_equals_layout_per_page(doc):
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(doc.pdf_path), "-"], capture_output=True,
                         text=True, check=True).stdout.split("\f")
    ws = re.compile(r"\s+")
    for p in doc.layout["pages"]:
        got = ws.sub("", raw[p["number"] - 1])
        want = ws.sub("", p["body"]["text"] + p["notes"]["text"])
        # heads come last in the content stream: running head, then folio
        for head in (p["folio"], p["running_head"]):
            if head:
                head = ws.sub("", head)
                assert got.endswith(head) or head in got, (p["number"], head)
                got = got[: got.rfind(head)] + got[got.rfind(head) + len(head):]
        assert got == want, p["number"]


def test_vt23_calls_right_of_the_column_on_the_cell_foot(doc):
    """By ink: pdfminer gives a zero-advance glyph on a turned page no usable box."""
    checked = 0
    for p in doc.body_pages():
        chars = doc.page(p["number"]).chars
        for i, c in enumerate(chars[1:-1], 1):
            cell, nxt = chars[i - 1], chars[i + 1]
            if not (c["text"].isdigit() and c["size"] < 0.01 and cell["size"] > 10 and nxt["size"] > 10
                    and abs(_xc(nxt) - _xc(cell)) < 0.1 * doc.em):
                continue     # only calls between two cells of one column
            # the gap right of the cell, short of the neighbour column (whose
            # sideways Latin may overhang its 1-em band a little)
            ink = ink_box(doc.pdf_path, p["number"],
                           (cell["x1"] + 0.01 * doc.em, cell["top"] - 0.6 * doc.em,
                            cell["x1"] + doc.gap - 0.1 * doc.em, cell["bottom"] + 0.3 * doc.em))
            assert ink is not None, (p["number"], c["text"])
            assert ink[2] - ink[0] <= 0.55 * doc.em, (p["number"], c["text"], ink)
            assert abs(ink[3] - cell["bottom"]) <= 0.1 * doc.em, (p["number"], cell["text"], ink, cell["bottom"])
            before = chars[i - 2]
            if (han_only(before["text"] + cell["text"] + nxt["text"], allow_empty=True)
                    and abs(_xc(before) - _xc(cell)) < 1):
                # the call takes no advance: the grid step is the same on both sides
                step = cell["top"] - before["top"]
                assert abs(nxt["top"] - cell["top"] - step) <= 0.01 * doc.em
            checked += 1
    assert checked >= 4
