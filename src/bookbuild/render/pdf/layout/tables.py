"""A table set on the grid (PRINT-ENGINE.md §11): every row is a column.

In a vertical edition a row becomes a column read top to bottom, the rows
follow each other right to left, the header row first; in a horizontal one a
row is a line.  Every table column (a "field") gets a fixed stretch of the
column, `segments[c]` cells, with one cell between fields where the ruled
line runs: the fields line up across the rows like the cells of a printed
table.  A field too long for its stretch wraps onto a further column of the
same row, so a row may take several columns; it never leaves the grid.

A table longer than a page continues on the next page with its header
repeated (paginator.py); the rules are drawn by drawing/table_html.py from
the `TableGrid` every row column carries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ....model import Pos
from . import layout_types as lt

FIELD_GAP = 1.0        # body em between two fields: the ruled line runs in its middle


@dataclass(eq=False)
class TableGrid:
    """What the rows of one table share (identity matters: a page groups rows by it)."""
    id: str
    label: str
    src: Pos | None
    segments: list[int]                 # cells per field, in reading order
    gap: float = FIELD_GAP
    header: list[lt.Column] = field(default_factory=list)   # the header row columns (repeated)

    @property
    def length_em(self) -> float:
        return sum(self.segments) + self.gap * (len(self.segments) - 1)

    def edges(self) -> list[float]:
        """Along the column, where the ruled lines between fields run."""
        out, at = [], 0.0
        for s in self.segments[:-1]:
            at += s
            out.append(at + self.gap / 2)
            at += self.gap
        return out


def natural(units: list[lt.Unit]) -> float:
    return lt.Column(list(units)).natural_em()


def segments(rows: list[list[list[lt.Unit]]], chars: int, gap: float = FIELD_GAP) -> list[int] | None:
    """Cells per field: the longest cell of each field, shrunk in proportion
    when the fields do not fit one column together (None: not even one cell each)."""
    n = max((len(r) for r in rows), default=0)
    if n == 0:
        return None
    want = [max(1, max((math.ceil(natural(r[c]) - 1e-6) for r in rows if c < len(r)), default=1))
            for c in range(n)]
    room = chars - gap * (n - 1)
    if sum(want) <= room:
        return want
    if room < n:
        return None
    scale = room / sum(want)
    segs = [max(1, int(w * scale)) for w in want]
    while sum(segs) > room:                  # rounding: take from the widest
        segs[segs.index(max(segs))] -= 1
    return segs


def row_columns(cells: list[list[lt.Unit]], segs: list[int], role: str, grid: TableGrid, block: int,
                chars: int, break_cell) -> list[lt.Column]:
    """One table row as columns: each field's text in its stretch, padded with blanks.

    `break_cell(units, cells)` breaks one field's units into pieces of at most
    `cells` em (the column breaker, with kinsoku)."""
    pieces = [break_cell(cells[c], segs[c]) if c < len(cells) and cells[c] else [[]]
              for c in range(len(segs))]
    height = max(len(p) for p in pieces)
    cols = []
    for k in range(height):
        units: list[lt.Unit] = []
        for c, seg in enumerate(segs):
            piece = pieces[c][k] if k < len(pieces[c]) else []
            units += piece
            pad = seg - natural(piece) + (grid.gap if c < len(segs) - 1 else 0.0)
            if pad > 1e-9 and c < len(segs) - 1:
                units.append(lt.Unit("", lt.BLANK, pad, None, -1, lt.GENERATED))
        src = next((u.src for u in units if u.anchor is not None), grid.src)
        col = lt.Column(units, role=role, length_em=float(chars), block=block, src=src,
                        first_of_paragraph=k == 0, last_of_paragraph=k == height - 1)
        col.table = grid
        cols.append(col)
    return cols
