"""The cover as one HTML page for WeasyPrint: panels, the vertical columns, the barcode.

Vertical text is set as the interior sets it (docs/PRINT-ENGINE.md §2): a
line in the derived upright face, whose CJK glyphs are pre-rotated 90°
counter-clockwise, turned 90° clockwise as a whole — here by a CSS transform
on the line's box instead of the page turn — so every character stands
upright and the line reads top to bottom.  A box of several lines turned the
same way gives columns that follow each other right to left.
All lengths are mm from the top-left corner of the sheet (bleed included).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..pdf.fonts.derived import DerivedFonts
from . import barcode
from .geometry import CoverGeometry

PT = 25.4 / 72          # mm per pt
PAPER, INK, ACCENT = "#f4efe6", "#2e2620", "#7a2620"
MIN_SPINE_TEXT_MM = 4.0  # a thinner spine gets no text: the fold may fall anywhere within ±1 mm


@dataclass(frozen=True, slots=True)
class CoverText:
    title: str
    subtitle: str
    authors: str
    publisher: str
    back_text: str
    isbn: str
    price: str

    def chars(self) -> tuple[set[str], set[str], set[str]]:
        """(upright, bold, horizontal) characters the cover draws, for the derived faces."""
        upright = set(self.subtitle + self.authors + self.publisher + self.back_text + self.title)
        return upright, set(self.title), set(self.title + self.subtitle + self.authors + self.publisher
                                             + self.back_text + "ISBN-0123456789")


def page_html(text: CoverText, geo: CoverGeometry, fonts: DerivedFonts, vertical: bool, image_url: str = "",
              extra_css: str = "", front_only: bool = False) -> str:
    """The whole spread (or, `front_only`, the front panel alone, without bleed: the EPUB cover)."""
    b = 0.0 if front_only else geo.bleed
    panels = geo.panels()
    if front_only:
        panels = {"front": (0.0, geo.trim_w)}
    width, height = (geo.trim_w, geo.trim_h) if front_only else (geo.width, geo.trim_h)
    parts = [f'<div class="panel {name.split("-")[0]} {name}" style="left:{a + b:.3f}mm; top:0; '
             f'width:{x1 - a:.3f}mm; height:{height + 2 * b:.3f}mm"></div>' for name, (a, x1) in panels.items()]
    f0, f1 = panels["front"]
    outer_left = geo.right_bound or front_only   # the front's outer edge (no spine there) gets the bleed
    if image_url:
        left = f0 + b - (b if outer_left and not geo.flaps else 0)
        right = f1 + b + (b if not outer_left and not geo.flaps else 0)
        parts.append(f'<img class="cover-image" src="{escape(image_url)}" style="left:{left:.3f}mm; top:0; '
                     f'width:{right - left:.3f}mm; height:{height + 2 * b:.3f}mm">')
    else:
        parts += (_front_vertical if vertical else _front_horizontal)(text, f0 + b, f1 + b, b, geo.trim_h)
    if not front_only:
        s0, s1 = panels.get("spine", (0.0, 0.0))
        if s1 - s0 >= MIN_SPINE_TEXT_MM:
            parts += _spine(text, (s0 + s1) / 2 + b, b, geo.trim_h, s1 - s0)
        parts += _back(text, *(x + b for x in panels["back"]), b, geo.trim_h, vertical, fonts)
    body = "".join(parts)
    return f"""<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"><style>
{_css(fonts, width, height, b)}
{extra_css}
</style></head><body><div class="sheet">{body}</div></body></html>"""


def _css(fonts: DerivedFonts, width: float, height: float, bleed: float) -> str:
    faces = {fonts.upright_family: (fonts.upright, "normal"), fonts.horizontal_family: (fonts.horizontal, "normal"),
             fonts.bold_family: (fonts.bold, "bold")}
    font_face = "\n".join(f'@font-face {{ font-family: "{fam}"; src: url("{path.as_uri()}"); font-weight: {w}; }}'
                          for fam, (path, w) in faces.items())
    return f"""{font_face}
@page {{ size: {width:.3f}mm {height:.3f}mm; margin: 0; bleed: {bleed:.3f}mm; marks: none; }}
html, body {{ margin: 0; padding: 0; font-family: "{fonts.upright_family}"; color: {INK}; }}
.sheet {{ position: absolute; left: -{bleed:.3f}mm; top: -{bleed:.3f}mm; width: {width + 2 * bleed:.3f}mm;
          height: {height + 2 * bleed:.3f}mm; background: {PAPER}; }}
.panel, .cover-image, .col, .block, .rule, .line {{ position: absolute; margin: 0; }}
.cover-image {{ object-fit: cover; }}
.spine {{ background: {ACCENT}; }}
.col, .block {{ transform-origin: 0 0; transform: rotate(90deg); }}
.col {{ white-space: nowrap; }}
.spine-text {{ color: {PAPER}; }}
.title {{ font-family: "{fonts.bold_family}"; font-weight: bold; }}
.line {{ font-family: "{fonts.horizontal_family}"; text-align: center; white-space: nowrap; }}
.line.title {{ font-family: "{fonts.bold_family}"; }}
.barcode {{ font-family: "{fonts.horizontal_family}"; color: #000; }}
"""


def column(text: str, right: float, top: float, length: float, size_pt: float, cls: str,
           align: str = "start") -> str:
    """One vertical line of `text`: its right edge at `right`, from `top` down `length` (mm)."""
    return (f'<div class="col {cls}" style="left:{right:.3f}mm; top:{top:.3f}mm; width:{length:.3f}mm; '
            f'height:{size_pt:.2f}pt; font-size:{size_pt:.2f}pt; line-height:{size_pt:.2f}pt; '
            f'text-align:{align}">{escape(text)}</div>')


def _fit(chars: int, length_mm: float, largest: float) -> float:
    """A size in pt that sets `chars` one-em cells in `length_mm`."""
    return max(6.0, min(largest, length_mm / max(chars, 1) / PT))


def _front_vertical(t: CoverText, x0: float, x1: float, b: float, h: float) -> list[str]:
    """Title column at the right, subtitle beside it, authors and publisher at the left."""
    size = _fit(len(t.title), 0.62 * h, 30.0)
    right = x1 - 0.15 * (x1 - x0)
    out = [column(t.title, right, b + 0.12 * h, 0.7 * h, size, "title")]
    right -= size * PT + 5
    out.append(f'<div class="rule" style="left:{right:.3f}mm; top:{b + 0.12 * h:.3f}mm; width:0.6mm; '
               f'height:{0.62 * h:.3f}mm; background:{ACCENT}"></div>')
    if t.subtitle:
        right -= 3
        out.append(column(t.subtitle, right, b + 0.2 * h, 0.6 * h, _fit(len(t.subtitle), 0.6 * h, 13.0),
                          "subtitle"))
    out.append(column(t.authors, x0 + 0.32 * (x1 - x0), b + 0.45 * h, 0.4 * h,
                      _fit(len(t.authors), 0.4 * h, 15.0), "author"))
    if t.publisher:
        out.append(column(t.publisher, x0 + 0.16 * (x1 - x0), b + 0.55 * h, 0.35 * h,
                          _fit(len(t.publisher), 0.35 * h, 11.0), "publisher", "end"))
    return out


def _front_horizontal(t: CoverText, x0: float, x1: float, b: float, h: float) -> list[str]:
    """Centred lines: title, subtitle, authors; the publisher at the foot."""
    room = 0.8 * (x1 - x0)
    rows = [(t.title, 0.28, _fit(len(t.title), room, 28.0), "title"),
            (t.subtitle, 0.4, _fit(len(t.subtitle), room, 13.0), "subtitle"),
            (t.authors, 0.62, _fit(len(t.authors), room, 15.0), "author"),
            (t.publisher, 0.88, _fit(len(t.publisher), room, 11.0), "publisher")]
    return [f'<div class="line {cls}" style="left:{x0:.3f}mm; top:{b + frac * h:.3f}mm; width:{x1 - x0:.3f}mm; '
            f'font-size:{size:.2f}pt; line-height:{size * 1.4:.2f}pt">{escape(text)}</div>'
            for text, frac, size, cls in rows if text]


def _spine(t: CoverText, centre: float, b: float, h: float, width: float) -> list[str]:
    """Title from the head, author below it, publisher at the foot — each a column centred on the spine."""
    size = min(14.0, 0.62 * width / PT)
    small = min(10.0, size * 0.8)
    out = [column(t.title, centre + size * PT / 2, b + 0.08 * h, 0.5 * h, size, "title spine-text")]
    out.append(column(t.authors, centre + small * PT / 2, b + 0.6 * h, 0.22 * h, small, "author spine-text"))
    if t.publisher:
        out.append(column(t.publisher, centre + small * PT / 2, b + 0.84 * h, 0.1 * h, small,
                          "publisher spine-text", "end"))
    return out


def _back(t: CoverText, x0: float, x1: float, b: float, h: float, vertical: bool, fonts) -> list[str]:
    """The blurb (vertical columns or horizontal lines) and the barcode at the foot."""
    out = []
    sym = barcode.symbol(t.isbn, t.price, "") if t.isbn else None
    foot = (sym.height_mm if sym else 0) + 24
    if t.back_text:
        text = escape(t.back_text).replace("\n", "<br>")
        if vertical:
            out.append(f'<div class="block blurb" style="left:{x1 - 18:.3f}mm; top:{b + 22:.3f}mm; '
                       f'width:{h - 22 - foot:.3f}mm; height:{x1 - x0 - 36:.3f}mm; font-size:10.5pt; '
                       f'line-height:19pt">{text}</div>')
        else:
            out.append(f'<div class="blurb" style="position:absolute; left:{x0 + 18:.3f}mm; top:{b + 22:.3f}mm; '
                       f'width:{x1 - x0 - 36:.3f}mm; font-family:\'{fonts.horizontal_family}\'; font-size:10.5pt; '
                       f'line-height:18pt">{text}</div>')
    if sym:
        out.append(f'<div style="position:absolute; left:{x1 - 12 - sym.width_mm:.3f}mm; '
                   f'top:{b + h - 12 - sym.height_mm:.3f}mm">{sym.html}</div>')
    return out
