"""The same sources give the same PDF wherever the book folder is (SOURCE_DATE_EPOCH set).

WeasyPrint names an image's XObject by a hash of its URL, which holds the
book's folder; finishing/images.py names it by its bytes instead.
"""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image

from bookbuild.commands.build import run_build
from helpers.books import PRINT_BASE, make_book


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (120, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def _built(root: Path) -> bytes:
    figure = "\n\n![城南陣地](assets/map.png){#fig-map}\n\n圖後一段。\n"
    book = make_book(root, {"assets/map.png": _png(),
                            "manuscript/02.md": PRINT_BASE["manuscript/02.md"] + figure}, base=PRINT_BASE)
    assert run_build(book, editions=["print"], jobs=1, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    return (book / "dist" / "print.pdf").read_bytes()


def test_a_book_with_an_image_builds_the_same_pdf_in_another_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    here, there = _built(tmp_path / "a"), _built(tmp_path / "somewhere" / "else")
    assert here == there
    with pikepdf.open(io.BytesIO(here)) as pdf:
        names = {str(k) for p in pdf.pages for k in p.resources.get("/XObject", {})}
    assert names and all(n.startswith("/I") and len(n) == 34 for n in names), names
