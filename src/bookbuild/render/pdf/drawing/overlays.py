"""Interlinear marks of a column (專名號, wavy 書名號, emphasis dots, VT-20..22)
and the note rule: where they lie on L, and how each is drawn.

The geometry is computed once here; page_html.py writes it as HTML boxes
for WeasyPrint and textpages.py as PDF path operators, so both kinds of
page draw a mark at the same place.  Every cell's place is known arithmetic
(layout/positions.py): WeasyPrint has no text-emphasis, and
text-decoration cannot keep two adjacent names apart.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..layout import layout_types as lt
from ..layout.frame import Frame, css_pt
from ..layout.positions import unit_spans

NAME, WAVY, DOT = "pn", "title-a", "em-dot"
RULE_WIDTH = 0.4        # pt, print.css `.rule { border-top: .4pt }`


@dataclass(frozen=True, slots=True)
class Mark:
    """A box on L (pt, y down) and what is drawn in it."""
    kind: str
    left: float
    top: float
    width: float
    height: float
    em: float           # the column's font size (the wavy line's amplitude and stroke)


def _is_punct(text: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PS" for ch in text)


MARKED = lt.NAME | lt.TITLE_WAVY | lt.EMPH


def marked(col: lt.Column) -> bool:
    """Whether the column has a mark to draw (most have none: no positions computed)."""
    return any(u.flags & MARKED for u in col.units)


def column_marks(col: lt.Column, frame: Frame, y0: float) -> list[Mark]:
    em = col.size * frame.s
    yc = y0 + col.x_em * frame.s
    spans = unit_spans(col)
    out: list[Mark] = []
    called = {id(u) for u, nxt in zip(col.units, col.units[1:]) if nxt.kind == lt.CALL}
    for flag, kind in ((lt.NAME, NAME), (lt.TITLE_WAVY, WAVY)):
        for r in _runs(spans, flag):
            x = frame.x0 + (r[0][1] + 0.06) * em
            w = (r[-1][2] - r[0][1] - 0.12) * em
            out.append(_line(kind, x, yc + em / 2, w, em))
    for u, a, b in spans:
        if u.flags & lt.EMPH and u.kind in (lt.HAN, lt.TCY, lt.UPRIGHT) \
                and not _is_punct(u.text) and id(u) not in called:
            d = 0.16 * em
            side = 1 if frame.horizontal else -1    # under a horizontal line (clreq), else right
            cx, cy = frame.x0 + (a + b) / 2 * em, yc + side * (em / 2 + 0.22 * em)
            out.append(Mark(DOT, cx - d / 2, cy - d / 2, d, d, em))
    return out


def _runs(spans, flag: int) -> list[list[tuple]]:
    """Consecutive spans with `flag` and one mark id (adjacent names stay apart)."""
    runs: list[list[tuple]] = []
    prev = None
    for s in spans:
        if s[0].flags & flag:
            if prev is not None and runs and prev[0].flags & flag and prev[0].mark == s[0].mark:
                runs[-1].append(s)
            else:
                runs.append([s])
        prev = s
    return runs


def _line(kind: str, x: float, y: float, w: float, em: float) -> Mark:
    """A straight or wavy line in the gap left of the column (below it in L)."""
    if kind == NAME:
        return Mark(NAME, x, y + 0.08 * em, w, max(0.4, 0.05 * em), em)
    h = 4 * 0.06 * em
    return Mark(WAVY, x, y + 0.14 * em - h / 2, w, h, em)


def wave(m: Mark) -> tuple[list[tuple[float, float, float, float]], float]:
    """The wavy line in its own box: quadratic segments (control x, y, end x, y)
    relative to the segment start, which starts at (0, height/2); and the stroke width."""
    amp, wavelength = 0.06 * m.em, 0.5 * m.em
    n = max(1, round(m.width / wavelength))
    step = m.width / n
    return [(step / 2, (-1 if i % 2 == 0 else 1) * 2 * amp, step, 0.0) for i in range(n)], 0.045 * m.em


# ------------------------------------------------------------ as HTML

def mark_html(m: Mark) -> str:
    if m.kind == DOT:
        return (f'<div class="em-dot" style="left:{css_pt(m.left)};top:{css_pt(m.top)};'
                f'width:{css_pt(m.width)};height:{css_pt(m.height)}"></div>')
    if m.kind == NAME:
        return (f'<div class="pn" style="left:{css_pt(m.left)};top:{css_pt(m.top)};'
                f'width:{css_pt(m.width)};height:{css_pt(m.height)}"></div>')
    segments, stroke = wave(m)
    w, h = m.width, m.height
    d = [f"M0 {h / 2:.3f}"] + [f"q {a:.3f} {b:.3f} {c:.3f} 0" for a, b, c, _ in segments]
    return (f'<svg class="title-a" style="left:{css_pt(m.left)};top:{css_pt(m.top)}" '
            f'width="{w:.3f}pt" height="{h:.3f}pt" viewBox="0 0 {w:.3f} {h:.3f}">'
            f'<path d="{" ".join(d)}" fill="none" stroke="black" stroke-width="{stroke:.3f}"/></svg>')


# ------------------------------------------------------------ as PDF operators (L, y down)

_K = 0.5523   # a quarter circle as one cubic Bézier


def mark_ops(m: Mark) -> str:
    if m.kind == NAME:
        return f"{num(m.left)} {num(m.top)} {num(m.width)} {num(m.height)} re f\n"
    if m.kind == DOT:
        r = m.width / 2
        cx, cy, k = m.left + r, m.top + r, _K * r
        return (f"{num(cx + r)} {num(cy)} m "
                f"{num(cx + r)} {num(cy + k)} {num(cx + k)} {num(cy + r)} {num(cx)} {num(cy + r)} c "
                f"{num(cx - k)} {num(cy + r)} {num(cx - r)} {num(cy + k)} {num(cx - r)} {num(cy)} c "
                f"{num(cx - r)} {num(cy - k)} {num(cx - k)} {num(cy - r)} {num(cx)} {num(cy - r)} c "
                f"{num(cx + k)} {num(cy - r)} {num(cx + r)} {num(cy - k)} {num(cx + r)} {num(cy)} c f\n")
    segments, stroke = wave(m)
    x, y = m.left, m.top + m.height / 2
    ops = [f"{num(stroke)} w {num(x)} {num(y)} m"]
    for qx, qy, ex, ey in segments:     # a quadratic as a cubic: controls at 2/3 towards q
        ops.append(f"{num(x + 2 * qx / 3)} {num(y + 2 * qy / 3)} {num(x + ex + 2 * (qx - ex) / 3)} "
                   f"{num(y + ey + 2 * (qy - ey) / 3)} {num(x + ex)} {num(y + ey)} c")
        x, y = x + ex, y + ey
    return " ".join(ops) + " S\n"


def rule_ops(left: float, top: float, width: float) -> str:
    return f"{num(left)} {num(top)} {num(width)} {num(RULE_WIDTH)} re f\n"


def num(v: float) -> str:
    """A length in a content stream: 0.001 pt, no trailing zeros."""
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"
