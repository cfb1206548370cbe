"""What a cover is drawn from: its geometry, its texts, its derived faces, its stylesheet."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...booktoml import KeyIndex
from ...config import MM, BookConfig, EditionConfig
from ...diagnostics import Diagnostic
from ...fonts import FontNotFound
from ...model import Book
from ...papers import caliper_mm
from ..pdf.drawing.css import book_css
from ..pdf.fonts.derived import DerivedFonts, build_derived_fonts, derived_dir
from .geometry import CoverGeometry
from .html import CoverText


@dataclass(frozen=True)
class CoverSetup:
    geo: CoverGeometry
    text: CoverText
    fonts: DerivedFonts
    vertical: bool
    image_url: str
    extra_css: str


def cover_isbn(cfg: BookConfig, ed: EditionConfig) -> str:
    """The barcode's ISBN: the cover's own, else its interior's, else [book] isbn."""
    return ed.isbn or cfg.edition(ed.interior).isbn or cfg.isbn


def prepare(book: Book, ed: EditionConfig, pages: int, cache_dir: Path) -> tuple[CoverSetup | None, list[Diagnostic]]:
    """Everything but the drawing; None (and a BB402) when the font is not installed."""
    cfg = book.config
    interior = cfg.edition(ed.interior)
    trim_w, trim_h = (v / MM for v in interior.page_size_pt())
    geo = CoverGeometry.of(trim_w, trim_h, pages, caliper_mm(ed.paper, ed.caliper_mm), ed.bleed, ed.flaps_mm,
                           right_bound=interior.vertical)
    text = CoverText(cfg.title, cfg.subtitle, "、".join(cfg.authors), cfg.publisher, ed.back_text,
                     cover_isbn(cfg, ed), ed.price)
    upright, bold, horizontal = text.chars()
    where = KeyIndex(book.texts.get(cfg.path, "")).table(f"editions.{ed.name}")
    try:
        fonts = build_derived_fonts(upright | bold, set(), ed.font, derived_dir(cache_dir), bold_chars=bold,
                                    horizontal_chars=horizontal, vertical=True)
    except FontNotFound as e:
        return None, [Diagnostic("BB402", f"font {ed.font!r} is not installed: {e}", cfg.path, *where,
                                 "install the font or set the cover edition's font to an installed family")]
    diags = [Diagnostic("BB402", f"character {ch!r} (U+{ord(ch):04X}) of the cover is not in the font {ed.font!r}",
                        cfg.path, *where, "replace the character or choose a font that has it")
             for ch in sorted(fonts.missing - {"\n", " "})]
    image = ed.cover_image and (book.root / ed.cover_image).resolve().as_uri()
    sheet = book.root / "styles" / f"{ed.name}.css"
    extra = book_css(sheet.read_text(encoding="utf-8", errors="replace")) if sheet.is_file() else ""
    return CoverSetup(geo, text, fonts, interior.vertical, image or "", extra), diags
