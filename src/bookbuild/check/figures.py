"""BB901–BB905: figures, numbered tables and cross-references (docs/FORMAT.md, Figures).

BB901 an image with no text alternative (no `alt=`, no caption): a screen reader says nothing
BB902 a raster image below 300 ppi at its placed size in a print edition (transform/figures.py
      `placed_size` is the rule); the message gives the pixel size that would do
BB903 an image whose `width` makes it larger than the type area even turned as a plate
BB904 a cross-reference `[](#id)` to no figure or captioned table
BB905 a figure or table id given twice

Image files are read for their header only (Pillow's lazy open, after check/assets.py
vetted them: a file it refuses is skipped here).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostic, diag
from ..transform.figures import FIGURE, MIN_PPI, fits_page, number_figures, numbered_blocks, pixels_needed, placed_size
from .assets import image_path

_SVG_BOX = re.compile(rb"""\bviewBox\s*=\s*["']\s*[-0-9.eE]+[\s,]+[-0-9.eE]+[\s,]+([0-9.eE]+)[\s,]+([0-9.eE]+)""")


def check_figures(book: m.Book) -> list[Diagnostic]:
    nums = number_figures(book)
    out: list[Diagnostic] = []
    for again, first in nums.duplicates:
        what = "figure" if again.kind == FIGURE else "table"
        out.append(diag("BB905", again.where, f"#{again.id} names this {what} and an earlier one at "
                        f"{first.where}", "give each figure and table an id of its own"))
    for file, blocks in _documents(book):
        for node in m.walk_blocks_inlines(blocks):
            if isinstance(node, m.XRef) and node.target not in nums.by_id:
                out.append(diag("BB904", node.pos, f"[](#{node.target}) refers to no figure or captioned table",
                                "use the id of a figure `{#fig-…}` or of a table's caption `: … {#tbl-…}`"))
        out += _images(book, blocks, file)
    return out


def _documents(book: m.Book):
    for ch in book.chapters:
        yield ch.file, ch.blocks
    for note in book.notes.values():
        yield note.pos.file, note.blocks


def _images(book: m.Book, blocks: list[m.Block], file: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    figures = [b for b in numbered_blocks(blocks) if isinstance(b, m.Figure)]
    in_figure = {id(f.image) for f in figures}
    for node in m.walk_blocks_inlines(blocks):
        if isinstance(node, m.Image) and id(node) not in in_figure and not m.plain_text(node.alt).strip():
            out.append(diag("BB901", node.pos or m.Pos(file, 1, 1), f"image {node.src} has no text alternative",
                            "describe it: ![what it shows](file), or make it a figure with a caption"))
    pdfs = [e for e in book.config.editions if e.format == "pdf"]
    for fig in figures if pdfs else []:
        out += _print_size(book, fig, pdfs)
    return out


def _print_size(book: m.Book, fig: m.Figure, pdfs) -> list[Diagnostic]:
    path, refused = image_path(fig.src, fig.pos.file, book.root)
    size = None if refused or path is None else _pixels(path)
    if size is None:
        return []
    px_w, px_h, raster, natural_w = size
    aspect = px_h / px_w
    placed = {e.name: placed_size(e, fig.classes, fig.attrs, aspect, natural_w) for e in pdfs}
    too_big = [e.name for e in pdfs if not fits_page(e, placed[e.name])]
    if too_big:
        return [diag("BB903", fig.pos, f"image {fig.src} at width={fig.attrs.get('width')} is larger than the "
                     f"page of {', '.join(too_big)}, even turned as a plate",
                     "give a smaller width (a percentage of the type area, e.g. width=100%), or none")]
    low = {name: wh for name, wh in placed.items() if raster and px_w / (wh[0] / 72) < MIN_PPI - 0.5}
    if not low:
        return []
    worst = max(low, key=lambda name: low[name][0])
    need_w, need_h = pixels_needed(low[worst])
    ppi = px_w / (low[worst][0] / 72)
    return [diag("BB902", fig.pos, f"image {fig.src} is {px_w}×{px_h} px: {ppi:.0f} ppi at its placed width "
                 f"{low[worst][0] / 72 * 25.4:.0f} mm in {', '.join(low)}; {MIN_PPI} ppi needs {need_w}×{need_h} px",
                 "use a larger image (or SVG), or give the figure a smaller width=…")]


def _pixels(path: Path) -> tuple[float, float, bool, float | None] | None:
    """(width, height, is raster, natural width in pt) from the file's header; an SVG's
    from its viewBox (drawn as vectors: scaled to fit, no natural width)."""
    if path.suffix.lower() == ".svg":
        mt = _SVG_BOX.search(path.read_bytes()[:8192])
        w, h = (float(mt.group(1)), float(mt.group(2))) if mt else (0.0, 0.0)
        return (w, h, False, None) if w > 0 and h > 0 else None
    from PIL import Image, UnidentifiedImageError  # deferred: Pillow only when the book has figures
    try:
        with warnings.catch_warnings(), Image.open(path) as img:
            warnings.simplefilter("ignore")
            w, h = img.size
            dpi = _dpi(img.info.get("dpi"))
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return (w, h, True, w * 72.0 / dpi) if w > 0 and h > 0 else None


def _dpi(value) -> float:
    """The file's horizontal resolution, else 96 per inch (a CSS pixel), as print reads it."""
    try:
        dpi = float(value[0]) if value else 96.0
    except (TypeError, ValueError, IndexError):
        dpi = 96.0
    return dpi if dpi > 1 else 96.0
