"""Pandoc's `east_asian_line_breaks`, done on its JSON instead of by Pandoc.

The extension is not part of Pandoc's Markdown reader: after parsing, Pandoc
walks the whole document with a generic traversal (Text.Pandoc.Transforms.
eastAsianLineBreakFilter) and drops each SoftBreak whose neighbours, as text
(`stringify`), end and begin with a character of display width 2
(Text.DocLayout.charWidth).  That walk was ~18 % of the load's Pandoc time
(0.07 s CPU of 0.42 s per chunk of the stress book); here it costs a look at
the neighbours of each SoftBreak while the converter passes by anyway.

A SoftBreak is decided here only when both characters' widths are certain:
wide in every Unicode and DocLayout version (CJK ideographs, kana, Hangul
syllables, CJK and full-width punctuation), or never wide (below U+1100,
General Punctuation).  Otherwise `drop_breaks` raises `Uncertain`, and the
load has Pandoc read that part again with the extension (load/__init__.py);
on what Pandoc already filtered (strict=False) an uncertain SoftBreak is kept,
as Pandoc kept it.  tests/load/test_eastasian.py holds the widths against the
installed Pandoc and compares both ways on tricky Markdown.

    drop_breaks(inlines, strict=True) -> inlines   one inline list (the same list when nothing goes)
    drop_breaks_in(value, strict=True) -> None     every inline list inside a JSON value, in place
"""
from __future__ import annotations

import bisect

# Width 2 in DocLayout's tables old and new (and East_Asian_Width W/F); combining marks
# (U+302A-302F, U+3099-309A: width 0 in newer tables) left out.
_WIDE = ((0x3000, 0x3029), (0x3030, 0x303E), (0x3041, 0x3096), (0x309B, 0x30FF), (0x3400, 0x4DBF),
         (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6),
         (0x20000, 0x2FFFD), (0x30000, 0x3FFFD))
# Never width 2: nothing below U+1100 is East Asian wide, nor General Punctuation (— … “ ” ※)
_NARROW = ((0x0000, 0x10FF), (0x2000, 0x206F))
_TABLE = sorted([(lo, hi, True) for lo, hi in _WIDE] + [(lo, hi, False) for lo, hi in _NARROW])
_STARTS = [lo for lo, _, _ in _TABLE]

_CONTAINERS = frozenset(("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"))
_QUOTES = {"SingleQuote": "‘’", "DoubleQuote": "“”"}
_SOFT_BREAK = {"t": "SoftBreak"}


class Uncertain(Exception):
    """A SoftBreak next to a character whose width this module does not know."""


def wide(ch: str) -> bool | None:
    """Whether DocLayout gives `ch` width 2; None when that is not certain."""
    o = ord(ch)
    if o < 0x1100:
        return False
    i = bisect.bisect_right(_STARTS, o) - 1
    if i >= 0 and o <= _TABLE[i][1]:
        return _TABLE[i][2]
    return None


def drop_breaks(nodes: list, strict: bool = True) -> list:
    """`nodes` without the SoftBreaks Pandoc's filter drops: both neighbours present,
    the one before ending and the one after beginning with a wide character."""
    if len(nodes) < 3 or _SOFT_BREAK not in nodes:     # (a C-level scan: most lists hold none)
        return nodes
    out = [nodes[0]]
    for i in range(1, len(nodes) - 1):
        n = nodes[i]
        if n["t"] == "SoftBreak" and _between_wide(nodes[i - 1], nodes[i + 1], strict):
            continue
        out.append(n)
    out.append(nodes[-1])
    return out


def _between_wide(before: dict, after: dict, strict: bool) -> bool:
    b, c = _end(before, True), _end(after, False)
    if not b or not c:
        return False            # an empty side (a note call, a note): Pandoc keeps the break
    wb, wc = wide(b), wide(c)
    if wb is False or wc is False:
        return False
    if wb and wc:
        return True
    if strict:
        raise Uncertain(b + c)
    return False                # Pandoc's filter ran and kept it


def drop_breaks_in(value, strict: bool = True) -> None:
    """drop_breaks on every inline list inside a Pandoc JSON value, in place (a citation's
    JSON is kept in the model as Pandoc gave it, for citeproc)."""
    if isinstance(value, dict):
        for v in value.values():
            drop_breaks_in(v, strict)
    elif isinstance(value, list):
        for v in value:
            drop_breaks_in(v, strict)
        if value and all(isinstance(n, dict) and "t" in n for n in value):
            value[:] = drop_breaks(value, strict)


def _end(node: dict, last: bool) -> str:
    """The last (or first) character of Pandoc's `stringify` of one inline, or ""
    (a note counts as empty, a quote with its quotation marks, a citation as its
    text without its parsed citations: Text.Pandoc.Shared.stringify)."""
    t, c = node["t"], node.get("c")
    if t == "Str":
        return (c[-1] if last else c[0]) if c else ""
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Code", "Math"):
        return (c[1][-1] if last else c[1][0]) if c[1] else ""
    if t == "RawInline":
        return " " if c[0] == "html" and c[1].startswith("<br") else ""
    if t in _CONTAINERS:
        return _list_end(c, last)
    if t in ("Span", "Link", "Image", "Cite"):
        return _list_end(c[1], last)
    if t == "Quoted":
        return _QUOTES.get(c[0]["t"], "  ")[1 if last else 0]
    return ""


def _list_end(nodes: list, last: bool) -> str:
    for n in reversed(nodes) if last else nodes:
        ch = _end(n, last)
        if ch:
            return ch
    return ""
