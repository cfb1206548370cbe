"""Figures of a pdf edition: the image's placed size and its grid slots (PRINT-ENGINE.md §11).

A figure is one unsplittable item of the flow: its image takes whole grid
slots across the columns (so no column is ever broken off the grid, VT-02)
and at most the full column length along them; its caption follows as
columns of its own, in the book's vertical style.  The paginator
(paginator.py) decides where it goes: at its place in the text, at the start
of the next page, or on a page of its own (a plate).

Sizes: a raster image's natural size is its pixels at its own resolution
(the file's dpi, else 96 per inch: a CSS pixel); an SVG's is its width and
height (else its viewBox in CSS pixels).  The author's `width=` sets the
image's own width (`50%` of the type area's width on the page, or a CSS
length); nothing is ever enlarged past its natural size, and everything is
shrunk to fit the type area.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ....config import MM
from . import layout_types as lt

PX = 0.75                        # pt per CSS pixel
PLATE_SHARE = 2 / 3              # a figure wider than this share of the page's slots becomes a plate
TURN_GAIN = 1.4                  # a plate is turned when that makes it this much larger (each side)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px|pt|mm|cm|in|pc|em|%)?\s*$")
_UNIT_PT = {"px": PX, "pt": 1.0, "mm": MM, "cm": 10 * MM, "in": 72.0, "pc": 12.0, None: PX}


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """What the layout needs of a figure block, whatever the model calls it."""
    path: Path                   # the image file (resolved inside the book root)
    width: str = ""              # the author's width= ("" = natural size)
    plate: bool = False          # .plate: a page of its own
    landscape: bool = False      # .landscape: a plate turned 90°


def natural_size_pt(path: Path) -> tuple[float, float]:
    """(width, height) in pt of the image as drawn at its own resolution."""
    if path.suffix.lower() == ".svg":
        return _svg_size(path)
    from PIL import Image  # deferred: Pillow only for books with raster figures
    with Image.open(path) as im:
        w, h = im.size
        dpi = im.info.get("dpi")
    try:
        dx, dy = (float(dpi[0]), float(dpi[1])) if dpi else (96.0, 96.0)
    except (TypeError, ValueError, IndexError):
        dx = dy = 96.0
    dx, dy = (dx if dx > 1 else 96.0), (dy if dy > 1 else 96.0)
    return w * 72.0 / dx, h * 72.0 / dy


def _svg_size(path: Path) -> tuple[float, float]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.parse(str(path), parser).getroot()
    box = [float(v) for v in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if v] or [0, 0, 300, 150]
    vw, vh = (box[2], box[3]) if len(box) == 4 else (300.0, 150.0)
    w, h = _length_pt(root.get("width"), vw * PX), _length_pt(root.get("height"), vh * PX)
    if root.get("width") and not root.get("height") and vw:
        h = w * vh / vw
    elif root.get("height") and not root.get("width") and vh:
        w = h * vw / vh
    return max(w, 1.0), max(h, 1.0)


def _length_pt(value: str | None, default: float, whole: float | None = None, em: float = 0.0) -> float:
    mt = _LENGTH.match(value or "")
    if not mt:
        return default
    n, unit = float(mt.group(1)), mt.group(2)
    if unit == "%":
        return n / 100 * whole if whole is not None else default
    if unit == "em":
        return n * em if em else default
    return n * _UNIT_PT[unit]


def svg_text(path: Path) -> str:
    """The text an SVG draws, in document order: it reaches the page (a font
    must hold it, fonts/charset.py) and the text layer (layout.json lists it)."""
    if path.suffix.lower() != ".svg":
        return ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    root = etree.parse(str(path), parser).getroot()
    return "".join(t for el in root.iter() if isinstance(el.tag, str)
                   and etree.QName(el).localname in ("text", "tspan", "textPath")
                   for t in (el.text,) if t and t.strip())


def file_digest(path: Path) -> str:
    """The image bytes' hash: the page HTML carries it, so the page cache redraws a
    page whose image changed under the same name."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:20]


def size_figure(placed: lt.Placed, spec: FigureSpec, geo: lt.Geometry, vertical: bool) -> None:
    """Fill in the placed size, slots, plate and turn of a figure whose caption is set.

    A figure that becomes a plate on its own (no `.plate`, no `.landscape`)
    is turned when that draws it at least TURN_GAIN times larger: a wide
    chart on a portrait page."""
    s = geo.font_size_pt
    w, h = natural_size_pt(spec.path)
    page_width_pt = (geo.width_em if vertical else geo.chars) * s   # the type area's P width
    want = _length_pt(spec.width, w, page_width_pt, s) if spec.width else w
    scale = min(1.0, want / w) if w else 1.0
    free = geo.columns - len(placed.caption)             # slots left for the image on a page
    max_across = max(free * geo.pitch_em - geo.gap_em, 0.0) * s
    max_along = geo.chars * s

    def fit(turned: bool) -> tuple[float, float]:
        across, along = (w, h) if vertical != turned else (h, w)
        k = min(scale, max_along / along, max_across / across)
        return across * k / s, along * k / s

    turned = spec.landscape
    placed.across_em, placed.along_em = fit(turned)
    slots = max(1, math.ceil((placed.across_em + geo.gap_em) / geo.pitch_em - 1e-6))
    placed.plate = spec.plate or turned or slots + len(placed.caption) > geo.columns * PLATE_SHARE
    if placed.plate and not (spec.plate or spec.landscape):
        across, along = fit(True)
        if across * along >= TURN_GAIN ** 2 * placed.across_em * placed.along_em:
            turned, placed.across_em, placed.along_em = True, across, along
    placed.image_slots = free if placed.plate else slots
    placed.turned = turned


def fits_a_page(placed: lt.Placed, geo: lt.Geometry) -> bool:
    """Whether the figure can be placed at all: its caption leaves room for the image."""
    return placed.slots <= geo.columns and placed.image_slots >= 1 and placed.across_em > 0
