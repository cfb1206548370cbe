"""One PDF of the book's pages, wherever each was drawn; written deterministically.

Pages come from the page cache's chunk files (drawn by earlier builds) and
from the parts drawn in this build (drawing/pages.py puts them together).
"""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from pikepdf import Pdf


def merge_pages(pages: list[tuple[Path, int]]) -> tuple[Pdf, list[Pdf]]:
    """A new PDF of the given (file, page index) pages, in order (page cache:
    pages come from the chunks of several builds); returns (merged, sources to
    close after saving).  A page used twice (blank pages) is copied twice."""
    out = Pdf.new()
    opened: dict[Path, Pdf] = {}
    for path, i in pages:
        src = opened.get(path)
        if src is None:
            src = opened[path] = Pdf.open(path)
        out.pages.append(src.pages[i])
    return out, list(opened.values())


def save(pdf: Pdf, target: Path, **options) -> None:
    """Deterministic /ID so that equal input gives byte-identical output.

    QPDF writes into memory and Python writes the file: a write error inside
    QPDF's own file output (a full disk) aborts the process ("terminate called
    after throwing QPDFSystemError"), where Python's is an OSError (BB601)."""
    buf = io.BytesIO()
    # options: press.save_options (PDF/X pins the PDF version, X-1a forbids object streams)
    pdf.save(buf, **{"deterministic_id": True, "compress_streams": True,
                     "object_stream_mode": pikepdf.ObjectStreamMode.generate, **options})
    with open(target, "wb") as f:
        f.write(buf.getbuffer())
