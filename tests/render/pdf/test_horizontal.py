"""A horizontal pdf edition (`writing = "horizontal"`) measured on the real PDF.

docs/FORMAT.md: in a horizontal pdf, read "column" as "line".  Same breaker
and paginator as the vertical edition, but no turn: lines run left → right
and stack top → bottom on a portrait page, notes sit at the page foot, the
gutter is on the left of odd pages (an ltr book), and every glyph comes from
the unrotated derived faces.  Positions come from the PDF (pdfplumber, pt,
top-down); layout.json only says what should be where.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from bookbuild.config import MM, EditionConfig
from bookbuild.render.pdf.layout.frame import Frame
from helpers.books import PRINT_HORIZONTAL_EDITION, PRINT_TOML
from helpers.pdf import EPOCH, build_small_book, find_chars, han_only, ink_box

CHAPTER3 = """# 數字

一九四四年即1944年，衡陽在8月7日失守，B-29轟炸機也沒有再來[守軍的最後一份電報至今仍有爭議，原文有數種版本]{.aside}。這一段文字只為了讓本章多出幾行，好看看每一行的行尾是否都對齊在版心的右緣，而段落的最後一行則靠左對齊、長短不一。

城破以後，倖存的官兵被集中看管，其中一部分人後來設法逃出，輾轉回到後方，向重慶報告了守城的經過。

一九四四年夏天，美國陸軍第十四航空隊的飛機每天出動Fourteenth Air Force的轟炸機也從桂林起飛，支援守城的部隊。
"""

EDITION = PRINT_HORIZONTAL_EDITION

TOML = PRINT_TOML.replace('  "manuscript/02.md",\n', '  "manuscript/02.md",\n  "manuscript/03.md",\n') + EDITION


def _edition() -> EditionConfig:
    return EditionConfig(name="print-h", format="pdf", writing="horizontal", chars_per_column=30,
                         columns_per_page=24, note_chars_per_column=36, margin_head=25, margin_gutter=20)


@pytest.fixture(scope="module")
def hdoc(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp("pdfh"), edition="print-h",
                                      extra={"book.toml": TOML, "manuscript/03.md": CHAPTER3})
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return HDoc(out)


class HDoc:
    def __init__(self, out: Path):
        self.pdf_path = out / "print-h.pdf"
        self.layout = json.loads((out / "print-h.layout.json").read_text(encoding="utf-8"))
        g = self.layout["geometry"]
        self.em = g["font_size_pt"]
        self.note_size = g["note_size_em"] * self.em
        self.pitch = g["pitch_em"] * self.em
        self.pdf = pdfplumber.open(self.pdf_path)
        self.frame = Frame.of(_edition())

    def ta(self, number: int) -> dict:
        return self.frame.ta_p(number % 2 == 1)

    def chars(self, number: int) -> list[dict]:
        return self.pdf.pages[number - 1].chars

    def body_pages(self) -> list[dict]:
        return [p for p in self.layout["pages"] if p["role"] in ("body", "chapter-open")]


def _lines(doc: HDoc):
    """(page, layout line, its PDF chars) for every plain body line, found in content order."""
    for p in doc.body_pages():
        chars = doc.chars(p["number"])
        for col in p["body"]["columns"]:
            if col["role"] == "body" and han_only(col["text"]):
                cells = find_chars(chars, col["text"])
                if all(abs(c["size"] - doc.em) < 0.01 for c in cells):    # no 割注 inside
                    yield p["number"], col, cells


def test_hyphenated_word_ends_its_line_with_a_drawn_hyphen(hdoc):
    """VT-12a: "Fourteenth" pushed out of a line that would be loose breaks as
    Four-|teenth: the drawn hyphen ends the line flush with the type area,
    the next line starts with "teenth" at the left edge, and the page's text
    (what pdftotext gives) has the hyphen while the column's own text does not."""
    found = 0
    for p in hdoc.body_pages():
        cols = p["body"]["columns"]
        for col, nxt in zip(cols, cols[1:]):
            if not col["hyphen"]:
                continue
            assert col["text"].endswith("出動Four") and nxt["text"].startswith("teenth Air")
            assert col["spacing_em"] <= 0.1 and "Four-\nteenth" in p["body"]["text"]
            chars, ta = hdoc.chars(p["number"]), hdoc.ta(p["number"])
            four, teen = find_chars(chars, "Four-"), find_chars(chars, "teenth")
            assert abs(four[-1]["x1"] - ta["right"]) <= 0.05 * hdoc.em, four[-1]
            assert four[-1]["x0"] - four[-2]["x1"] <= 0.05 * hdoc.em      # "-" right after "r"
            assert abs(teen[0]["x0"] - ta["left"]) <= 0.05 * hdoc.em
            assert abs(teen[0]["top"] - four[0]["top"] - hdoc.pitch) <= 0.05 * hdoc.em
            found += 1
    assert found == 1


def test_pages_portrait_unturned_ltr(hdoc):
    pw, ph = _edition().page_size_pt()
    with pikepdf.open(hdoc.pdf_path) as pdf:
        assert str(pdf.Root.Lang) == "zh-Hant-TW"
        assert pdf.Root.ViewerPreferences.get("/Direction", pikepdf.Name.L2R) == pikepdf.Name.L2R
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            assert abs((x1 - x0) - pw) < 0.5 and abs((y1 - y0) - ph) < 0.5
            assert int(page.obj.get("/Rotate", 0)) == 0


def test_lines_horizontal_on_a_grid_of_cells(hdoc):
    checked = 0
    for number, col, cells in _lines(hdoc):
        tops = {round(c["top"], 2) for c in cells}
        assert max(tops) - min(tops) <= 0.01 * hdoc.em, (number, col["text"])
        assert all(c["upright"] for c in cells)
        step = hdoc.em * (1 + col["spacing_em"])
        for a, b in zip(cells, cells[1:]):
            assert abs(b["x0"] - a["x0"] - step) <= 0.01 * hdoc.em, (number, col["text"])
        ta = hdoc.ta(number)
        k = (cells[0]["top"] - ta["top"]) / hdoc.pitch     # lines on the pitch grid from TA.top
        assert abs(k - round(k)) * hdoc.pitch <= 0.05 * hdoc.em, (number, col["text"], k)
        checked += 1
    assert checked > 20


def test_line_ends_flush_except_paragraph_last(hdoc):
    flush = ragged = 0
    for number, col, cells in _lines(hdoc):
        right = hdoc.ta(number)["right"]
        if col["last_of_paragraph"]:
            assert cells[-1]["x1"] <= right + 0.05 * hdoc.em
            ragged += abs(cells[-1]["x1"] - right) > 0.5 * hdoc.em
        else:
            assert abs(cells[-1]["x1"] - right) <= 0.05 * hdoc.em, (number, col["text"])
            flush += 1
    assert flush > 15 and ragged >= 3


def test_first_line_indent_two_em_and_gutter_on_the_binding_side(hdoc):
    gutter = 20 * MM
    width = hdoc.pdf.pages[0].width
    firsts = 0
    for number, col, cells in _lines(hdoc):
        ta = hdoc.ta(number)
        want = ta["left"] + (2 * hdoc.em if col["first_of_paragraph"] else 0.0)
        assert abs(cells[0]["x0"] - want) <= 0.05 * hdoc.em, (number, col["text"])
        firsts += col["first_of_paragraph"]
        # ltr book: odd pages (rectos) bound on the left, even pages on the right
        if number % 2:
            assert abs(ta["left"] - gutter) <= 0.5
        else:
            assert abs(width - ta["right"] - gutter) <= 0.5
    assert firsts >= 4


def test_notes_at_the_page_foot_below_a_rule(hdoc):
    checked = 0
    for p in hdoc.body_pages():
        if not p["notes"]["columns"]:
            continue
        page = hdoc.pdf.pages[p["number"] - 1]
        body = [c for c in page.chars if abs(c["size"] - hdoc.em) < 0.01 and "TateH" in c["fontname"]
                and c["top"] < hdoc.ta(p["number"])["bottom"]]
        notes = [c for c in page.chars if abs(c["size"] - hdoc.note_size) < 0.01]
        assert notes and body
        body_bottom = max(c["bottom"] for c in body)
        note_top = min(c["top"] for c in notes)
        assert note_top >= body_bottom + hdoc.pitch - hdoc.em - 0.01     # ≥ one pitch between lines
        rules = [r for r in page.rects + page.lines if r["width"] > 10 * hdoc.em and r["height"] < 2]
        assert any(body_bottom < r["top"] < note_top for r in rules), p["number"]
        checked += 1
    assert checked >= 3


def test_only_the_unrotated_derived_faces(hdoc):
    rows = subprocess.run(["pdffonts", str(hdoc.pdf_path)], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name = row.split()[0]
        assert re.fullmatch(r"[A-Z]{6}\+BookbuildTateH(B-Bold)?", name), row
        assert "CID" in row and re.search(r"\byes\s+yes\s+yes\b", row), row
    for page in hdoc.pdf.pages:
        assert all(c["upright"] for c in page.chars)


def test_headings_in_the_bold_horizontal_face(hdoc):
    heads = [c for page in hdoc.pdf.pages for c in page.chars if "TateHB" in c["fontname"]]
    text = "".join(c["text"] for c in heads)
    assert "圍城" in text and "外圍" in text and "數字" in text
    assert all(c["size"] > 1.05 * hdoc.em for c in heads)


def test_text_layer_equals_layout_per_page(hdoc):
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(hdoc.pdf_path), "-"], capture_output=True,
                         text=True, check=True).stdout.split("\f")
    ws = re.compile(r"\s+")
    for p in hdoc.layout["pages"]:
        got = ws.sub("", raw[p["number"] - 1])
        for head in (p["folio"], p["running_head"]):     # drawn last: running head, then folio
            if head:
                head = ws.sub("", head)
                assert got.endswith(head), (p["number"], head)
                got = got[: -len(head)]
        assert got == ws.sub("", p["body"]["text"] + p["notes"]["text"]), p["number"]


def test_digits_as_typed_no_tcy(hdoc):
    spans = [s for p in hdoc.layout["pages"] for s in p["spans"]]
    assert not [s for s in spans if s["kind"] in ("tcy", "upright")]
    for number in (p["number"] for p in hdoc.body_pages()):
        chars = hdoc.chars(number)
        text = "".join(c["text"] for c in chars)
        i = text.find("1944年")
        if i >= 0:
            digits = chars[i:i + 4]
            assert all(c["upright"] and c["x1"] - c["x0"] < 0.7 * hdoc.em for c in digits)
            assert len({round(c["top"], 1) for c in digits}) == 1
            return
    raise AssertionError("1944年 not found")


def test_folio_and_running_head_on_the_outer_side(hdoc):
    seen = 0
    for p in hdoc.layout["pages"]:
        ta = hdoc.ta(p["number"])
        chars = hdoc.chars(p["number"])
        folio = [c for c in chars if c["top"] > ta["bottom"] + 0.5 * hdoc.em]
        head = [c for c in chars if c["bottom"] < ta["top"]]
        assert "".join(c["text"] for c in folio) == (p["folio"] or "")
        assert "".join(c["text"] for c in head) == (p["running_head"] or "")
        for group in (folio, head):
            if not group:
                continue
            if p["number"] % 2:    # recto: outer side is the right
                assert abs(max(c["x1"] for c in group) - ta["right"]) <= 0.1 * hdoc.em
            else:
                assert abs(min(c["x0"] for c in group) - ta["left"]) <= 0.1 * hdoc.em
            seen += 1
        if folio:
            assert min(c["top"] for c in folio) >= ta["bottom"] + 0.9 * hdoc.em
        if head:
            assert max(c["bottom"] for c in head) <= ta["top"] - 0.9 * hdoc.em
    assert seen > 8


def test_note_calls_raised_over_the_end_of_their_cell(hdoc):
    """The call takes no advance: it sits in the line gap above the cell it follows."""
    checked = 0
    gap = hdoc.pitch - hdoc.em
    for p in hdoc.body_pages():
        chars = hdoc.chars(p["number"])
        for i in range(1, len(chars) - 1):
            c, cell, nxt = chars[i], chars[i - 1], chars[i + 1]
            if not (c["text"].isdigit() and abs(c["size"] - hdoc.em / 2) < 0.01 and cell["size"] == hdoc.em
                    and nxt["size"] == hdoc.em and abs(nxt["top"] - cell["top"]) < 0.01):
                continue
            assert nxt["x0"] - cell["x1"] < 0.3 * hdoc.em      # the call took no advance
            ink = ink_box(hdoc.pdf_path, p["number"], (cell["x0"], cell["top"] - gap, cell["x1"] + 0.02 * hdoc.em,
                                                    cell["top"] + 0.02 * hdoc.em))
            assert ink is not None, (p["number"], cell["text"])
            assert ink[2] <= cell["x1"] + 0.05 * hdoc.em and ink[2] - ink[0] <= 0.55 * hdoc.em
            assert ink[3] <= cell["top"] + 0.12 * hdoc.em and ink[1] >= cell["top"] - gap - 0.01
            checked += 1
    assert checked >= 4


def test_horizontal_edition_honours_only_chinese_numerals():
    from bookbuild.render.pdf.layout.textprep import TextPrep
    for numerals, want in (("tcy", "1944"), ("upright", "1944"), ("chinese", "一九四四")):
        ed = EditionConfig(name="h", format="pdf", writing="horizontal", numerals=numerals)
        prep = TextPrep(ed)
        assert prep.latin_kind("12") == "sideways" and prep.latin_kind("OSS") == "sideways"
        assert want in prep.normalize("1944年")
