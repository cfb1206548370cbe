"""PDF pages as PNG images (PDFium, through pypdfium2).

PDFium is not thread-safe, so every call into it holds one process-wide
lock (the preview server renders pages from several request threads).
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

import pypdfium2

_LOCK = threading.Lock()


class RasterError(Exception):
    pass


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in pt of every page."""
    with _LOCK:
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            return [doc[i].get_size() for i in range(len(doc))]
        finally:
            doc.close()


def render_png(pdf: Path, index: int, width_px: int, grey: bool = False) -> bytes:
    """Page `index` (0-based) as a PNG `width_px` wide."""
    with _LOCK:
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            if not 0 <= index < len(doc):
                raise RasterError(f"no page {index + 1} in {pdf.name}")
            page = doc[index]
            scale = width_px / page.get_width()
            image = page.render(scale=scale, grayscale=grey).to_pil()
        finally:
            doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
