"""PDF pages as PNG images (PDFium, through pypdfium2).

PDFium is not thread-safe, so every call into it holds one process-wide
lock (the preview server renders pages from several request threads).

A page is shown as it was drawn: its BleedBox (the trimmed page and its
bleed), without the printer's marks around it (render/pdf/finishing/marks.py),
so the proof sheet's overlays, placed in the drawn page's frame, fall on
their columns.  Without a BleedBox that is the whole page.
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
    """(width, height) in pt of every page as drawn (its BleedBox)."""
    with _LOCK:
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            out = []
            for i in range(len(doc)):
                x0, y0, x1, y1 = doc[i].get_bleedbox()
                out.append((x1 - x0, y1 - y0))
            return out
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
            m, b = page.get_mediabox(), page.get_bleedbox()
            scale = width_px / (b[2] - b[0])
            image = page.render(scale=scale, grayscale=grey).to_pil()
            if b != m:    # cut the marks' area off (in pixels: the width stays exactly width_px)
                left, top = round((b[0] - m[0]) * scale), round((m[3] - b[3]) * scale)
                image = image.crop((left, top, left + width_px, top + round((b[3] - b[1]) * scale)))
        finally:
            doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
