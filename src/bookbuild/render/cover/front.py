"""The cover's front panel as a PNG: the EPUB cover of a book with a cover edition and no cover image.

Readers and stores want a cover image; the print cover's front is the book's
face, so an EPUB in the cover edition's script shows it, rasterised by PDFium
(pypdfium2) from the same HTML the print cover is drawn from (html.py,
`front_only`: the trimmed front without bleed or marks).  Drawing and
rasterising take a second or two; the PNG is kept in the cache under the hash
of that HTML, which names the derived faces' files (their folder is keyed on
the font's bytes and the characters).
"""
from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import pypdfium2

from ...atomic import write_bytes
from ...config import BookConfig, EditionConfig
from ...fonts import FontNotFound
from ...model import Book
from . import draw_cover
from .html import page_html
from .setup import prepare

WIDTH_PX = 1600      # the stores' minimum for the short side


def cover_edition(cfg: BookConfig, edition: EditionConfig) -> EditionConfig | None:
    """The book's cover edition for an EPUB edition: the first in the same script."""
    return next((e for e in cfg.editions if e.format == "cover" and e.script == edition.script), None)


def front_png(book: Book, ed: EditionConfig, cache_dir: Path) -> bytes:
    """The front panel of cover edition `ed` as PNG bytes, WIDTH_PX wide.
    Raises fonts.FontNotFound when the cover's font is not installed."""
    cache_dir = Path(cache_dir)
    setup, _ = prepare(book, ed, 0, cache_dir)
    if setup is None:
        raise FontNotFound(ed.font, "install it, or set the cover edition's font to an installed family")
    html = page_html(setup.text, setup.geo, setup.fonts, setup.vertical, setup.image_url,
                     extra_css=setup.extra_css, front_only=True)
    key = hashlib.sha256((html + Path(__file__).read_text(encoding="utf-8")).encode()).hexdigest()[:24]
    cached = cache_dir / f"cover-front-{key}.png"
    if cached.is_file():
        return cached.read_bytes()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        pdf, _ = draw_cover(html, book, ed, cache_dir, Path(tmp) / "front.pdf")
        pdf.close()
        doc = pypdfium2.PdfDocument(str(Path(tmp) / "front.pdf"))
        try:
            page = doc[0]
            image = page.render(scale=WIDTH_PX / page.get_width()).to_pil().convert("RGB")
        finally:
            doc.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    data = out.getvalue()
    try:
        write_bytes(cached, data)
    except OSError:
        pass        # a cache that cannot be written is only slower
    return data
