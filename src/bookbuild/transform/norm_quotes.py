"""Quote pairing within one paragraph: row 11 of §4 and BB404.

Tokens are the corner brackets 「」『』, double quotes " “ ” and single
quotes ' ‘ ’.  A single quote only counts inside another quotation (at the
top level `'` and `’` are far more often apostrophes), and a `'`/`’` between
two Latin letters or digits is always an apostrophe (`don't`, `Xi'an`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .norm_chars import is_han

CORNER_OPEN = {"「": "」", "『": "』"}
CORNER_CLOSE = {"」": "「", "』": "『"}
DOUBLE = "\"\u201c\u201d"
SINGLE = "'\u2018\u2019"
QUOTE_CHARS = frozenset("「」『』" + DOUBLE + SINGLE)
_QUOTE_RE = re.compile("[「」『』" + DOUBLE + SINGLE + "]")


@dataclass(slots=True)
class Pair:
    open: int
    close: int
    kind: str      # "corner", "double", "single"


@dataclass(slots=True)
class _Open:
    pos: int
    kind: str
    char: str


def _apostrophe(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return before.isascii() and before.isalnum() and after.isascii() and after.isalnum()


def pair_quotes(text: str, skip) -> tuple[list[Pair], list[int]]:
    """Pairs (sorted by opening position) and unmatched quote positions.

    `skip(i)` is true for positions that are not quotes (protected spans)."""
    stack: list[_Open] = []
    pairs: list[Pair] = []
    unmatched: list[int] = []

    def close_kind(kind: str, i: int, char: str | None = None) -> bool:
        # the innermost open of this kind (and char, for corners); anything
        # opened after it and still open is unmatched
        for k in range(len(stack) - 1, -1, -1):
            o = stack[k]
            if o.kind == kind and (char is None or o.char == char):
                unmatched.extend(x.pos for x in stack[k + 1:])
                del stack[k:]
                pairs.append(Pair(o.pos, i, kind))
                return True
            if o.kind == "corner" and kind != "corner":
                return False   # an ASCII quote does not close across a corner bracket
        return False

    for m in _QUOTE_RE.finditer(text):
        i, ch = m.start(), m.group()
        if skip(i):
            continue
        if ch in CORNER_OPEN:
            stack.append(_Open(i, "corner", ch))
        elif ch in CORNER_CLOSE:
            if not close_kind("corner", i, CORNER_CLOSE[ch]):
                unmatched.append(i)
        elif ch == "\u201c":
            stack.append(_Open(i, "double", ch))
        elif ch == "\u201d":
            if not close_kind("double", i):
                unmatched.append(i)
        elif ch == '"':
            if not (stack and stack[-1].kind in ("double", "single") and close_kind("double", i)):
                stack.append(_Open(i, "double", ch))
        elif ch == "\u2018":
            if stack:
                stack.append(_Open(i, "single", ch))
        elif _apostrophe(text, i):
            continue
        elif stack and stack[-1].kind == "single":
            o = stack.pop()
            pairs.append(Pair(o.pos, i, "single"))
        elif ch == "'" and stack:
            stack.append(_Open(i, "single", ch))
    unmatched.extend(o.pos for o in stack)
    pairs.sort(key=lambda p: p.open)
    unmatched.sort()
    return pairs, unmatched


def quote_edits(buf, pairs: list[Pair]) -> list[tuple[int, int, str]]:
    """Row 11: ASCII/curly pairs in CJK context become 「」, or 『』 when nested
    inside another CJK quotation (TC alternates 「『「」』」)."""
    cjk = _cjk_pairs(buf, pairs)
    edits = []
    enclosing: list[tuple[int, bool]] = []   # (close position, is a CJK quotation)
    for k, p in enumerate(pairs):
        while enclosing and enclosing[-1][0] < p.open:
            enclosing.pop()
        depth = sum(1 for _, is_cjk in enclosing if is_cjk)
        if p.kind == "corner":
            enclosing.append((p.close, True))
            continue
        enclosing.append((p.close, k in cjk))
        if k in cjk:
            o, c = ("「", "」") if depth % 2 == 0 else ("『", "』")
            edits += [(p.open, p.open + 1, o), (p.close, p.close + 1, c)]
    return sorted(edits)


def _cjk_pairs(buf, pairs: list[Pair]) -> set[int]:
    """Indices of the non-corner pairs in CJK context, once every conversion is made.

    A pair is in CJK context when a neighbour of either quote is Han, or the quotation
    holds Han (as row 10) — counting the brackets the other pairs become: a pair beside
    or inside a converted one is converted too.  Found in one walk from the pairs Han
    makes CJK, so the row reaches its end in one pass whatever the run of quotes (one
    pass per pair, as the row was, left 、“ and a long run of ASCII double quotes half
    done after the normalizer's passes: `fix` was not idempotent)."""
    at = {}
    for k, p in enumerate(pairs):
        at[p.open] = at[p.close] = k
    parent: list[int | None] = [None] * len(pairs)
    stack: list[int] = []
    for k, p in enumerate(pairs):
        while stack and pairs[stack[-1]].close < p.open:
            stack.pop()
        parent[k] = stack[-1] if stack else None
        stack.append(k)
    waiting: dict[int, list[int]] = {}      # pair -> the pairs its conversion makes CJK
    todo: list[int] = []
    for k, p in enumerate(pairs):
        if p.kind == "corner":
            continue
        sides = (buf.left(p.open), buf.right(p.close), buf.right(p.open), buf.left(p.close))
        if any(buf.han_at(j) for j in sides) or any(is_han(ch) for ch in buf.text[p.open + 1:p.close]):
            todo.append(k)
            continue
        for j in sides:
            q = at.get(j)
            if q is not None and q != k:
                waiting.setdefault(q, []).append(k)
    for k, par in enumerate(parent):        # a converted pair puts Han inside its parent
        if par is not None:
            waiting.setdefault(k, []).append(par)
    cjk: set[int] = set()
    while todo:
        k = todo.pop()
        if k in cjk or pairs[k].kind == "corner":
            continue
        cjk.add(k)
        todo += waiting.get(k, ())
    return cjk
