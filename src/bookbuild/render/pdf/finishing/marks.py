"""Page boxes and printer's marks outside the bleed.

The TrimBox is the page the reader holds; the BleedBox is the TrimBox grown
by the bleed on every side (the pages' backgrounds run out to it); with marks
the MediaBox grows further by MARK_AREA and the marks are drawn there:

* crop marks: at each corner, two hairlines on the trim edges' lines, from
  MARK_GAP outside the BleedBox outwards (never over the bleed, where they
  would print on the cut sheet);
* centre marks: a short line and a cross bar at the middle of each edge, for
  folding and registration;
* slug: a line of text (title, date, page number) below the bottom bleed,
  drawn as glyph outlines so that it needs no font in the file.

The page content is moved, not the marks: the new MediaBox starts at (0, 0)
(viewers and RIPs treat an offset MediaBox inconsistently), so every box,
annotation rectangle and explicit destination moves with the content.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Name, Pdf

MM = 72 / 25.4
MARK_GAP = 2 * MM          # between the BleedBox and a mark
MARK_LEN = 5 * MM
SLUG_SIZE = 6.0            # pt
MARK_AREA = MARK_GAP + MARK_LEN + 2 * MM   # beyond the BleedBox: marks and the slug line
MARK_WIDTH = 0.25          # pt, a hairline
_BOXES = ("/TrimBox", "/BleedBox", "/ArtBox", "/CropBox")


@dataclass(frozen=True, slots=True)
class MarkSettings:
    bleed: float = 0.0
    crop: bool = False
    center: bool = False
    slug: str = ""
    slug_font: Path | None = None
    color: str = "rgb"
    date: str = ""

    @property
    def any(self) -> bool:
        return self.crop or self.center or bool(self.slug)


def place_marks(pdf: Pdf, s: MarkSettings) -> None:
    """BleedBox and MediaBox of every page from its TrimBox; the marks (see module doc)."""
    glyphs = _SlugFont(s.slug_font) if s.slug and s.slug_font else None
    for number, page in enumerate(pdf.pages, 1):
        obj = page.obj
        trim = [float(v) for v in obj.get("/TrimBox", obj.MediaBox)]
        outer = s.bleed + (MARK_AREA if s.any else 0.0)
        dx, dy = outer - trim[0], outer - trim[1]
        if abs(dx) > 1e-6 or abs(dy) > 1e-6:
            _shift(pdf, page, dx, dy)
        t = [trim[0] + dx, trim[1] + dy, trim[2] + dx, trim[3] + dy]
        obj.TrimBox = _box(t)
        obj.BleedBox = _box(_grow(t, s.bleed))
        obj.MediaBox = _box(_grow(t, outer))
        if "/CropBox" in obj:
            del obj["/CropBox"]      # the CropBox defaults to the MediaBox: the marks stay visible
        if s.any:
            ops = mark_ops(t, s, f"{s.slug}  {s.date}  {number}" if s.slug else "", glyphs)
            page.contents_add(pikepdf.Stream(pdf, ops.encode()))


def mark_ops(trim: list[float], s: MarkSettings, slug: str, glyphs: _SlugFont | None) -> str:
    """Content-stream operators of one page's marks, in the page's final coordinates."""
    x0, y0, x1, y1 = trim
    b, g, n = s.bleed, MARK_GAP, MARK_LEN
    colour = {"gray": "0 G 0 g", "cmyk": "0 0 0 1 K 0 0 0 1 k"}.get(s.color, "0 G 0 g")
    out = [f"q {colour} {MARK_WIDTH} w [] 0 d 0 J"]
    if s.crop:
        for x, sx in ((x0, -1), (x1, 1)):
            for y, sy in ((y0, -1), (y1, 1)):
                out.append(_line(x + sx * (b + g), y, x + sx * (b + g + n), y))   # along the edge's line
                out.append(_line(x, y + sy * (b + g), x, y + sy * (b + g + n)))
    if s.center:
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        for y, sy in ((y0, -1), (y1, 1)):
            out.append(_line(xm, y + sy * (b + g), xm, y + sy * (b + g + n)))
            out.append(_line(xm - n / 2, y + sy * (b + g + n / 2), xm + n / 2, y + sy * (b + g + n / 2)))
        for x, sx in ((x0, -1), (x1, 1)):
            out.append(_line(x + sx * (b + g), ym, x + sx * (b + g + n), ym))
            out.append(_line(x + sx * (b + g + n / 2), ym - n / 2, x + sx * (b + g + n / 2), ym + n / 2))
    if slug and glyphs is not None:
        # below the bottom BleedBox, between the corner marks
        out.append(glyphs.ops(slug, x0 + b + g + n, y0 - b - g - SLUG_SIZE * 0.8, SLUG_SIZE))
    out.append("Q")
    return "\n" + "\n".join(out) + "\n"


def _line(xa: float, ya: float, xb: float, yb: float) -> str:
    return f"{xa:.3f} {ya:.3f} m {xb:.3f} {yb:.3f} l S"


def _grow(box: list[float], by: float) -> list[float]:
    return [box[0] - by, box[1] - by, box[2] + by, box[3] + by]


def _box(box: list[float]) -> Array:
    return Array([round(v, 3) for v in box])


def _shift(pdf: Pdf, page: pikepdf.Page, dx: float, dy: float) -> None:
    """Move the content, the boxes and the annotations by (dx, dy)."""
    page.contents_add(pikepdf.Stream(pdf, f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm\n".encode()), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
    for key in _BOXES:
        if key in page.obj:
            v = [float(x) for x in page.obj[key]]
            page.obj[key] = _box([v[0] + dx, v[1] + dy, v[2] + dx, v[3] + dy])
    for annot in page.obj.get("/Annots", []):
        if "/Rect" in annot:
            r = [float(x) for x in annot.Rect]
            annot.Rect = _box([r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy])
        dest = annot.get("/Dest")
        if isinstance(dest, Array) and len(dest) >= 4 and dest[1] == Name.XYZ:
            try:
                dest[2], dest[3] = float(dest[2]) + dx, float(dest[3]) + dy
            except (TypeError, ValueError):    # null: "keep the current value"
                pass


class _SlugFont:
    """Glyph outlines of one font file as path operators (no font object needed)."""

    def __init__(self, path: Path):
        # deferred: fontTools, needed only when a slug line is drawn
        from fontTools.ttLib import TTFont
        self.font = TTFont(str(path), lazy=True)
        self.cmap = self.font.getBestCmap()
        self.glyphs = self.font.getGlyphSet()
        self.upem = self.font["head"].unitsPerEm

    def ops(self, text: str, x: float, y: float, size: float) -> str:
        # deferred with the font itself (above)
        from fontTools.pens.basePen import BasePen

        out: list[str] = []
        scale = size / self.upem

        class Pen(BasePen):
            def _moveTo(self, p):
                out.append(f"{x + p[0] * scale:.2f} {y + p[1] * scale:.2f} m")

            def _lineTo(self, p):
                out.append(f"{x + p[0] * scale:.2f} {y + p[1] * scale:.2f} l")

            def _curveToOne(self, a, b, c):
                out.append(" ".join(f"{x + q[0] * scale:.2f} {y + q[1] * scale:.2f}" for q in (a, b, c)) + " c")

            def _closePath(self):
                out.append("h")

        start = x
        for ch in text:
            name = self.cmap.get(ord(ch))
            if name is None:
                x += size / 2
                continue
            glyph = self.glyphs[name]
            glyph.draw(Pen(self.glyphs))
            x += glyph.width * scale
        return " ".join(out) + " f" if out else f"% slug at {start:.1f}"
