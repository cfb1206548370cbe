"""Column breaker: greedy fill, kinsoku push-out, justification (VT-05–07, VT-16–19).

Every CJK cell is exactly 1 em, so breaking is arithmetic: fill a column
greedily to its length, then move the break back (push-out) while it would
start a column with a start-prohibited mark, end one with an opening
bracket, or split a glued pair (note call, ——, 30％, warichu bracket).  The
slack of a non-final column is absorbed by Latin word spaces (≤ 0.5 em
each), then Han–Latin glue (¼ → ½ em), then equally by every gap.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .... import charclass as cc
from ....diagnostics import Diagnostic, diag
from ....model import Pos
from . import layout_types as lt
from .hyphenate import break_points
from .justify import EPS, LOOSE, justify, measure, spacing, trim_glue
from .units import Block, warichu_split

HANG = frozenset("。，、")  # VT-19 hanging marks
MAX_PUSH = 4                # cells a push-out may move before a kinsoku exception wins (VT-19)
OK, SOFT, HARD = 0, 1, 2    # break quality: fine / breaks kinsoku / splits glued units


@dataclass(frozen=True, slots=True)
class Rules:
    start: frozenset
    end: frozenset
    hanging: bool = False

    @classmethod
    def of(cls, edition) -> Rules:
        level = edition.kinsoku
        return cls(cc.START_PROHIBITED[level], cc.END_PROHIBITED_BY_LEVEL[level], edition.hanging)


def break_block(block: Block, chars: int, rules: Rules, advance=None) -> tuple[list[lt.Column], list[Diagnostic]]:
    """Break one block into columns of `chars` body em (minus the indents)."""
    if block.role == lt.BLANK_COL or not any(block.lines):
        return [lt.Column([], role=block.role, size=block.size, block=block.id, src=block.src,
                          indent_em=block.indent_first / block.size,
                          length_em=_length(chars, block.indent_first, block.size))], []
    cols: list[lt.Column] = []
    diags: list[Diagnostic] = []
    nlines = len(block.lines)
    for li, units in enumerate(block.lines):
        indent = block.indent_first if li == 0 else block.indent_rest
        first_len = _length(chars, indent, block.size)
        rest_len = _length(chars, block.indent_rest, block.size)
        spans, soft = _break_line(units, first_len, rest_len, rules, advance)
        spans = _share_back(units, spans, soft, (first_len, rest_len), rules)
        if li == nlines - 1 and block.role in (lt.BODY, lt.QUOTE, lt.NOTE):
            spans = _fix_widow(units, spans, rules, rest_len)
        for k, (s, e, hang) in enumerate(spans):
            col_indent = indent if k == 0 else block.indent_rest
            col = lt.Column(units[s:e], role=block.role, size=block.size, block=block.id,
                            indent_em=col_indent / block.size, length_em=first_len if k == 0 else rest_len,
                            first_of_paragraph=(li == 0 and k == 0),
                            last_of_paragraph=(li == nlines - 1 and k == len(spans) - 1),
                            note_id=block.note_id)
            first = next((u for u in col.units if u.anchor is not None), None)
            col.src = first.src if first is not None else block.src
            if hang:
                col.hanging = units[e - 1 - _trailing_calls(units, e)]
            trim_glue(col)
            if k < len(spans) - 1:
                justify(col, diags)
            if s in soft:
                diags.append(_kinsoku_diag(col, block))
            cols.append(col)
    return cols, diags


def _length(chars: int, indent: float, size: float) -> float:
    return round((chars - indent) / size, 9)


# ------------------------------------------------------------------ breaking

def _break_line(units, first_len, rest_len, rules, advance):
    """Column spans [(start, end, hanging)] of one line; `soft`: starts of
    columns whose break is a kinsoku exception (BB702)."""
    spans, soft = [], set()
    s, n, length = 0, len(units), first_len
    while s < n:
        e = _fit(units, s, length, advance)
        if e >= len(units):
            spans.append((s, len(units), False))
            break
        b, quality = _choose_break(units, s, e, rules)
        hang = False
        if quality != OK or b < e:
            h = _hang(units, e, rules)
            if h:
                b, quality, hang = h, OK, True
        if quality != OK:
            soft.add(b)
        elif not hang:
            b = _hyphenate(units, s, b, length, advance)
        spans.append((s, b, hang))
        s, length = b, rest_len
        n = len(units)          # warichu/word splitting may have grown the list
    return spans, soft


def _fit(units: list[lt.Unit], s: int, length: float, advance) -> int:
    """Largest end so that units[s:end] fits `length` (trailing spaces are free)."""
    # the hottest loop of the layout (one pass per column over its units): names are local
    call, space, limit = lt.CALL, lt.SPACE, length + EPS
    total, pending, prev, j = 0.0, 0.0, None, s
    while j < len(units):
        u = units[j]
        kind = u.kind
        if kind is call or kind == call:
            j += 1
            continue
        if kind is space or kind == space:
            if prev is not None:
                pending += u.width_em
            j += 1
            continue
        w = u.width_em
        if prev is not None:
            w += pending + prev.glue_after + u.glue_before
        if total + w > limit:
            room = length - total - (w - u.width_em)
            if _split_to_fit(units, j, room, prev is None, advance):
                continue        # units[j] is now a piece that fits
            if prev is None:    # a single unit wider than the column: overfull
                return _after_calls(units, j + 1)
            return j
        total += w
        pending, prev = 0.0, u
        j += 1
    return j


def _split_to_fit(units, j, room, alone, advance) -> bool:
    """Split a warichu (VT-25) or an over-long Latin run so its head fits `room`."""
    u = units[j]
    if u.kind == lt.WARICHU:
        starts = cc.cell_starts(u.text)
        k = 2 * int(room / 0.5 + EPS)           # cells that fit
        if k < 2 or k >= len(starts):
            return False
        units[j:j + 1] = _warichu_pieces(u, starts[k])
        return True
    if u.kind == lt.SIDEWAYS and alone and len(u.text) > 1:
        adv = advance or (lambda t: u.width_em * len(t) / len(u.text))
        ends = cc.cell_starts(u.text)[1:]       # cut only between cells (a combining mark stays on)
        if not ends:
            return False
        n = 0
        while n < len(ends) - 1 and adv(u.text[:ends[n + 1]]) <= room + EPS:
            n += 1
        k = ends[n]
        a = lt.Unit(u.text[:k], u.kind, adv(u.text[:k]), u.src, u.offset, u.flags, u.glue_before, 0.0,
                    u.mark, u.note_id)
        b = lt.Unit(u.text[k:], u.kind, adv(u.text[k:]), _shift(u.src, k), u.offset + k, u.flags,
                    0.0, u.glue_after, u.mark, u.note_id)
        units[j:j + 1] = [a, b]
        return True
    return False


def _hyphenate(units, s, b, length, advance) -> int:
    """VT-12a: when the column units[s:b] would be loose, break the Latin word
    pushed out (units[b]) at the longest head that fits and spaces better;
    returns the new break.  Only then: a word is never cut needlessly."""
    u = units[b] if s < b < len(units) else None
    if u is None or u.kind != lt.SIDEWAYS:
        return b
    before = spacing(units[s:b], length)
    if before <= LOOSE + EPS:
        return b
    adv = advance or (lambda t: u.width_em * len(t) / len(u.text))
    for k, hyphen in reversed(break_points(u.text, bool(u.flags & lt.CODE))):
        head = lt.Unit(u.text[:k], u.kind, adv(u.text[:k] + ("-" if hyphen else "")), u.anchor, u.offset,
                       u.flags | (lt.HYPHEN if hyphen else 0), u.glue_before, 0.0, u.mark, u.note_id,
                       0, u.delta)
        if measure(units[s:b] + [head])[0] > length + EPS:
            continue
        if spacing(units[s:b] + [head], length) >= before:
            break
        tail = lt.Unit(u.text[k:], u.kind, adv(u.text[k:]), u.anchor, u.offset + k,
                       u.flags & ~(lt.HYPHEN | lt.NOBREAK_BEFORE), 0.0, u.glue_after, u.mark, u.note_id,
                       0, u.delta + k)
        units[b:b + 1] = [head, tail]
        return b + 1
    return b


def _share_back(units, spans, soft, lens, rules):
    """VT-06: a loose column that is not its line's first takes cells from the
    end of the column before it (each leaves 1 em there, spread over ~N gaps),
    which may in turn take from the one before, as long as every column
    involved ends at or below the loose limit; else the greedy breaks stay."""
    def spacing_of(sp, k):
        return spacing(units[sp[k][0]:sp[k][1]], lens[min(k, 1)])
    for i in range(1, len(spans) - 1):
        if spacing_of(spans, i) <= LOOSE + EPS or any(h for _, _, h in spans[:i + 1]) \
                or any(a in soft for a, _, _ in spans[1:i + 1]):
            continue
        trial = list(spans)
        for _ in range(4 * (i + 1)):
            bad = [k for k in range(i + 1) if spacing_of(trial, k) > LOOSE + EPS]
            if not bad:
                spans = trial
                break
            if bad[-1] == 0 or not _borrow(units, trial, bad[-1], lens[min(bad[-1], 1)], rules):
                break
    return spans


def _borrow(units, spans, k, length, rules) -> bool:
    """Move column k's start back to the allowed break before it, if it still fits."""
    ps, _, _ = spans[k - 1]
    s, e, _ = spans[k]
    if units[s - 1].flags & lt.HYPHEN:
        return False
    b = next((b for b in range(s - 1, ps, -1) if _quality(units, b, rules) == OK), None)
    if b is None or measure(units[b:e])[0] > length + EPS:
        return False
    spans[k - 1], spans[k] = (ps, b, False), (b, e, False)
    return True


def _warichu_pieces(u: lt.Unit, k: int) -> list[lt.Unit]:
    def piece(text, off, src, flags):
        n, split = warichu_split(text)
        return lt.Unit(text, lt.WARICHU, n * 0.5, src, off, flags, mark=u.mark, note_id=u.note_id,
                       split=split)
    return [piece(u.text[:k], u.offset, u.src, u.flags),
            piece(u.text[k:], u.offset + k, _shift(u.src, k), u.flags & ~lt.NOBREAK_BEFORE)]


def _choose_break(units, s, e, rules) -> tuple[int, int]:
    """Push out from e towards s until the break is allowed; else the least bad.

    VT-19: a chain of closing marks longer than MAX_PUSH cells is the last
    resort case: rather than pushing it all out (a column of three characters
    spread over the whole length), break inside it and report BB702."""
    soft = None
    for b in range(e, s, -1):
        q = _quality(units, b, rules)
        if q == OK:
            if soft is not None and _cells(units, b, soft) > MAX_PUSH:
                return soft, SOFT
            return b, OK
        if units[b - 1].kind == lt.WARICHU and _split_warichu_tail(units, b - 1, rules):
            return b, OK        # the 割注's last chars go along with what follows
        if q == SOFT and soft is None:
            soft = b
    return (soft, SOFT) if soft is not None else (e, HARD)


def _cells(units, a, b) -> int:
    return sum(1 for u in units[a:b] if u.kind not in (lt.CALL, lt.SPACE))


def _split_warichu_tail(units, w, rules) -> bool:
    """Split the warichu at w so that its tail (≥ 2 chars) may start the next column."""
    u = units[w]
    starts = cc.cell_starts(u.text)
    for n in range(len(starts) - 2, 1, -1):
        k = starts[n]
        if u.text[k] not in rules.start and u.text[starts[n - 1]] not in rules.end:
            units[w:w + 1] = _warichu_pieces(u, k)
            return True
    return False


def _quality(units, b, rules) -> int:
    u = units[b]
    if u.kind in (lt.CALL, lt.SPACE) or u.flags & lt.NOBREAK_BEFORE:
        return HARD
    p = b - 1
    while p > 0 and units[p].kind in (lt.CALL, lt.SPACE):
        p -= 1
    if u.text[:1] in rules.start or _last_base(units[p].text) in rules.end:
        return SOFT
    return OK


def _hang(units, e, rules):
    """VT-19 hanging: let 。，、 hang below the foot instead of pushing out."""
    if not rules.hanging or e >= len(units) or units[e].text not in HANG:
        return None
    b = _after_calls(units, e + 1)
    if b < len(units) and _quality(units, b, rules) != OK:
        return None
    return b


def _after_calls(units, j) -> int:
    while j < len(units) and units[j].kind == lt.CALL:
        j += 1
    return j


def _trailing_calls(units, e) -> int:
    k = 0
    while e - 1 - k >= 0 and units[e - 1 - k].kind == lt.CALL:
        k += 1
    return k


def _fix_widow(units, spans, rules, length):
    """VT-07: the last column holds ≥ 2 non-punctuation chars; pull from the one
    before, as long as the last column still fits `length`."""
    if len(spans) < 2 or _content(units[spans[-1][0]:spans[-1][1]]) >= 2:
        return spans
    ps, _, _ = spans[-2]
    ls, le, _ = spans[-1]
    if units[ls - 1].flags & lt.HYPHEN:
        return spans        # a hyphenated head ends its column: moving the break would strand it
    if units[ls - 1].kind == lt.WARICHU and _split_warichu_tail(units, ls - 1, rules):
        return spans[:-2] + [(ps, ls, False), (ls, le + 1, False)]
    for b in range(ls - 1, ps + 1, -1):
        if _quality(units, b, rules) == OK and _content(units[b:le]) >= 2:
            if measure(units[b:le])[0] > length + EPS:
                break
            return spans[:-2] + [(ps, b, False), (b, le, False)]
    return spans


def _content(units, enough: int = 2) -> int:
    """Non-punctuation cells of `units`, counted up to `enough` (all VT-07 asks)."""
    n = 0
    for u in units:
        if n >= enough:
            break
        if u.kind in (lt.TCY, lt.SIDEWAYS, lt.UPRIGHT, lt.WARICHU):
            n += len(cc.cell_starts(u.text)) if u.kind != lt.TCY else 1
        elif u.kind == lt.HAN and (cc.is_han(u.text[0]) or unicodedata.category(u.text[0])[0] in "LN"):
            n += 1      # is_han: Python's Unicode data may not know the newest ideographs yet
    return n


def _last_base(text: str) -> str:
    """The last character of `text` that is not a variation selector or mark."""
    return next((ch for ch in reversed(text) if not cc.is_joiner(ch)), "")


def _kinsoku_diag(col: lt.Column, block: Block) -> Diagnostic:
    where = col.src or block.src or Pos("", 1, 1)
    return diag("BB702", where, f"kinsoku exception: no allowed break, column starts with "
                f"「{col.text()[:1]}」", "rephrase so the marks do not pile up at a column end")


def _shift(pos, k):
    return Pos(pos.file, pos.line, pos.col + k) if pos else None
