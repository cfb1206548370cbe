"""The edition's stylesheets: bookbuild's, then the book's styles/all.css and
styles/<edition>.css (docs/FORMAT.md), then the font rule.

EPUB 3.3 forbids `direction` and `unicode-bidi` (EPUBCheck CSS-001, an error):
they are removed from the book's own CSS so the package stays valid; the
vertical writing mode comes from writing-mode alone (VT-33).
"""
from __future__ import annotations

import re
from importlib import resources

from ... import model as m
from ...check.assets import resolve_ref, rewrite_css_urls
from ...config import EditionConfig
from .context import Context, register_image, safe_class

FONT_CSS = "css/font.css"    # written last by the renderer (fontembed.font_css)
_FORBIDDEN = re.compile(r"(?<![-\w])(direction|unicode-bidi)\s*:[^;}]*;?", re.I)


def _package_css(name: str) -> str:
    return resources.files("bookbuild").joinpath("data", "styles", name).read_text("utf-8")


def strip_forbidden(css: str) -> str:
    return _FORBIDDEN.sub("", css)


def stylesheets(book: m.Book, edition: EditionConfig, font_css: str, ctx: Context) -> list[tuple[str, bytes]]:
    """(package path, CSS bytes) in cascade order.  The images the book's CSS
    names are packaged (check/assets.py rules, registered in the context) and
    its url()s point at them; a refused URL becomes an empty data: URL, so
    the EPUB never names a remote or outside file."""
    out = [("css/epub.css", _package_css("epub.css")),
           (f"css/epub-{edition.writing}.css", _package_css(f"epub-{edition.writing}.css")),
           (FONT_CSS, font_css)]
    for name, target in (("all.css", "css/book-all.css"),
                         (f"{edition.name}.css", f"css/book-{safe_class(edition.name)}.css")):
        path = book.root / "styles" / name
        if path.is_file():
            text = strip_forbidden(path.read_text("utf-8", errors="replace"))
            out.append((target, _packaged_urls(text, ctx)))
    return [(p, css.encode("utf-8")) for p, css in out]


def _packaged_urls(text: str, ctx: Context) -> str:
    def new_url(url: str) -> str:
        if url.strip().lower().startswith("data:"):
            return url
        path, _ = resolve_ref(url, ctx.book.root, ctx.book.root)   # relative to the book root, as in print
        return "../" + register_image(ctx, path) if path is not None else "data:,"

    return rewrite_css_urls(text, new_url)
