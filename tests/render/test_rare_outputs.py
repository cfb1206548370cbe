"""Astral characters, variation sequences and compatibility ideographs on the real outputs (docs/FORMAT.md
"Characters"): the EPUB holds exactly the code points the author typed (zh-Hant) or their OpenCC form with
selectors kept on kept bases (zh-Hans), EPUBCheck clean; the print layout.json holds them in order with
positions that point at them, and the PDF text layer returns them in order.

Only characters the default font (Noto Serif CJK TC) has are used, so the text side is tested apart from
fallback fonts (another part of issue 16)."""
from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter

import pdfplumber
import pytest
from lxml import etree

from bookbuild.charclass import is_compatibility_ideograph, is_variation_selector
from helpers.books import BOOK_TOML, CHAPTER, NOTES, make_book
from helpers.epub import epubcheck_problems
from helpers.outputs import build_book

IVS, SVS = "\U000E0100", "\uFE00"
ASTRAL = "\U0002000B\U0002A7DD\U0002B746\U0002CE93\U00030EDD"     # Ext. B, C, D, E, G: all in Noto Serif CJK TC
SEQ = ASTRAL + f"葛{IVS}洪兀{SVS}" + "\uF900\U0002F804"           # 葛 VS17 (kept by OpenCC), 豈 你 compatibility forms
BODY = f"民國{SEQ}三十三年春天，{ASTRAL}日軍{'甲' * 20}{SEQ}{'乙' * 15}{SEQ}。"
NOTE = f"[^r]: 注中{SEQ}亦然。\n"
# 36 cells fill the first column and 。 may not start the next: the column is pushed out to 35 cells
# and letter-spaced, selectors and all
SPACED = SEQ * 3 + "甲" * 6 + "。" + "乙" * 10

TOML = BOOK_TOML + '''
[editions.epub-hans]
format = "epub"
script = "zh-Hans"
'''


def _rare(text: str) -> Counter:
    """How often each astral code point, selector and compatibility ideograph occurs."""
    return Counter(c for c in text if ord(c) > 0xFFFF or is_variation_selector(c) or is_compatibility_ideograph(c))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    chapter = CHAPTER + f"\n{BODY}[^r]\n\n{SPACED}\n"
    root = make_book(tmp_path_factory.mktemp("rare-out") / "book",
                     {"book.toml": TOML, "manuscript/01.md": chapter, "footnotes/01.md": NOTES + "\n" + NOTE})
    out = build_book(root, ["epub", "epub-hans", "print"])
    assert out.code == 0, out.stdout
    return out


def _xhtml_text(epub, name: str) -> str:
    with zipfile.ZipFile(epub) as zf:
        return "".join(etree.fromstring(zf.read(name)).itertext())


def _epub_texts(epub) -> str:
    with zipfile.ZipFile(epub) as zf:
        names = [n for n in zf.namelist() if n.endswith(".xhtml") and "/nav" not in n]
    return "".join(_xhtml_text(epub, n) for n in names)


def test_epub_holds_exactly_the_typed_code_points(built):
    chapter = _xhtml_text(built.epub.with_name("epub.epub"), "EPUB/text/ch01.xhtml")
    assert BODY in chapter                            # in order, nothing folded (NFC would turn U+F900 into 豈)
    everything = _epub_texts(built.epub.with_name("epub.epub"))
    assert f"注中{SEQ}亦然" in everything
    assert _rare(everything) == _rare(BODY + NOTE + SPACED)   # nothing lost, nothing doubled
    assert epubcheck_problems(built.epub.with_name("epub.epub")) == []


def test_simplified_epub_keeps_selectors_on_kept_bases(built):
    epub = built.epub.with_name("epub-hans.epub")
    chapter = _xhtml_text(epub, "EPUB/text/ch01.xhtml")
    hans = ASTRAL + f"葛{IVS}洪兀{SVS}" + "岂\U0002F804"     # OpenCC: 豈 -> 岂; 你's compatibility form kept
    assert f"民国{hans}三十三年春天，{ASTRAL}日军" in chapter
    assert chapter.count(hans) == 7                        # three in the text, one in the note, three spaced
    assert epubcheck_problems(epub) == []


def test_print_layout_keeps_them_in_order_and_points_at_them(built):
    layout = built.layout()
    text = layout["text"]
    assert BODY in text and f"注中{SEQ}亦然" in text
    source = (built.root / "manuscript/01.md").read_text(encoding="utf-8").split("\n")
    for page in layout["pages"]:
        for col in page["body"]["columns"] + page["notes"]["columns"]:
            assert "".join(text[o:o + n] for o, n in col["pieces"]) == col["text"].replace("\n", "")
            assert not is_variation_selector(col["text"][:1])          # never a cell of its own
            if col["src"] and col["src"].startswith("manuscript/01.md:") and SEQ in col["text"]:
                _, line, c = col["src"].split(":")
                # a column's src counts code points: its first character is there in the file
                assert source[int(line) - 1][int(c) - 1:].startswith(col["text"][:1]), col["src"]


def test_pdf_text_layer_returns_them_in_order(built):
    pages = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(built.pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", pages)
    # Exactly the author's code points, in order, selectors included: the derived face maps a
    # variation sequence (cmap format 14) to a glyph whose ToUnicode entry is base + selector.
    assert BODY in flat
    assert f"注中{SEQ}亦然" in flat
    assert "\ufffd" not in flat and not any(0xE000 <= ord(c) <= 0xF8FF for c in flat)


def test_a_letter_spaced_column_with_selectors_keeps_an_even_pitch(built):
    layout = built.layout()
    (page_no, col), = [(n, c) for n, p in enumerate(layout["pages"], 1) for c in p["body"]["columns"]
                       if c["text"].startswith(SEQ * 3)]
    assert col["spacing_em"] > 0 and col["text"] == SEQ * 3 + "甲" * 5
    with pdfplumber.open(built.pdf) as pdf:
        chars = [c for c in pdf.pages[page_no - 1].chars if c["text"].strip()]
    want = col["text"]          # a variation sequence is one glyph, its text base + selector
    columns = {}
    for c in chars:
        columns.setdefault(round(c["x0"]), []).append(c)
    (cells,) = [sorted(cs, key=lambda c: c["top"]) for cs in columns.values()
                if "".join(c["text"] for c in sorted(cs, key=lambda c: c["top"])) == want]
    steps = [b["top"] - a["top"] for a, b in zip(cells, cells[1:])]
    assert len(cells) == 35 and max(steps) - min(steps) < 0.05, steps   # no extra gap after a selector
