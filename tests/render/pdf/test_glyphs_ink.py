"""Glyph rules checked by ink on the real print PDF (docs/VERTICAL-TYPOGRAPHY.md §1.1):
VT-09 (upright classes, ：； dots stacked along the column), VT-10 (brackets
in their vertical form, compared with the presentation forms) and VT-14
(Taiwan-style centred pause/stop marks).

Each page is rendered with pypdfium2 at 600 dpi; a cell is the pdfplumber
char box of the glyph (1 em × 1 em in the P frame); ink = luminance < 128.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest

from bookbuild import charclass as cc
from helpers.pdf import EPOCH, build_small_book, find_chars

DPI = 600
BRACKETS = "「」『』（）《》〈〉【】〔〕〖〗［］｛｝"
FORMS = dict(zip(BRACKETS, "\ufe41\ufe42\ufe43\ufe44\ufe35\ufe36\ufe3d\ufe3e\ufe3f\ufe40"
                           "\ufe3b\ufe3c\ufe39\ufe3a\ufe17\ufe18\ufe47\ufe48\ufe37\ufe38"))
CENTRED = "。，、．：；！？"

CHAPTER = """# 字形

甲「乙」丙『丁』戊（己）庚《辛》壬〈癸〉子【丑】寅〔卯〕辰〖巳〗午［未］申｛酉｝戌～亥。天，地、玄．黃：宇；宙！洪？荒。

城中軍民：守軍兵力不足兩萬；來犯的日軍先後投入四個師團，雙方兵力懸殊、誰也沒有料到。真的嗎？是的！怎麼會這樣！！真的嗎？！是。守城第47日，傷亡約30％，援軍8月才到。美國總統Roosevelt致電重慶。
"""

TOML = """[book]
title = "字形測試"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030202"
chapters = ["manuscript/01.md"]

[editions.print]
format = "pdf"
"""


@pytest.fixture(scope="module")
def ink(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp("ink"), extra={
            "book.toml": TOML, "manuscript/01.md": CHAPTER, "manuscript/02.md": "",
            "footnotes/01.md": ""})
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return Ink(out / "print.pdf")


class Ink:
    def __init__(self, path: Path):
        import pypdfium2 as pdfium
        self.path = path
        self.layout = json.loads(path.with_suffix(".layout.json").read_text(encoding="utf-8"))
        self.em = self.layout["geometry"]["font_size_pt"]
        self.plumber = pdfplumber.open(path)
        self.pdfium = pdfium.PdfDocument(str(path))
        self._img: dict[int, object] = {}

    def image(self, number: int):
        """The page at DPI, grey, P frame (top-down)."""
        if number not in self._img:
            self._img[number] = self.pdfium[number - 1].render(scale=DPI / 72).to_pil().convert("L")
        return self._img[number]

    def cells(self, text: str) -> list[tuple[int, dict]]:
        """(page, char) of every body cell drawing one of `text`'s characters."""
        out = []
        for p in self.layout["pages"]:
            if p["role"] not in ("body", "chapter-open"):
                continue
            for c in self.plumber.pages[p["number"] - 1].chars:
                if c["text"] in text and abs(c["size"] - self.em) < 0.01 and "TateU" in c["fontname"]:
                    out.append((p["number"], c))
        return out

    def mask(self, number: int, c: dict):
        """Ink mask of a cell (a PIL bilevel image) and its box in pt, cell-relative."""
        s = DPI / 72
        box = (round(c["x0"] * s), round(c["top"] * s), round(c["x1"] * s), round(c["bottom"] * s))
        m = self.image(number).crop(box).point(lambda v: 255 if v < 128 else 0)
        return m


def _bbox_pt(mask) -> tuple[float, float, float, float] | None:
    b = mask.getbbox()
    return None if b is None else tuple(v * 72 / DPI for v in b)


@pytest.fixture(scope="module")
def reference(ink, tmp_path_factory):
    """The body face's own rendering of the presentation forms (and of the
    horizontal brackets), upright, drawn by WeasyPrint and rasterized by
    pdfium like the book: ch -> cell mask.  The cell top is the ascent
    (0.88 em) above the baseline, as in the derived faces."""
    import pypdfium2 as pdfium
    from weasyprint import HTML

    chars = "".join(FORMS.values()) + BRACKETS
    path = tmp_path_factory.mktemp("ref") / "ref.pdf"
    HTML(string=f'<html><body style="margin:0"><p style="font-family:\'Noto Serif CJK TC\';'
                f'font-size:{ink.em}pt;line-height:2;margin:36pt;font-kerning:none">{chars}</p>'
                "</body></html>").write_pdf(path)
    page = pdfplumber.open(path).pages[0]
    img = pdfium.PdfDocument(str(path))[0].render(scale=DPI / 72).to_pil().convert("L")
    s, out = DPI / 72, {}
    for c in page.chars:
        x, base = c["matrix"][4], page.height - c["matrix"][5]
        top = base - 0.88 * ink.em
        box = (round(x * s), round(top * s), round((x + ink.em) * s), round((top + ink.em) * s))
        out[c["text"]] = img.crop(box).point(lambda v: 255 if v < 128 else 0)
    assert set(chars) <= set(out)
    return out


def _iou(a, b, reach: int = 2) -> float:
    """IoU of two ink masks with a one-pixel tolerance, at the best alignment
    (ink boxes' corners, then shifts of up to `reach` px).

    Why a tolerance: the brackets' hairlines are 2–4 px wide at 600 dpi, and
    one outline rasterized at two sub-pixel phases (a turned page vs an upright
    reference) differs by a pixel of stroke width, which alone drops a plain IoU
    to 0.75–0.99.  Here a pixel of one mask counts as shared when the other has
    ink within 1 px (0.12 pt); a horizontal bracket where a vertical one belongs
    still scores < 0.6 (test below)."""
    from PIL import Image, ImageChops, ImageFilter
    a, b = a.crop(a.getbbox()), b.crop(b.getbbox())
    w, h = max(a.width, b.width) + 2 * reach, max(a.height, b.height) + 2 * reach
    pa = Image.new("L", (w, h), 0)
    pa.paste(a, (reach, reach))
    da = pa.filter(ImageFilter.MaxFilter(3))
    na = pa.histogram()[255]
    best = 0.0
    for dx in range(2 * reach + 1):
        for dy in range(2 * reach + 1):
            pb = Image.new("L", (w, h), 0)
            pb.paste(b, (dx, dy))
            db = pb.filter(ImageFilter.MaxFilter(3))
            shared_a = ImageChops.multiply(pa, db).histogram()[255]
            shared_b = ImageChops.multiply(pb, da).histogram()[255]
            nb = pb.histogram()[255]
            missed = (na - shared_a) + (nb - shared_b)
            inter = (shared_a + shared_b) / 2
            best = max(best, inter / (inter + missed) if inter + missed else 0.0)
    return best


# ------------------------------------------------------------ VT-09

def test_vt09_upright_classes_in_the_derived_face(ink):
    checked = 0
    for p in ink.layout["pages"]:
        for c in ink.plumber.pages[p["number"] - 1].chars:
            if len(c["text"]) == 1 and cc.is_han(c["text"]):
                assert re.fullmatch(r"[A-Z]{6}\+BookbuildTate[UB](-Bold)?", c["fontname"]), c
                checked += 1
    assert checked > 50


def test_vt09_colon_and_semicolon_dots_stacked_along_the_column(ink):
    cells = ink.cells("：；")
    assert len(cells) >= 4
    for number, c in cells:
        box = _bbox_pt(ink.mask(number, c))
        assert box is not None
        w, h = box[2] - box[0], box[3] - box[1]
        assert h / w > 1.8, (c["text"], w, h)


# ------------------------------------------------------------ VT-10

def test_vt10_brackets_look_like_the_vertical_presentation_forms(ink, reference):
    size_px = round(ink.em * DPI / 72)
    seen, scores = set(), {}
    for number, c in ink.cells(BRACKETS):
        got = ink.mask(number, c)
        want = reference[FORMS[c["text"]]]
        score = _iou(got, want)
        scores[c["text"]] = round(score, 3)
        # and in the same place of the cell (± 0.1 em)
        g, r = _bbox_pt(got), _bbox_pt(want)
        for i in range(4):
            assert abs(g[i] - r[i]) <= 0.1 * ink.em, (c["text"], g, r)
        seen.add(c["text"])
    assert seen == set(BRACKETS), set(BRACKETS) - seen
    assert size_px > 80
    assert min(scores.values()) >= 0.9, scores


def test_vt10_text_layer_keeps_the_original_code_points(ink):
    import subprocess
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(ink.path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert all(ch in text for ch in BRACKETS)
    assert not re.search("[\ufe10-\ufe1f\ufe30-\ufe4f]", text)


def test_vt10_a_turned_horizontal_bracket_would_fail(ink, reference):
    """The comparison has teeth: the horizontal 「 (what a missing `vert` gives) scores low."""
    number, c = ink.cells("「")[0]
    got = ink.mask(number, c)
    assert _iou(got, reference["「"]) < 0.6


# ------------------------------------------------------------ VT-14

def test_vt14_pause_and_stop_marks_centred_in_their_cell(ink):
    seen = set()
    for number, c in ink.cells(CENTRED):
        box = _bbox_pt(ink.mask(number, c))
        assert box is not None
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        half_w, half_h = (c["x1"] - c["x0"]) / 2, (c["bottom"] - c["top"]) / 2
        assert abs(cx - half_w) <= 0.1 * ink.em and abs(cy - half_h) <= 0.1 * ink.em, (c["text"], cx, cy)
        seen.add(c["text"])
    assert seen == set(CENTRED), set(CENTRED) - seen


# ------------------------------------------------------------ VT-15 (stacked marks)

def test_vt15_stacked_marks_side_by_side_in_one_cell(ink):
    cells = [(n, c) for n, c in ink.cells({"！！", "？！"})]
    assert {c["text"] for _, c in cells} == {"！！", "？！"}
    for number, c in cells:
        assert abs(c["bottom"] - c["top"] - ink.em) <= 0.01 * ink.em      # one cell of advance
        mask = ink.mask(number, c)
        box = _bbox_pt(mask)
        # two upright marks next to each other across the column, inside the cell
        assert 0.3 * ink.em < box[2] - box[0] < ink.em and box[3] - box[1] > 0.5 * ink.em
        cols = [any(mask.getpixel((x, y)) for y in range(mask.height)) for x in range(mask.width)]
        runs = sum(1 for a, b in zip([False] + cols, cols) if b and not a)
        assert runs == 2, (c["text"], runs)


# ------------------------------------------------------------ VT-13 (tate-chu-yoko)

def test_vt13_tcy_runs_upright_in_one_centred_cell(ink):
    cells = [(n, c) for n, c in ink.cells({"47", "30", "8"})]
    assert {c["text"] for _, c in cells} == {"47", "30", "8"}    # one glyph, the digits as text
    for number, c in cells:
        assert abs(c["bottom"] - c["top"] - ink.em) <= 0.01 * ink.em      # 1 em of advance
        box = _bbox_pt(ink.mask(number, c))
        assert box[2] - box[0] <= ink.em
        assert abs((box[0] + box[2]) / 2 - (c["x1"] - c["x0"]) / 2) <= 0.05 * ink.em
        assert abs((box[1] + box[3]) / 2 - (c["bottom"] - c["top"]) / 2) <= 0.1 * ink.em
        if len(c["text"]) > 1:   # digits side by side across the column, not along it
            assert box[2] - box[0] > box[3] - box[1]


# ------------------------------------------------------------ VT-12 (sideways Latin)

def _run_mask(img, chars, s):
    x0, top = min(c["x0"] for c in chars), min(c["top"] for c in chars)
    x1, bottom = max(c["x1"] for c in chars), max(c["bottom"] for c in chars)
    box = (round(x0 * s), round(top * s), round(x1 * s), round(bottom * s))
    return img.crop(box).point(lambda v: 255 if v < 128 else 0), (x0, top, x1, bottom)


def test_vt12_latin_run_lies_turned_clockwise_centred_in_the_column(ink, tmp_path):
    """The run's raster equals the horizontal rendering turned 90° clockwise."""
    import pypdfium2 as pdfium
    from weasyprint import HTML

    number = next(p["number"] for p in ink.layout["pages"] if "Roosevelt" in p["body"]["text"])
    chars = ink.plumber.pages[number - 1].chars
    run = find_chars(chars, "Roosevelt")
    i = chars.index(run[0])
    assert "".join(c["text"] for c in run) == "Roosevelt" and not any(c["upright"] for c in run)
    s = DPI / 72
    got, (x0, top, x1, bottom) = _run_mask(ink.image(number), run, s)
    path = tmp_path / "latin.pdf"
    HTML(string=f'<p style="font-family:\'Noto Serif CJK TC\';font-size:{ink.em}pt;margin:36pt;'
                'font-kerning:none">Roosevelt</p>').write_pdf(path)
    ref_page = pdfplumber.open(path).pages[0]
    ref_img = pdfium.PdfDocument(str(path))[0].render(scale=s).to_pil().convert("L")
    want, _ = _run_mask(ref_img, ref_page.chars, s)
    assert _iou(got, want.rotate(-90, expand=True)) >= 0.9       # clockwise
    assert _iou(got, want.rotate(90, expand=True)) < 0.6        # not counter-clockwise
    # centred on the column axis (the cell centre of the Han characters around it)
    ink_box = _bbox_pt(got)
    han = chars[i - 1]
    centre = (han["x0"] + han["x1"]) / 2
    assert abs(x0 + (ink_box[0] + ink_box[2]) / 2 - centre) <= 0.15 * ink.em
    assert x0 + ink_box[0] >= han["x0"] - 0.01 and x0 + ink_box[2] <= han["x1"] + 0.01
