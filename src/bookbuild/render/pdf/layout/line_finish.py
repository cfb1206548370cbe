"""Passes over one line of units once it is complete (units.py builds it).

Latin context decides how acronyms are set and which spaces survive
(VT-12); Han–Latin glue is added where a sideways run touches Han; a
note call that opens a line moves after its first cell (VT-23).  `Stream`
is the edition's normalized text that the units index.
"""
from __future__ import annotations

from ....charclass import is_han
from . import layout_types as lt


def finish_line(units: list[lt.Unit], advance) -> list[lt.Unit]:
    """Acronyms, spaces and glue of a finished line (in this order)."""
    kinds = {u.kind for u in units}     # most lines are Han only: skip the passes that cannot act
    if lt.UPRIGHT in kinds:
        units = acronyms_in_latin(units, advance)
    if lt.SPACE in kinds:
        units = tidy_spaces(units)
    if lt.SIDEWAYS in kinds or lt.UPRIGHT in kinds:
        set_glue(units)
    return units


def acronyms_in_latin(units: list[lt.Unit], advance) -> list[lt.Unit]:
    """Acronym letters are upright only in CJK context (VT-12); inside a Latin phrase
    (`DREA E, VAN DE VEN H.`) they lie sideways with their words."""
    if not any(u.kind == lt.UPRIGHT for u in units):
        return units
    changed = True
    while changed:
        changed = False
        runs = _upright_letter_runs(units)
        for a, b in reversed(runs):
            if _latin_neighbour(units, a - 1, -1) or _latin_neighbour(units, b, 1):
                text = "".join(u.text for u in units[a:b])
                u0 = units[a]
                units[a:b] = [lt.Unit(text, lt.SIDEWAYS, advance(text), u0.anchor, u0.offset,
                                      u0.flags, 0.0, 0.0, u0.mark, u0.note_id, 0, u0.delta)]
                changed = True
    return units


def _upright_letter_runs(units) -> list[tuple[int, int]]:
    runs, i = [], 0
    while i < len(units):
        if units[i].kind == lt.UPRIGHT and units[i].text.isalpha():
            j = i + 1
            while j < len(units) and units[j].kind == lt.UPRIGHT and units[j].flags & lt.NOBREAK_BEFORE:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _latin_neighbour(units, i, step) -> bool:
    """Is the nearest unit in direction `step` (past spaces and calls) a Latin word?"""
    while 0 <= i < len(units) and units[i].kind in (lt.SPACE, lt.CALL):
        i += step
    return 0 <= i < len(units) and units[i].kind == lt.SIDEWAYS and any(c.isalpha() for c in units[i].text)


def tidy_spaces(units: list[lt.Unit]) -> list[lt.Unit]:
    """Keep a Latin space only between two Latin units (VT-12: Han–Latin spacing
    comes from glue, not from the author's space); drop repeated spaces."""
    out: list[lt.Unit] = []
    latin = (lt.SIDEWAYS, lt.UPRIGHT)
    for i, u in enumerate(units):
        if u.kind == lt.SPACE:
            prev = next((v for v in reversed(out) if v.kind != lt.CALL), None)
            nxt = next((v for v in units[i + 1:] if v.kind != lt.CALL), None)
            if prev is None or nxt is None or prev.kind not in latin or nxt.kind not in latin \
                    or out[-1].kind == lt.SPACE:
                continue
        out.append(u)
    return out


def set_glue(units: list[lt.Unit]) -> None:
    """¼ em on a side of a sideways run that touches a Han character (VT-12)."""
    for i, u in enumerate(units):
        if u.kind != lt.SIDEWAYS:
            continue
        j = i - 1
        while j >= 0 and units[j].kind == lt.CALL:
            j -= 1
        if j >= 0 and units[j].kind == lt.HAN and is_han(units[j].text[0]):   # [0]: a VS may follow
            u.glue_before = 0.25
        k = i + 1
        while k < len(units) and units[k].kind == lt.CALL:
            k += 1
        if k < len(units) and units[k].kind == lt.HAN and is_han(units[k].text[0]):
            u.glue_after = 0.25


class Stream:
    """The edition's normalized text: every unit's text, in creation order."""

    def __init__(self):
        self.parts: list[str] = []
        self.n = 0

    def add(self, text: str) -> int:
        off = self.n
        self.parts.append(text)
        self.n += len(text)
        return off

    def text(self) -> str:
        return "".join(self.parts)

    def rotate(self, start: int, mid: int, end: int) -> None:
        """Rewrite [start, end) as [mid, end) + [start, mid); only the current
        block's tail can be touched (its parts are the last ones)."""
        tail, n = [], self.n
        while self.parts and n > start:
            part = self.parts.pop()
            n -= len(part)
            tail.append(part)
        text = "".join(reversed(tail))
        a, b, c = start - n, mid - n, end - n
        self.parts.append(text[:a] + text[b:c] + text[a:b] + text[c:])


def call_after_first_cell(line: list[lt.Unit], stream: Stream) -> None:
    """VT-23: a call never starts a column and sits right of the character it
    follows.  A call that opens a line (a citation at a paragraph start) has
    none, so it follows the line's first cell instead, in the units and in
    the text stream alike (layout.json and the text layer agree)."""
    k = 0
    while k < len(line) and line[k].kind == lt.CALL:
        k += 1
    if k == 0 or k == len(line):
        return
    cell, calls = line[k], line[:k]
    start, f = calls[0].offset, cell.offset
    if min(u.offset for u in calls) < 0 or f < start:
        return
    n = len(cell.text)
    stream.rotate(start, f, f + n)
    for u in calls:
        u.offset += n
        u.flags |= lt.NOBREAK_BEFORE
    cell.offset = start
    line[:k + 1] = [cell] + calls
