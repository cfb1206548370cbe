"""Text of one edition: normalization per paragraph, then vertical inline runs.

A paragraph's text nodes are normalized together, so quotes, ranges and CJK
context see across spans and note calls: the nodes are joined with U+FFFC
(the normalizer's locked, see-through "inline object"), normalized, and split
back.  Citation output (the CSL style's punctuation) and code are left out.

`runs()` then cuts a normalized string into the pieces the vertical EPUB
marks up (VT-13, VT-34): tcy runs, upright digits, upright acronyms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ... import model as m
from ...charclass import TCY_RE, is_han_context
from ...config import BookConfig, EditionConfig

OBJ = "\ufffc"
_DIGITS = re.compile(r"[0-9]+")
# VT-12: single letters and acronyms of ≤ 3 capitals stand upright; not when
# they belong to a longer unit such as B-29 or U.S.
_ACRONYM = re.compile(r"(?<![A-Za-z0-9.\-/])[A-Z]{1,3}(?![A-Za-z0-9.\-/])")


# ----------------------------------------------------------- normalization

@lru_cache(maxsize=1)
def _normalizer():
    try:
        from ...transform.normalize import normalize_for_render
    except ImportError:          # the normalizer has not landed: text as written
        return None
    return normalize_for_render


@lru_cache(maxsize=1)
def _chinese_numerals():
    try:
        from ...transform.numerals import to_chinese_numerals
    except ImportError:
        return None
    return to_chinese_numerals


@dataclass(frozen=True)
class TextStyle:
    """What the edition does to text (from book.toml)."""
    vertical: bool
    numerals: str
    long_numbers: str
    script: str
    range_mark: str
    interpunct: str

    @classmethod
    def of(cls, config: BookConfig, edition: EditionConfig) -> "TextStyle":
        return cls(edition.vertical, edition.numerals, edition.long_numbers, edition.script,
                   config.range, config.interpunct)

    def normalize(self, text: str) -> str:
        """§4 rows (EPUB: pdf=False), then the edition's numeral conversion."""
        norm = _normalizer()
        if norm is not None:
            text = norm(text, pdf=False, range_mark=self.range_mark, interpunct=self.interpunct)
        if self.numerals == "chinese" and _chinese_numerals() is not None:
            text = _chinese_numerals()(text)
        return text


def _slots(inlines: list[m.Inline], out: list, skip_citations: bool = True) -> None:
    """Text and Space nodes in reading order; None marks a boundary/object."""
    for node in inlines:
        if isinstance(node, (m.Text, m.Space)):
            out.append(node)
        elif isinstance(node, m.Span) and "citation" in node.classes and skip_citations:
            out.append(None)
        elif isinstance(node, (m.Span, m.Emph, m.Strong, m.Link)):
            out.append(None)
            _slots(node.children, out, skip_citations)
            out.append(None)
        else:
            out.append(None)


def normalize_inlines(inlines: list[m.Inline], style: TextStyle,
                      normalize: bool = True) -> dict[int, tuple[str, str, str]]:
    """For every Text/Space node of a paragraph, by id(node): its normalized
    text and the nearest chars of the text nodes before and after it.
    `normalize=False`: texts as they are (citation output), neighbours only."""
    slots: list = []
    _slots(inlines, slots, skip_citations=normalize)
    nodes = [s for s in slots if s is not None]
    if not nodes:
        return {}
    # One OBJ between consecutive text nodes (whatever separates them) keeps
    # the split exact: the normalizer never changes a locked OBJ.
    parts = [n.text if isinstance(n, m.Text) else " " for n in nodes]
    result = style.normalize(OBJ.join(parts)) if normalize else OBJ.join(parts)
    pieces = result.split(OBJ)
    if len(pieces) != len(nodes):      # defensive: fall back to node by node
        pieces = [style.normalize(p) for p in parts]
    return _with_neighbours(nodes, pieces)


def _with_neighbours(nodes, pieces) -> dict[int, tuple[str, str, str]]:
    out: dict[int, tuple[str, str, str]] = {}
    last = ""
    for i, (node, piece) in enumerate(zip(nodes, pieces)):
        nxt = next((p.lstrip()[:1] for p in pieces[i + 1:] if p.strip()), "")
        out[id(node)] = (piece, last, nxt)
        if piece.strip():
            last = piece.rstrip()[-1]
    return out


# ------------------------------------------------------------ vertical runs

@dataclass(frozen=True, slots=True)
class Run:
    text: str
    kind: str = ""   # "", "tcy", "upright"


def _cjk_side(text: str, i: int, step: int, outside: str) -> bool:
    """Is the nearest non-space char from i (going `step`) a Han-context char?
    Past the end of the node, `outside` (the neighbour node's char) decides."""
    j = i
    while 0 <= j < len(text):
        if not text[j].isspace():
            return is_han_context(text[j])
        j += step
    return not outside or is_han_context(outside)


def runs(text: str, style: TextStyle, before: str = "", after: str = "") -> list[Run]:
    """Cut `text` into plain, tcy and upright runs for a vertical edition.
    `before`/`after`: the nearest chars outside this node ("" = none)."""
    if not style.vertical or style.numerals in ("sideways", "chinese") or not text:
        return [Run(text)] if text else []
    marks: list[tuple[int, int, str]] = []
    for mt in _DIGITS.finditer(text):
        cjk = (_cjk_side(text, mt.start() - 1, -1, before)
               or _cjk_side(text, mt.end(), 1, after))
        if not cjk:
            continue
        if style.numerals == "upright":
            marks.append((mt.start(), mt.end(), "upright"))
        elif _is_tcy(text, mt):
            marks.append((mt.start(), mt.end(), "tcy"))
        elif style.long_numbers == "upright" and _whole_run(text, mt):
            marks.append((mt.start(), mt.end(), "upright"))
    for mt in _ACRONYM.finditer(text):
        if (_cjk_side(text, mt.start() - 1, -1, before) or _cjk_side(text, mt.end(), 1, after)):
            marks.append((mt.start(), mt.end(), "upright"))
    marks.sort()
    out, pos = [], 0
    for start, end, kind in marks:
        if start < pos:
            continue
        if start > pos:
            out.append(Run(text[pos:start]))
        out.append(Run(text[start:end], kind))
        pos = end
    if pos < len(text):
        out.append(Run(text[pos:]))
    return out


def _is_tcy(text: str, mt: re.Match) -> bool:
    tcy = TCY_RE.match(text, mt.start())
    return tcy is not None and tcy.end() == mt.end()


def _whole_run(text: str, mt: re.Match) -> bool:
    """A digit run of its own (not part of 14.8, 10:30, B-29): only those are
    set upright one digit per cell under long_numbers = "upright"."""
    left = text[mt.start() - 1] if mt.start() > 0 else ""
    right = text[mt.end()] if mt.end() < len(text) else ""
    return not (left and left in ".,:/-%" or left.isalpha() and left.isascii()
                or right and right in ".,:/-%" or right.isalpha() and right.isascii())
