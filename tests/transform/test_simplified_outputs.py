"""Simplified editions on the real outputs: EPUB and PDF text, metadata, font, .noconv."""
from __future__ import annotations

import io
import subprocess
import zipfile

import pikepdf
import pytest
from lxml import etree

from bookbuild.commands.build import run_build
from helpers.books import BOOK_TOML, CHAPTER, make_book

TOML = BOOK_TOML + '''
[editions.epub-hans]
format = "epub"
script = "zh-Hans"

[editions.print-hans]
format = "pdf"
script = "zh-Hans"
'''
EXTRA = "\n軟體與記憶體的說法，見[臺灣總督府檔案]{.noconv}。\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_book(tmp_path_factory.mktemp("hans") / "book", {"book.toml": TOML,
                                                                "manuscript/01.md": CHAPTER + EXTRA})
    out = io.StringIO()
    status = run_build(root, editions=["epub-hans", "print-hans"], stdout=out, stderr=io.StringIO())
    assert status == 0, out.getvalue()
    return root / "dist"


def _epub_text(path) -> tuple[str, bytes]:
    with zipfile.ZipFile(path) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        text = "".join(etree.fromstring(z.read(n)).xpath("string(//*[local-name()='body'])")
                       for n in z.namelist() if n.endswith(".xhtml") and "nav" not in n)
        return text, z.read(opf)


def test_epub_is_simplified(built):
    text, opf = _epub_text(built / "epub-hans.epub")
    assert "日军于1944年" in text and "衡阳" in text and "软件与内存" in text
    assert "臺灣總督府檔案" in text, ".noconv spans stay as written"
    assert "日軍" not in text
    tree = etree.fromstring(opf)
    assert tree.xpath("string(//*[local-name()='language'])") == "zh-Hans-CN"
    assert "测试之书" in tree.xpath("string(//*[local-name()='title'])")


def test_pdf_is_simplified(built):
    pdf = built / "print-hans.pdf"
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "衡阳" in flat and "软件与内存" in flat and "臺灣總督府檔案" in flat
    assert "日軍" not in flat
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == "zh-Hans-CN"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "BookbuildTate" in fonts


def test_simplified_pdf_font_is_the_sc_face(built, tmp_path):
    """The derived faces come from Noto Serif CJK SC: 骨 differs between the TC and SC faces."""
    from bookbuild.fonts import find_font
    assert "SC" in find_font("Noto Serif CJK SC").family
