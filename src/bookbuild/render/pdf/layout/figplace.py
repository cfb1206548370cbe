"""FIGURE blocks (figblocks.py) → what the paginator places.

A figure becomes one placeholder column (role FIGURE) carrying its `Placed`:
the image's size and slots (figures.py) and its caption columns.  A table
becomes its caption columns and its row columns (tables.py).  Whatever cannot
be placed is BB704, an error at the block's position: never a silent drop.
"""
from __future__ import annotations

from .... import model as m
from ....check.assets import image_path
from ....diagnostics import Diagnostic, diag
from . import layout_types as lt
from .breaker import break_block
from .figures import FigureSpec, file_digest, fits_a_page, size_figure, svg_text
from .tables import TableGrid, row_columns, segments
from .units import Block


def place_block(b: Block, eng) -> tuple[list[lt.Column], list[Diagnostic]]:
    """Columns for one FIGURE block; `eng` is the layout engine (geometry, breaker)."""
    p = b.payload
    if p.kind == "table":
        return _table(b, eng)
    return _figure(b, eng)


def _figure(b: Block, eng) -> tuple[list[lt.Column], list[Diagnostic]]:
    p, geo = b.payload, eng.geo
    fig: m.Figure = p.block
    caption = eng._break([p.caption])
    placed = lt.Placed("figure", fig.id, p.label, fig.pos, caption=caption)
    path, refusal = image_path(fig.src, fig.pos.file, eng.book.root)
    if path is None:
        return [], [_cannot(fig.pos, p.label, f"the image {fig.src} cannot be used: {refusal.reason}",
                            refusal.hint)]
    spec = FigureSpec(path, fig.attrs.get("width", ""), "plate" in fig.classes, "landscape" in fig.classes)
    try:
        size_figure(placed, spec, geo, eng.ed.vertical)
        placed.digest = file_digest(path)
        placed.text = svg_text(path)
    except Exception as e:   # Pillow and lxml raise many kinds on a broken file
        return [], [_cannot(fig.pos, p.label, f"the image {fig.src} cannot be read ({type(e).__name__})",
                            "give a .png, .jpg or .svg file that opens in an image viewer")]
    if not fits_a_page(placed, geo):
        return [], [_cannot(fig.pos, p.label, f"its caption takes {len(caption)} columns and leaves no room "
                            f"for the image on a page of {geo.columns}", "shorten the caption")]
    placed.image, placed.file = path.as_uri(), fig.src
    col = lt.Column([], role=lt.FIGURE, block=b.id, src=fig.pos)
    col.figure = placed
    return [col], []


def _table(b: Block, eng) -> tuple[list[lt.Column], list[Diagnostic]]:
    p, geo = b.payload, eng.geo
    tbl: m.Table = p.block
    out = eng._break([p.caption]) if p.caption is not None else []
    segs = segments(p.rows, geo.chars)
    if segs is None:
        return out, [_cannot(tbl.pos, p.label or "a table", "it has more fields than a column has cells",
                             "split the table, or make it a figure")]
    grid = TableGrid(getattr(tbl, "id", ""), p.label, tbl.pos, segs)
    for r, cells in enumerate(p.rows):
        role = lt.TABLE_HEAD if r < p.header_rows else lt.TABLE_ROW
        eng.mk._blocks += 1
        cols = row_columns(cells, segs, role, grid, eng.mk._blocks, geo.chars,
                           lambda units, n: _break_cell(units, n, eng))
        if r < p.header_rows:
            grid.header += cols
        out += cols
    return out, []


def _break_cell(units: list[lt.Unit], cells: int, eng) -> list[list[lt.Unit]]:
    """One field's text in pieces of at most `cells` em, by the column breaker
    (kinsoku holds inside a table too).  Its justification is not used: a
    field is set ragged, like a cell of a printed table."""
    cols, _ = break_block(Block(lt.TABLE_ROW, [units], None), cells, eng.rules, eng.advance)
    return [c.units for c in cols]


def _cannot(pos, label: str, why: str, hint: str) -> Diagnostic:
    return diag("BB704", pos, f"{label or 'a figure'} cannot be placed in the pdf edition: {why}", hint)
