"""PDF pages as PNG images: pypdfium2 when installed, else poppler's `pdftoppm`.

PDFium is not thread-safe, so every call into it holds one process-wide
lock (the preview server renders pages from several request threads).
"""
from __future__ import annotations

import io
import shutil
import subprocess
import threading
from pathlib import Path

_LOCK = threading.Lock()


class RasterError(Exception):
    pass


def _pdfium():
    try:
        import pypdfium2
        return pypdfium2
    except ImportError:
        return None


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in pt of every page."""
    pdfium = _pdfium()
    if pdfium is not None:
        with _LOCK:
            doc = pdfium.PdfDocument(str(pdf))
            try:
                return [doc[i].get_size() for i in range(len(doc))]
            finally:
                doc.close()
    return _pdfinfo_sizes(pdf)


def render_png(pdf: Path, index: int, width_px: int, grey: bool = False) -> bytes:
    """Page `index` (0-based) as a PNG `width_px` wide."""
    pdfium = _pdfium()
    if pdfium is None:
        return _pdftoppm(pdf, index, width_px, grey)
    with _LOCK:
        doc = pdfium.PdfDocument(str(pdf))
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


def _pdfinfo_sizes(pdf: Path) -> list[tuple[float, float]]:
    if not shutil.which("pdfinfo"):
        raise RasterError("neither pypdfium2 nor poppler-utils (pdfinfo) is installed")
    out = subprocess.run(["pdfinfo", "-l", "100000", str(pdf)], capture_output=True, text=True).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and " size:" in line:
            w, _, h = line.split("size:", 1)[1].split()[:3]
            sizes.append((float(w), float(h)))
    return sizes


def _pdftoppm(pdf: Path, index: int, width_px: int, grey: bool) -> bytes:
    if not shutil.which("pdftoppm"):
        raise RasterError("neither pypdfium2 nor poppler-utils (pdftoppm) is installed")
    n = str(index + 1)
    args = ["pdftoppm", "-f", n, "-l", n, "-scale-to-x", str(width_px), "-scale-to-y", "-1",
            "-png", "-singlefile"] + (["-gray"] if grey else []) + [str(pdf)]
    res = subprocess.run(args, capture_output=True)
    if res.returncode != 0 or not res.stdout:
        raise RasterError(f"pdftoppm could not render page {n} of {pdf.name}")
    return res.stdout
