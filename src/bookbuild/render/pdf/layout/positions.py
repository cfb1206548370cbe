"""Where each unit of a column sits along it, in column em from the column head.

The HTML emission (drawing/column_html.py) places the cells this way, so the
overlays (專名號, emphasis dots) and the link areas computed from these
positions land on the drawn cells.
"""
from __future__ import annotations

from . import layout_types as lt


def visible_units(col: lt.Column) -> list[lt.Unit]:
    vis = col.visible()
    end = len(vis)
    while end and vis[end - 1].kind == lt.SPACE:
        end -= 1
    return vis[:end]


def _glue(col: lt.Column, vis: list[lt.Unit], i: int) -> tuple[float, float]:
    """(before, after) Han–Latin glue of unit i; none at the column head/foot."""
    u = vis[i]
    before = u.glue_before + col.glue_extra_em if i > 0 and u.glue_before else 0.0
    after = u.glue_after + col.glue_extra_em if i < len(vis) - 1 and u.glue_after else 0.0
    return before, after


def unit_spans(col: lt.Column) -> list[tuple[lt.Unit, float, float]]:
    """(unit, start, end) along the column in column em from the column head.

    Mirrors the emission (drawing/column_html.py), so overlays land on the drawn cells.
    """
    vis = visible_units(col)
    pos, out = col.indent_em, []
    for i, u in enumerate(vis):
        before, after = _glue(col, vis, i)
        pos += before
        out.append((u, pos, pos + u.width_em))
        pos += u.width_em + after
        if i < len(vis) - 1:
            pos += col.spacing_em
            if vis[i + 1].kind == lt.SPACE:
                pos += col.space_extra_em
    return out
