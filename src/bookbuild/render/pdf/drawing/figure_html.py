"""Figures and table rules of one page as HTML (PRINT-ENGINE.md §11).

Positions come from the layout (Placed, TableGrid) in grid em: "across" is
where the columns follow each other, "along" the column direction.  On the
drawn page both editions use the same numbers: along → L x from the type
area's left, across → L y from its top (a vertical page is turned after
drawing, a horizontal one is not: frame.py).

An image must look upright on the reading page.  A vertical page is turned
90° clockwise after drawing, so its images are drawn turned 90° the other
way; a landscape plate is drawn as it is, which the turn brings to lie with
its top at the page's right (the turned-plate rule of §11).  A horizontal
edition draws images as they are, and turns a landscape plate
counter-clockwise (its top at the page's left).
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..layout import layout_types as lt
from ..layout.frame import Frame, css_pt
from .svgtext import svg_for_print

RULE_OUTER, RULE_HEAD, RULE_INNER = 0.8, 0.5, 0.3     # pt: table box, below the header, between cells


def figure_html(fig: lt.Placed, frame: Frame, y0: float, geo: lt.Geometry) -> str:
    s = frame.s
    room = fig.image_slots * geo.pitch_em - geo.gap_em        # the image's slots, across
    across0 = fig.x_em + max(0.0, room - fig.across_em) / 2
    along0 = (geo.chars - fig.along_em) / 2 if fig.plate else 0.0
    left, top = frame.x0 + along0 * s, y0 + across0 * s
    lw, lh = fig.along_em * s, fig.across_em * s             # the box on the drawn page
    turned_here = (not frame.horizontal) != fig.turned       # drawn turned by -90°
    if turned_here:
        cx, cy = left + lw / 2, top + lh / 2
        w, h = lh, lw
        style = (f"left:{css_pt(cx - w / 2)};top:{css_pt(cy - h / 2)};width:{css_pt(w)};"
                 f"height:{css_pt(h)};transform:rotate(-90deg)")
    else:
        style = f"left:{css_pt(left)};top:{css_pt(top)};width:{css_pt(lw)};height:{css_pt(lh)}"
    # data-digest: the image's bytes are part of the page (the page cache keys the HTML)
    return (f'<img class="fig" src="{escape(_url(fig))}" alt="" data-digest="{fig.digest}" '
            f'style="position:absolute;{style}">')


def _url(fig: lt.Placed) -> str:
    """What WeasyPrint fetches: the file, or an SVG's copy whose text uses the derived face."""
    if not fig.image.lower().endswith(".svg"):
        return fig.image
    # deferred: urllib.request pulls in http.client and email (0.01 s), for a figure's SVG only
    from urllib.request import url2pathname
    return svg_for_print(Path(url2pathname(unquote(urlsplit(fig.image).path))), fig.digest)


def table_rules_html(cols: list[lt.Column], frame: Frame, y0: float, geo: lt.Geometry) -> str:
    """The ruled lines of every table (run of table columns) on the page."""
    out: list[str] = []
    run: list[lt.Column] = []
    for c in cols + [lt.Column([])]:
        if c.table is not None and run and c.table is run[0].table:
            run.append(c)
            continue
        if run:
            out.append(_rules(run, frame, y0, geo))
        run = [c] if c.table is not None else []
    return "".join(out)


def _rules(run: list[lt.Column], frame: Frame, y0: float, geo: lt.Geometry) -> str:
    grid = run[0].table
    half = 0.5 + geo.gap_em / 2
    a0, a1 = run[0].x_em - half, run[-1].x_em + half       # across: the table's two sides
    length = grid.length_em
    out = [_across_rule(a0, 0.0, length, RULE_OUTER, frame, y0),
           _across_rule(a1, 0.0, length, RULE_OUTER, frame, y0)]
    for prev, nxt in zip(run, run[1:]):
        if nxt.block != prev.block:                        # between two rows
            t = RULE_HEAD if prev.role == lt.TABLE_HEAD and nxt.role != lt.TABLE_HEAD else RULE_INNER
            out.append(_across_rule((prev.x_em + nxt.x_em) / 2, 0.0, length, t, frame, y0))
    for e in grid.edges():                                 # between two fields, over every row
        out.append(_along_rule(e, a0, a1, RULE_INNER, frame, y0))
    return "".join(out)


def _across_rule(x: float, along0: float, along1: float, t: float, frame: Frame, y0: float) -> str:
    """A rule at `x` across, running along the column from `along0` to `along1` (em)."""
    s = frame.s
    return _div(frame.x0 + along0 * s, y0 + x * s - t / 2, (along1 - along0) * s, t)


def _along_rule(e: float, x0: float, x1: float, t: float, frame: Frame, y0: float) -> str:
    """A rule at `e` along the column, running across from `x0` to `x1` (em)."""
    s = frame.s
    return _div(frame.x0 + e * s - t / 2, y0 + x0 * s, t, (x1 - x0) * s)


def _div(left: float, top: float, w: float, h: float) -> str:
    return (f'<div class="tr" style="position:absolute;left:{css_pt(left)};top:{css_pt(top)};'
            f'width:{css_pt(w)};height:{css_pt(h)};background:#000"></div>')
