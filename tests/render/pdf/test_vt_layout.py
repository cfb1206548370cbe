"""Layout VT rules measured on the real print PDF (docs/VERTICAL-TYPOGRAPHY.md):
VT-07, VT-08, VT-15–19, VT-23 (a call that opens a paragraph), VT-24 (rule
beside the band), VT-25, VT-30 (pdfplumber and EPUB comparisons).

One small book, built twice: `print` (kinsoku basic, hanging off) and
`strict` (kinsoku strict, hanging on).  Its third chapter is generated text
dense in punctuation, so push-outs happen on every page, plus a paragraph
that cannot be broken without an exception (BB702).  Positions come from the
PDF; layout.json says what should be where and where each column comes from.
"""
from __future__ import annotations

import json
import random
import re
import subprocess
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from bookbuild import charclass as cc
from bookbuild.config import EditionConfig
from bookbuild.render.pdf.layout.frame import Frame
from helpers.books import PRINT_CHAPTER1, PRINT_CHAPTER2, PRINT_NOTES
from helpers.pdf import EPOCH, build_small_book, find_chars, ink_box

HAN = ("天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽雲騰致雨露結為霜"
       "金生麗水玉出崑岡劍號巨闕珠稱夜光果珍李柰菜重芥薑海鹹河淡")
WRAPS = (("「", "」", 0.15), ("（", "）", 0.08), ("『", "』", 0.06), ("《", "》", 0.05), ("〈", "〉", 0.04))


def generated_chapter(seed: int = 7, paragraphs: int = 14) -> str:
    """Clauses of 2–9 Han chars, often bracketed, each ending in a mark;
    dashes and ellipses between some clauses (deterministic)."""
    rnd = random.Random(seed)
    out = ["# 標點\n"]
    for _ in range(paragraphs):
        clauses = []
        for _ in range(rnd.randint(6, 22)):
            c = "".join(rnd.choice(HAN) for _ in range(rnd.randint(2, 9)))
            for o, e, p in WRAPS:
                if rnd.random() < p:
                    c = o + c + e
                    break
            r = rnd.random()
            c += "——" if r < 0.05 else "……" if r < 0.10 else rnd.choice("，，，、。。；：！？")
            clauses.append(c)
        out.append("".join(clauses) + "\n")
    out.append("數量約為30％，時在8～9月之間，又見〈篇名〉與陳·約翰之名。怎麼會這樣！！真的嗎？！\n")
    out.append("話已說完" + "」" * 44 + "。\n")
    out.append("守軍奉命*死守到底*[^n9]，無人後退，事見[戰史叢書]{.title}與[一號作戰]{.title}的記載。\n")
    # "Fourteenth" lands at the first column's foot and breaks Four-|teenth (VT-12a)
    out.append("一九四四年夏天，美國陸軍第十四航空隊的飛機每天都從桂林機場出動，Fourteenth Air Force的"
               "轟炸機也從桂林起飛，支援守城的部隊。\n")
    # words in capitals are never hyphenated (VT-12a): a loose column (BB701) stays
    out.append("他在筆記裏抄下了Pneumonoultramicroscopicsilicovolcanoconiosis這個詞，又抄下了"
               "ANTIDISESTABLISHMENTARIANISM與FLOCCINAUCINIHILIPILIFICATION兩個詞。\n")
    out.append("城外的山頭上始終沒有出現援軍的旗幟，守軍只能等待[這是一段夾在正文中的雙行小注，用來檢查割注的兩個半字行與"
               "括號，寫得長一些，好讓它跨過一行的行尾，接到下一行的行首繼續排下去]{.aside}，援軍始終沒有出現。[^n8]\n")
    return "\n".join(out)


TOML = """[book]
title = "衡陽測試本"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
publisher = "測試書房"
chapters = ["manuscript/01.md", "manuscript/02.md", "manuscript/03.md"]

[editions.print]
format = "pdf"

[editions.strict]
format = "pdf"
kinsoku = "strict"
hanging = true
title_marks = "wavy"

[editions.epub]
format = "epub"
"""

FILES = {"book.toml": TOML, "manuscript/01.md": PRINT_CHAPTER1, "manuscript/02.md": PRINT_CHAPTER2,
         "manuscript/03.md": generated_chapter(),
         "footnotes/01.md": PRINT_NOTES + "\n[^n8]: 援軍的去向，見第十軍的戰鬥詳報。\n\n[^n9]: 軍令原文已佚。\n"}


def build(root: Path, edition: str):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(root, extra=FILES, edition=edition)
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return Doc(out, edition)


@pytest.fixture(scope="module", params=["print", "strict"])
def doc(request, tmp_path_factory):
    return build(tmp_path_factory.mktemp(request.param), request.param)


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    return build(tmp_path_factory.mktemp("basic"), "print")


class Doc:
    """The PDF, its layout.json and log.json; PDF columns matched to layout columns."""

    def __init__(self, out: Path, edition: str):
        self.out, self.edition = out, edition
        self.pdf_path = out / f"{edition}.pdf"
        self.layout = json.loads((out / f"{edition}.layout.json").read_text(encoding="utf-8"))
        self.log = json.loads((out / f"{edition}.log.json").read_text(encoding="utf-8"))["diagnostics"]
        g = self.layout["geometry"]
        self.em, self.pitch, self.n = g["font_size_pt"], g["pitch_em"] * g["font_size_pt"], g["chars_per_column"]
        self.pdf = pdfplumber.open(self.pdf_path)
        ed = EditionConfig(name=edition, format="pdf", kinsoku="strict" if edition == "strict" else "basic")
        self.frame, self.level = Frame.of(ed), ed.kinsoku
        self._cols: dict[int, list] = {}

    def ta(self, number: int) -> dict:
        return self.frame.ta_p(number % 2 == 1)

    def body_pages(self) -> list[dict]:
        return [p for p in self.layout["pages"] if p["role"] in ("body", "chapter-open")]

    def grid_k(self, number: int, c: dict) -> float:
        return (self.ta(number)["right"] - 0.5 * self.em - (c["x0"] + c["x1"]) / 2) / self.pitch

    def columns(self, number: int) -> list[tuple[dict, list[dict]]]:
        """(layout column, its PDF chars in content order) for every body/quote
        column of a page; PDF chars are grouped by grid slot, calls left out."""
        if number not in self._cols:
            page = next(p for p in self.layout["pages"] if p["number"] == number)
            chars = [c for c in self.pdf.pages[number - 1].chars
                     if "TateU" in c["fontname"] and c["size"] > 0.01]     # calls: zero size
            by_k: dict[int, list] = {}
            for c in chars:
                if c["top"] < self.ta(number)["bottom"] + 2 * self.em:      # not the folio
                    by_k.setdefault(round(self.grid_k(number, c)), []).append(c)
            lay = [c for c in page["body"]["columns"] if c["role"] in ("body", "quote") and c["text"]]
            out = []
            for col in lay:
                k = round((col["x_em"] - 0.5) / (self.pitch / self.em))
                out.append((col, by_k.get(k, [])))
            self._cols[number] = out
        return self._cols[number]

    def calls(self, number: int) -> list[tuple[int, str]]:
        page = next(p for p in self.layout["pages"] if p["number"] == number)
        return [(s["offset"], s["text"]) for s in page["spans"] if s["kind"] == "call"]

    def bb702(self) -> set[tuple[str, int, int]]:
        return {(d["file"], d["line"], d["column"]) for d in self.log if d["code"] == "BB702"}


def _text(chars: list[dict]) -> str:
    return "".join(c["text"] for c in chars)


def _without_calls(doc: Doc, number: int, col: dict, hyphen: bool = True) -> str:
    """Layout column text without its note calls (drawn as zero-size glyphs),
    with the hyphen drawn after a hyphenated word (VT-12a; not in the stream)
    unless `hyphen` is false (the author's words, as the EPUB has them)."""
    calls = doc.calls(number)
    text = []
    skip = set()
    for o, t in calls:
        skip.update(range(o, o + len(t)))
    for start, length in col["pieces"]:
        for i in range(length):
            if start + i not in skip:
                text.append(doc.layout["text"][start + i])
    return "".join(text) + ("-" if col["hyphen"] and hyphen else "")


def _src(col: dict):
    if not col["src"]:
        return None
    file, line, c = col["src"].rsplit(":", 2)
    return file, int(line), int(c)


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


# ------------------------------------------------------------ matching

def test_pdf_columns_are_the_layout_columns(doc):
    checked = 0
    for p in doc.body_pages():
        for col, chars in doc.columns(p["number"]):
            assert _text(chars) == _without_calls(doc, p["number"], col), (doc.edition, p["number"], col["text"])
            checked += 1
    assert checked > 60


# ------------------------------------------------------------ VT-07

def test_vt07_last_column_two_chars_no_lone_last_column_at_page_head(doc):
    ncols: dict[int, int] = {}
    for p in doc.layout["pages"]:
        for c in p["body"]["columns"]:
            ncols[c["block"]] = ncols.get(c["block"], 0) + 1
    lasts = 0
    for p in doc.body_pages():
        cols = doc.columns(p["number"])
        for col, chars in cols:
            if col["last_of_paragraph"] and ncols[col["block"]] >= 2 and col["role"] in ("body", "quote") \
                    and not re.fullmatch(r"[」。]+", col["text"]):      # the BB702 paragraph: marks only
                content = sum(1 for c in chars for ch in c["text"] if not _is_punct(ch))
                assert content >= 2, (doc.edition, p["number"], _text(chars))
                lasts += 1
        first = p["body"]["columns"][0]
        assert not (first["last_of_paragraph"] and not first["first_of_paragraph"]), (doc.edition, p["number"])
    assert lasts >= 15


# ------------------------------------------------------------ VT-08

def test_vt08_headings_on_the_grid_indented_bold_never_last(basic):
    doc, seen = basic, 0
    indent = {"heading1": 2.0, "heading2": 4.0, "heading3": 6.0}
    size = {"heading1": 1.2, "heading2": 1.15, "heading3": 1.1}
    for p in doc.body_pages():
        n = p["number"]
        ta = doc.ta(n)
        chars = [c for c in doc.pdf.pages[n - 1].chars if "TateB" in c["fontname"]]
        body_k = [doc.grid_k(n, c) for c in doc.pdf.pages[n - 1].chars
                  if "TateU" in c["fontname"] and abs(c["size"] - doc.em) < 0.01]
        for col in p["body"]["columns"]:
            if col["role"] not in indent:
                continue
            centre = ta["right"] - col["x_em"] * doc.em
            mine = [c for c in chars if abs((c["x0"] + c["x1"]) / 2 - centre) < 0.3 * doc.em]
            assert _text(mine) == col["text"]
            assert all(abs(c["size"] / doc.em - size[col["role"]]) < 0.01 for c in mine)
            assert 1.1 - 1e-6 <= size[col["role"]] <= 1.2 + 1e-6
            k = doc.grid_k(n, mine[0])
            assert min(abs(k - round(k)), abs(k - round(k - 0.5) - 0.5)) * doc.pitch <= 0.05 * doc.em
            assert abs(mine[0]["top"] - ta["top"] - indent[col["role"]] * doc.em) <= 0.05 * doc.em, col["text"]
            assert body_k and k < max(body_k), (n, col["text"])      # never the leftmost column
            seen += 1
    assert seen >= 4


# ------------------------------------------------------------ VT-15

def _plain_columns(doc: Doc):
    for p in doc.body_pages():
        for col, chars in doc.columns(p["number"]):
            if chars and all(c["size"] > 0.99 * doc.em for c in chars):    # no 割注, no note
                yield p["number"], col, sorted(chars, key=lambda c: c["top"])


def test_vt15_punctuation_takes_full_cells(basic):
    doc = basic
    marks = set("。，、；：！？「」『』（）《》〈〉·～") | {"！！", "？！"}     # stacked: one 1-em glyph
    widths = {}
    for number, col, chars in _plain_columns(doc):
        s = col["spacing_em"] * doc.em
        for a, b in zip(chars, chars[1:] + [None]):
            units = 2 if a["text"] in ("——", "……") else 1
            if a["text"] in marks or units == 2:
                # the glyph's advance along the column is its box height on the turned page
                assert abs(a["bottom"] - a["top"] - units * doc.em) <= 0.01 * doc.em, (number, a["text"])
                if b is not None:
                    assert abs(b["top"] - a["top"] - units * doc.em - s) <= 0.01 * doc.em, (number, a["text"])
                widths.setdefault(a["text"], 0)
                widths[a["text"]] += 1
    assert {"，", "。", "、", "「", "」", "（", "——", "……", "～", "·", "！！", "？！"} <= set(widths), widths


# ------------------------------------------------------------ VT-16, 17, 19

def _violations(doc: Doc):
    """(number, column, kind) for every column break that breaks VT-16/17."""
    start, end = cc.START_PROHIBITED[doc.level], cc.END_PROHIBITED_BY_LEVEL[doc.level]
    for p in doc.body_pages():
        for col, chars in doc.columns(p["number"]):
            text = _text(sorted(chars, key=lambda c: c["top"]))
            if not text:
                continue
            if not col["first_of_paragraph"] and text[0] in start:
                yield p["number"], col, "start"
            if not col["last_of_paragraph"] and text[-1] in end:
                yield p["number"], col, "end"


def test_vt16_vt17_kinsoku_holds_or_is_reported(doc):
    bad = list(_violations(doc))
    logged = doc.bb702()
    for number, col, kind in bad:
        assert _src(col) in logged, (doc.edition, number, kind, col["text"][:10])
    # only the paragraph built to be unbreakable needs an exception
    assert bad and all("」」」" in col["text"] for _, col, _ in bad)
    heads = [c["text"][0] for p in doc.body_pages() for c, _ in doc.columns(p["number"])
             if not c["first_of_paragraph"]]
    assert len(heads) > 40


def test_vt16_strict_keeps_dashes_and_ellipses_off_the_head(doc):
    if doc.level != "strict":
        pytest.skip("strict edition only")
    for p in doc.body_pages():
        for col, chars in doc.columns(p["number"]):
            text = _text(sorted(chars, key=lambda c: c["top"]))
            if text and not col["first_of_paragraph"]:
                assert text[0] not in "—…⸺⋯", (p["number"], text[:6])


def test_vt19_hanging_only_when_enabled(doc):
    hung = 0
    for p in doc.body_pages():
        bottom = doc.ta(p["number"])["bottom"]
        for _col, chars in doc.columns(p["number"]):
            for c in chars:
                beyond = c["bottom"] - bottom
                if doc.edition == "strict":
                    assert beyond <= 1.05 * doc.em
                    if beyond > 0.05 * doc.em:
                        assert c["text"] in "。，、" and c is max(chars, key=lambda x: x["bottom"])
                        hung += 1
                else:
                    assert beyond <= 0.05 * doc.em, (p["number"], c["text"])
    assert doc.edition != "strict" or hung >= 1


# ------------------------------------------------------------ VT-06 (log)

def test_vt12a_hyphen_drawn_at_the_column_foot(doc):
    """VT-12a in a vertical edition: the long lowercase word that would leave
    a loose column breaks at a hyphenation point; the PDF column ends with the
    drawn "-" flush with the type area's foot, and the next column goes on with
    the rest of the word (layout.json's column text has no hyphen, the page's has)."""
    found = 0
    for p in doc.body_pages():
        cols = doc.columns(p["number"])
        for (col, chars), (nxt, _) in zip(cols, cols[1:]):
            if not col["hyphen"]:
                continue
            assert col["text"][-1].isalpha() and nxt["text"][:1].isalpha()
            assert _text(chars).endswith(col["text"][-4:] + "-"), _text(chars)[-12:]
            assert col["text"] + "-\n" + nxt["text"] in p["body"]["text"]
            assert abs(chars[-1]["bottom"] - doc.ta(p["number"])["bottom"]) <= 0.1 * doc.em
            found += 1
    assert found >= 1


def test_vt06_every_loose_column_is_logged_bb701(doc):
    logged = {(d["file"], d["line"], d["column"]) for d in doc.log if d["code"] == "BB701"}
    loose = [(p["number"], c) for p in doc.layout["pages"] for c in p["body"]["columns"] + p["notes"]["columns"]
             if c["spacing_em"] > 0.1 + 1e-6]
    assert loose or doc.edition == "strict", "the long Latin words make a loose column"
    for number, col in loose:
        assert _src(col) in logged, (doc.edition, number, col["text"][:12])


# ------------------------------------------------------------ VT-18

def test_vt18_unbreakable_sequences_stay_in_one_column(doc):
    checked = 0
    for p in doc.body_pages():
        cols = doc.columns(p["number"])
        texts = [_text(sorted(chars, key=lambda c: (c["top"], -c["x0"]))) for _, chars in cols]
        for t in texts:
            assert not re.match(r"^[—…](?![—…])", t) and not re.search(r"(?<![—…])[—…]$", t), t
        for s in p["spans"]:
            if s["kind"] in ("pair", "tcy", "sideways") and any(
                    a <= s["offset"] < a + n for c, _ in cols for a, n in c["pieces"]):     # body spans
                assert any(s["text"] in t for t in texts), (doc.edition, p["number"], s)
                checked += 1
    assert checked >= 10
    joined = "".join(_text(c) for p in doc.body_pages() for _, c in doc.columns(p["number"]))
    assert "30％" in joined and "8～9" in joined


def test_vt18_vt23_paragraph_opening_call_follows_its_first_char(basic):
    """[@chiang, …]蔣中正…: the generated call goes right of 蔣, never at a column head."""
    doc = basic
    for p in doc.body_pages():
        for col in p["body"]["columns"]:
            if "中正在日記中屢次" in col["text"]:
                assert re.match(r"蔣[0-9]+中正", col["text"]), col["text"]
                i = col["text"].index("中")
                call = col["text"][1:i]
                assert (col["offset"] + 1, call) in doc.calls(p["number"])
                assert doc.layout["text"][col["offset"]:col["offset"] + i + 1] == col["text"][:i + 1]
                return
    raise AssertionError("paragraph opening with a citation not found")


# ------------------------------------------------------------ VT-21

def test_vt21_title_marks_brackets_or_wavy_lines(doc):
    """print: type B (《》 added once, no curves); strict: type A, a wavy line left
    of each title covering it."""
    for p in doc.body_pages():
        page = doc.pdf.pages[p["number"] - 1]
        chars = [c for c in page.chars if c["size"] > 0.01]
        if "事見" not in _text(chars):
            continue
        assert "《《" not in _text(chars) and "〈〈" not in _text(chars)
        waves = [o for o in page.curves if o["height"] > doc.em and o["x0"] > doc.ta(p["number"])["left"]]
        if doc.edition == "print":
            assert "《戰史叢書》與《一號作戰》" in _text(chars)
            assert not [w for w in waves if w["top"] < doc.ta(p["number"])["bottom"] and w["height"] < 20 * doc.em]
            return
        for title in ("戰史叢書", "一號作戰"):
            cells = find_chars(chars, title)
            left = cells[0]["x0"]
            mine = [w for w in waves if left - 0.5 * (doc.pitch - doc.em) < w["x0"] and w["x1"] <= left + 0.01
                    and w["top"] <= cells[0]["top"] + 0.1 * doc.em and w["bottom"] >= cells[-1]["bottom"] - 0.1 * doc.em
                    and abs(w["top"] - cells[0]["top"]) <= 0.1 * doc.em + 0.01]
            assert len(mine) == 1, (title, len(mine))
            # a wave, not a straight line: its ink (pdfplumber gives the path's end points only)
            w = mine[0]
            ink = ink_box(doc.pdf_path, p["number"], (w["x0"] - 0.2 * doc.em, w["top"], w["x0"] + 0.2 * doc.em,
                                                        w["bottom"]))
            assert ink is not None and ink[2] - ink[0] >= 0.05 * doc.em, (title, ink)
        return
    raise AssertionError("title not found")


# ------------------------------------------------------------ VT-22

def test_vt22_no_emphasis_dot_on_a_char_carrying_a_call(basic):
    """*死守到底*[^n9]: a dot right of 死, 守, 到, none right of 底 (it carries the call)."""
    doc = basic
    for p in doc.body_pages():
        page = doc.pdf.pages[p["number"] - 1]
        chars = [c for c in page.chars if c["size"] > 0.01]
        text = _text(chars)
        if "死守到底" not in text:
            continue
        cells = find_chars(chars, "死守到底")
        dots = [o for o in page.curves + page.rects if o["height"] < 0.3 * doc.em and o["width"] < 0.3 * doc.em]
        for c, want in zip(cells, (1, 1, 1, 0)):
            yc = (c["top"] + c["bottom"]) / 2
            near = [d for d in dots if abs((d["top"] + d["bottom"]) / 2 - yc) <= 0.05 * doc.em
                    and c["x1"] <= d["x0"] < c["x1"] + 0.5 * (doc.pitch - doc.em)]
            assert len(near) == want, (c["text"], len(near))
        return
    raise AssertionError("死守到底 not found")


# ------------------------------------------------------------ VT-24

def test_vt24_rule_beside_the_band_not_mid_page(basic):
    doc, checked = basic, 0
    note = doc.layout["geometry"]["note_size_em"] * doc.em
    for p in doc.body_pages():
        if not p["notes"]["columns"]:
            continue
        page = doc.pdf.pages[p["number"] - 1]
        notes = [c for c in page.chars if abs(c["size"] - note) < 0.01]
        body_left = min(c["x0"] for c in page.chars if abs(c["size"] - doc.em) < 0.01 and "TateU" in c["fontname"])
        band_right = max(c["x1"] for c in notes)
        rules = [r for r in page.rects + page.lines if r["height"] > 10 * doc.em and r["width"] < 2]
        assert len(rules) == 1
        x = rules[0]["x0"]
        assert band_right < x < body_left
        # half a body pitch from the notes' column, whatever the body leaves empty
        assert x - band_right <= doc.pitch, (p["number"], x - band_right)
        checked += 1
    assert checked >= 3


# ------------------------------------------------------------ VT-25

def test_vt25_warichu_half_size_two_subcolumns_right_first(basic):
    doc, checked, brackets = basic, 0, 0
    for p in doc.body_pages():
        n = p["number"]
        chars = doc.pdf.pages[n - 1].chars
        for s in (s for s in p["spans"] if s["kind"] == "warichu"):
            piece = find_chars(chars, s["text"])      # content order: right sub-column, then left
            assert all(abs(c["size"] - doc.em / 2) <= 0.02 * doc.em for c in piece)
            split = (len(s["text"]) + 1) // 2
            right, left = piece[:split], piece[split:]
            k = round(doc.grid_k(n, right[0]))
            centre = doc.ta(n)["right"] - 0.5 * doc.em - k * doc.pitch
            assert all(abs((c["x0"] + c["x1"]) / 2 - (centre + 0.25 * doc.em)) <= 0.05 * doc.em for c in right)
            assert all(abs((c["x0"] + c["x1"]) / 2 - (centre - 0.25 * doc.em)) <= 0.05 * doc.em for c in left)
            if left:
                diff = (right[-1]["bottom"] - right[0]["top"]) - (left[-1]["bottom"] - left[0]["top"])
                assert min(abs(diff), abs(diff - 0.5 * doc.em)) <= 0.02 * doc.em
            checked += 1
            if doc.layout["text"][s["offset"] - 1] == "（":      # the aside's first piece
                before = chars[chars.index(piece[0]) - 1]
                assert before["text"] == "（" and abs(before["x1"] - before["x0"] - doc.em) < 0.01 * doc.em
                brackets += 1
    assert checked >= 2 and brackets >= 1


# ------------------------------------------------------------ VT-30

def _body_without_calls(doc: Doc, page: dict) -> str:
    """The page's words: no calls, and a word hyphenated at a column end whole (VT-12a)."""
    return "".join(_without_calls(doc, page["number"], c, hyphen=False) + c["foot"] for c in page["body"]["columns"])


def _drop(el) -> None:
    """Remove an element, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def test_vt30_pdfplumber_rotated_extraction_equals_layout(basic):
    """pdfplumber's rotated-text order on plain pages (body text only: no tcy,
    sideways Latin or call glyphs, which it orders by box, see VT-STATUS)."""
    doc, checked = basic, 0
    ws = re.compile(r"\s+")
    for p in doc.body_pages():
        if p["notes"]["columns"] or any(s["kind"] in ("tcy", "sideways", "call", "warichu", "upright")
                                       for s in p["spans"]):
            continue
        got = ws.sub("", doc.pdf.pages[p["number"] - 1].extract_text(line_dir_rotated="rtl", char_dir_rotated="ttb"))
        for head in (p["running_head"], p["folio"]):
            if head:
                got = got.replace(ws.sub("", head), "", 1)
        assert got == ws.sub("", p["body"]["text"]), p["number"]
        checked += 1
    assert checked >= 2


def test_vt30_book_text_equals_the_epub_text(basic, tmp_path):
    """Body text of each chapter, PDF (layout-checked text layer) vs the EPUB edition
    with the same numerals and script, whitespace and note calls removed."""
    import zipfile

    from lxml import etree

    from bookbuild.commands.check import load_prepared
    from bookbuild.render.epub import build as build_epub
    from bookbuild.transform.build_data import prepare

    book, _ = load_prepared(basic.out.parent / "book")
    assert not [d for d in build_epub(book, book.config.edition("epub"), tmp_path, prepare(book), tmp_path / "cache")
                if d.severity == "error"]
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(basic.pdf_path), "-"], capture_output=True,
                         text=True, check=True).stdout.split("\f")
    ws = re.compile(r"\s+")
    pdf_by_chapter: dict[int, str] = {}
    for p in (p for p in basic.body_pages() if p["chapter"] is not None):   # back matter differs by design
        page = ws.sub("", raw[p["number"] - 1])
        assert ws.sub("", p["body"]["text"]) in page
        pdf_by_chapter[p["chapter"]] = pdf_by_chapter.get(p["chapter"], "") + ws.sub("", _body_without_calls(basic, p))
    xh = "{http://www.w3.org/1999/xhtml}"
    ops = "{http://www.idpf.org/2007/ops}type"
    epub_texts = []
    with zipfile.ZipFile(tmp_path / "epub.epub") as zf:
        for name in sorted(n for n in zf.namelist() if re.search(r"ch[^/]*\.xhtml$", n)):
            root = etree.fromstring(zf.read(name))
            body = root.find(f"{xh}body")
            for el in list(body.iter()):
                if el.get(ops) in ("noteref", "footnote") or "notes" in (el.get("class") or "").split():
                    _drop(el)
            epub_texts.append(ws.sub("", "".join(body.itertext())))
    assert len(pdf_by_chapter) == len(epub_texts) == 3
    for idx, text in pdf_by_chapter.items():
        assert text == epub_texts[idx], idx
