"""Justification of a broken column (VT-06, VT-12): the slack goes to Latin word spaces
(≤ 0.5 em each), then to Han–Latin glue (¼ → ½ em), then equally to every gap; more
than LOOSE em per gap is a loose column (BB701).  The breaker asks `spacing` what a
candidate column would get, to prefer a hyphenation that keeps it tight (VT-12a).
"""
from __future__ import annotations

from ....diagnostics import Diagnostic, diag
from . import layout_types as lt

EPS = 1e-6
LOOSE = 0.1                 # em per gap; above it a column is loose (BB701)
SPACE_MAX = 0.5             # extra per Latin word space
GLUE_MAX = 0.25             # ¼ → ½ em Han–Latin glue (jlreq Appendix E, Table 6: cl-19/cl-27 1/4–1/2)


def trim_glue(col: lt.Column) -> None:
    """No Han–Latin glue at a column head or foot (VT-12)."""
    skip = (lt.CALL, lt.SPACE)
    units = col.units
    first = next((u for u in units if u.kind not in skip), None)
    if first is not None:
        first.glue_before = 0.0
        next(u for u in reversed(units) if u.kind not in skip).glue_after = 0.0


def justify(col: lt.Column, diags: list[Diagnostic]) -> None:
    """Spread the slack: word spaces, then glue, then every gap (VT-06)."""
    target = col.length_em + (col.hanging.width_em if col.hanging else 0.0)
    natural, gaps, spaces, glues = measure(col.units)
    slack = target - natural
    col.justified = True
    if slack <= EPS:
        if slack < -EPS:
            col.spacing_em = slack / gaps if gaps else 0.0
        return
    if spaces:
        col.space_extra_em = min(SPACE_MAX, slack / spaces)
        slack -= col.space_extra_em * spaces
    if glues and slack > EPS:
        col.glue_extra_em = min(GLUE_MAX, slack / glues)
        slack -= col.glue_extra_em * glues
    if gaps and slack > EPS:
        col.spacing_em = slack / gaps
    elif slack > EPS:
        col.justified = False   # one unit alone: nothing to spread
    if col.spacing_em > LOOSE + EPS and col.src is not None:
        diags.append(diag("BB701", col.src, f"loose column: {col.spacing_em:.3f} em added between "
                          f"characters ({col.text()[:12]}…)",
                          "a long Latin word or an unbreakable run pushed text on; rephrase nearby"))


def measure(units: list[lt.Unit]) -> tuple[float, int, int, int]:
    """(natural length, gaps, Latin spaces, glue sides) as Column computes them, in one pass."""
    call, space = lt.CALL, lt.SPACE
    vis = [u for u in units if u.kind != call]
    while vis and vis[-1].kind == space:
        vis.pop()
    if not vis:
        return 0.0, 0, 0, 0
    natural, spaces, glues = 0.0, 0, 0
    last = len(vis) - 1
    for i, u in enumerate(vis):
        natural += u.width_em
        if u.kind == space:
            spaces += 1
        if u.glue_before and i:
            natural += u.glue_before
            glues += 1
        if u.glue_after and i < last:
            natural += u.glue_after
            glues += 1
    return natural, last, spaces, glues


def spacing(units, length) -> float:
    """The letter-spacing justify would give units set as one column of `length`."""
    natural, gaps, spaces, glues = measure(units)
    slack = length - natural
    if spaces:
        slack -= min(SPACE_MAX, slack / spaces) * spaces
    if glues and slack > EPS:
        slack -= min(GLUE_MAX, slack / glues) * glues
    return slack / gaps if gaps and slack > EPS else 0.0
