"""The ISBN as an EAN-13 barcode (and an optional EAN-5 price add-on), drawn as vectors.

python-barcode encodes the EAN-13 (its module string, guard bars marked `G`)
and holds the L/G digit patterns the EAN-5 add-on is built from; the bars are
written here as SVG rectangles, which WeasyPrint draws as filled paths — no
raster and no font inside the symbol.  The digits under the bars and the
"ISBN 978-…" line above it are HTML text in the cover's derived face, placed
on the 7-module digit slots of GS1 General Specifications §5.2.
"""
from __future__ import annotations

from dataclasses import dataclass

from barcode.charsets import ean as tables
from barcode.ean import EAN13
from stdnum import isbn as stdnum_isbn

MODULE_MM = 0.33          # GS1 nominal X-dimension (100 % magnification)
BAR_MM = 18.0             # bar height: the nominal 22.85 mm, truncated as books usually print it
GUARD_MM = 1.65           # guard bars run 5 modules below the others, into the digit row
QUIET_LEFT, QUIET_RIGHT = 11, 7   # light margins, in modules (GS1 §5.2.3.4)
ADDON_GAP = 9             # modules between the EAN-13 and its add-on (GS1: 7–12)
TEXT_MM = 3.2             # height of a digit row
# EAN-5: the parity of each digit (A = L code, B = G code) by the add-on's check value
_ADDON_PARITY = ("BBAAA", "BABAA", "BAABA", "BAAAB", "ABBAA", "AABBA", "AAABB", "ABABA", "ABAAB", "AABAB")


@dataclass(frozen=True)
class Symbol:
    html: str
    width_mm: float
    height_mm: float


def ean13_modules(isbn: str) -> str:
    """The 95 modules of the ISBN's EAN-13: '1' bar, '0' space, 'G' guard bar."""
    digits = stdnum_isbn.compact(stdnum_isbn.to_isbn13(isbn))
    return EAN13(digits[:12], guardbar=True).build()[0]


def ean5_modules(price: str) -> str:
    """The 47 modules of a 5-digit add-on: start 01011, digits in L/G codes, 01 between."""
    d = [int(c) for c in price]
    check = (3 * (d[0] + d[2] + d[4]) + 9 * (d[1] + d[3])) % 10
    codes = [tables.CODES[p][n] for p, n in zip(_ADDON_PARITY[check], d)]
    return "01011" + "01".join(codes)


def symbol(isbn: str, price: str, text_css: str) -> Symbol:
    """The barcode block: white ground with its quiet zones, the ISBN line above,
    the bars, the digits; `text_css` sets the digits' font (the derived face)."""
    digits = stdnum_isbn.compact(stdnum_isbn.to_isbn13(isbn))
    main = ean13_modules(isbn)
    addon = ean5_modules(price) if price else ""
    modules = QUIET_LEFT + len(main) + (ADDON_GAP + len(addon) if addon else 0) + QUIET_RIGHT
    width = modules * MODULE_MM
    top = TEXT_MM + 1.0                     # the ISBN line
    height = top + BAR_MM + GUARD_MM + 1.0
    rects = _bars(main, QUIET_LEFT, top, BAR_MM)
    if addon:
        # the add-on's bars start below its own digit row (GS1 §5.2.2.6)
        rects += _bars(addon, QUIET_LEFT + len(main) + ADDON_GAP, top + TEXT_MM, BAR_MM + GUARD_MM - TEXT_MM)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}mm" height="{height:.3f}mm" '
           f'viewBox="0 0 {width:.3f} {height:.3f}"><rect width="{width:.3f}" height="{height:.3f}" fill="#fff"/>'
           + "".join(rects) + "</svg>")
    texts = [_text(f"ISBN {stdnum_isbn.format(digits)}", 0, 0.2, width, text_css, "center")]
    row = top + BAR_MM + 0.15
    texts.append(_text(digits[0], (QUIET_LEFT - 7) * MODULE_MM, row, 7 * MODULE_MM, text_css))
    for i in range(6):
        texts.append(_text(digits[1 + i], (QUIET_LEFT + 3 + 7 * i) * MODULE_MM, row, 7 * MODULE_MM, text_css))
        texts.append(_text(digits[7 + i], (QUIET_LEFT + 50 + 7 * i) * MODULE_MM, row, 7 * MODULE_MM, text_css))
    if addon:
        x = (QUIET_LEFT + len(main) + ADDON_GAP) * MODULE_MM
        texts.append(_text(price, x, top, len(addon) * MODULE_MM, text_css, "center"))
    html = (f'<div class="barcode" style="position:absolute; width:{width:.3f}mm; height:{height:.3f}mm">'
            f'<div style="position:absolute; left:0; top:0">{svg}</div>{"".join(texts)}</div>')
    return Symbol(html, width, height)


def _bars(modules: str, first: int, top: float, height: float) -> list[str]:
    """One rectangle per run of bar modules (a run of 1s is one wide bar)."""
    out, i = [], 0
    while i < len(modules):
        if modules[i] == "0":
            i += 1
            continue
        guard = modules[i] == "G"
        j = i
        while j < len(modules) and modules[j] == modules[i]:
            j += 1
        h = height + (GUARD_MM if guard else 0)
        out.append(f'<rect x="{(first + i) * MODULE_MM:.3f}" y="{top:.3f}" width="{(j - i) * MODULE_MM:.3f}" '
                   f'height="{h:.3f}" fill="#000"/>')
        i = j
    return out


def _text(text: str, x: float, y: float, width: float, css: str, align: str = "center") -> str:
    return (f'<div style="position:absolute; left:{x:.3f}mm; top:{y:.3f}mm; width:{width:.3f}mm; '
            f'height:{TEXT_MM:.2f}mm; font-size:{TEXT_MM * 0.8:.2f}mm; line-height:{TEXT_MM:.2f}mm; '
            f'text-align:{align}; white-space:nowrap; {css}">{text}</div>')
