"""The floor anchor (bench/floor.py): same text as the stress book, the print edition's type area."""
from __future__ import annotations

import collections
import logging
import math
import re
import subprocess
from pathlib import Path

import lxml.html
import pdfplumber
import pytest

import anchor
import floor
from make_stress_book import generate

HAN = re.compile(r"[\u3400-\u9fff]")
NOTE_REF = re.compile(r"\[\^[\w-]+\](\{[^}]*\})?")
CITATION = re.compile(r"\[[^\]\[]*@[^\]\[]*\]")
ATTRS = re.compile(r"\{[^}]*\}")

pytestmark = pytest.mark.skipif(anchor.chromium_binary() is None, reason="needs Chromium")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A 1-chapter stress book, its floor HTML and the PDF Chromium prints from it."""
    root = tmp_path_factory.mktemp("floor")
    book = root / "book"
    generate(book, 0.05)
    html = floor.make_floor_html(book, root / "floor")
    pdf = root / "floor" / "floor.pdf"
    proc = subprocess.run(anchor.chromium_command(html, pdf, root / "profile"),
                          capture_output=True, text=True, timeout=300)
    assert pdf.is_file(), proc.stderr[-2000:]
    return book, html, pdf


def han(text: str) -> str:
    return "".join(HAN.findall(text))


def source_paragraphs(path: Path, citations: str = "") -> list[str]:
    """The Han text of each paragraph of a Markdown file, calls and attributes taken
    out; citations replaced by `citations` (a body citation prints as a note call)."""
    text = anchor._AGAIN.sub("見前注", path.read_text(encoding="utf-8"))   # as both anchors print it
    text = ATTRS.sub("", CITATION.sub(citations, NOTE_REF.sub("", text)))
    paras = [han(p) if not citations else p for p in re.split(r"\n\s*\n", text)]
    return [p for p in paras if p]


def test_the_floor_html_is_plain(printed):
    _book, html, _pdf = printed
    text = html.read_text(encoding="utf-8")
    assert "writing-mode: vertical-rl" in text and "text-align: justify" in text
    doc = lxml.html.fromstring(text)
    tags = {el.tag for el in doc.iter("*")}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "blockquote", "b", "br"}
    assert not doc.xpath("//a | //section | //div | //*[@id]")


def test_the_pdf_holds_the_book_text_in_order(printed):
    book, html, pdf = printed
    printed_text = han(subprocess.run(["pdftotext", "-raw", str(pdf), "-"],
                                      capture_output=True, text=True, check=True).stdout)
    assert printed_text == han(lxml.html.parse(str(html)).getroot().text_content())
    # every paragraph of every chapter and every note, in the order of the source
    chapters = anchor.chapter_files(book)
    pos = 0
    for para in [p for ch in chapters for p in source_paragraphs(ch)]:
        found = printed_text.find(para, pos)
        assert found >= 0, para[:40]
        pos = found + len(para)
    for notes in sorted((book / "footnotes").glob("*.md")):
        for para in source_paragraphs(notes, citations="|"):
            # citeproc writes a citation inside a note as text: each piece around it is printed
            for piece in filter(None, map(han, para.split("|"))):
                assert piece in printed_text, piece[:40]


def expected_pages(html: Path) -> int:
    """Pages the text needs in the type area: columns of 38 body or 48 note cells,
    1.75 em apart, 15 body columns wide, every chapter on a new page."""
    em, across = 10.5, 15 * 1.75 * 10.5
    widths: list[float] = []
    for el in lxml.html.parse(str(html)).getroot().find("body"):
        if el.tag == "h1":
            widths.append(0.0)
        paras = list(el) if el.tag == "blockquote" else [el]
        for p in paras:
            n = len(p.text_content()) + 1
            note = p.get("class") == "n"
            cells, pitch = (48, 1.75 * em * 38 / 48) if note else (38, 1.75 * em)
            widths[-1] += math.ceil(n / cells) * pitch
    return sum(math.ceil(w / across) for w in widths)


def test_page_count_matches_the_text(printed):
    _book, html, pdf = printed
    pages = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout, re.M).group(1))
    want = expected_pages(html)
    assert abs(pages - want) <= max(2, want // 20), (pages, want)


def test_type_area_is_38_cells_by_15_columns(printed):
    _book, _html, pdf = printed
    logging.disable(logging.WARNING)       # pdfminer: Chromium's CID fonts have no FontBBox
    try:
        with pdfplumber.open(pdf) as doc:
            pages = [[c for c in p.chars if c["text"].strip() and abs(c["size"] - 10.5) < 0.01]
                     for p in doc.pages]
    finally:
        logging.disable(logging.NOTSET)
    full_columns, full_pages = [], 0
    for chars in pages:
        if not chars:
            continue
        right = max(c["x1"] for c in chars)
        cols = collections.Counter(round((right - (c["x0"] + c["x1"]) / 2) / (1.75 * 10.5) - 0.5)
                                   for c in chars)
        assert max(cols) <= 14                           # never a 16th column
        full_pages += len(cols) == 15
        full_columns += [n for n in cols.values() if n >= 36]
        # 38 cells of 10.5 pt from the head margin down
        assert max(c["bottom"] for c in chars) - min(c["top"] for c in chars) < 38 * 10.5 + 2
    assert full_pages >= 10
    # a full column holds 38 characters (Chromium trims a pair of adjacent
    # full-width punctuation marks now and then, which lets one or two more in)
    counts = collections.Counter(full_columns)
    assert counts.most_common(1)[0][0] == 38, counts
