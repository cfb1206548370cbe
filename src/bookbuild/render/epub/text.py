"""Text of one EPUB edition: a paragraph normalized at once, then vertical inline runs.

A paragraph's text nodes are normalized together (the edition's
`EditionText`, transform/edition_text.py), so quotes, ranges and CJK
context see across spans and note calls: the nodes are joined with U+FFFC
(the normalizer's locked, see-through "inline object"), normalized, and split
back.  Citation output (the CSL style's punctuation) and code are left out.

`runs()` then cuts a normalized string into the pieces the vertical EPUB
marks up (VT-13, VT-34): tcy runs, upright digits, upright acronyms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ... import model as m
from ...charclass import TCY_RE, is_han_context, is_variation_selector, without_variation_selectors
from ...transform.edition_text import ACRONYM_IN_TEXT, DIGIT_RUN, EditionText

OBJ = "\ufffc"


# ----------------------------------------------------------- normalization

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


def normalize_inlines(inlines: list[m.Inline], edition: EditionText,
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
    result = edition.normalize(OBJ.join(parts)) if normalize else OBJ.join(parts)
    pieces = result.split(OBJ)
    if len(pieces) != len(nodes):      # defensive: fall back to node by node
        pieces = [edition.normalize(p) for p in parts]
    return _with_neighbours(nodes, pieces)


def _with_neighbours(nodes, pieces) -> dict[int, tuple[str, str, str]]:
    # the first char of the next non-blank piece, found in one backward pass
    # (not a scan of the rest of the paragraph from every node)
    following = [""] * len(pieces)
    nxt = ""
    for i in range(len(pieces) - 1, -1, -1):
        following[i] = nxt
        if pieces[i].strip():
            nxt = pieces[i].lstrip()[:1]
    out: dict[int, tuple[str, str, str]] = {}
    last = ""
    for node, piece, after in zip(nodes, pieces, following):
        out[id(node)] = (piece, last, after)
        bare = without_variation_selectors(piece).rstrip()
        if bare.strip():
            last = bare[-1]
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
        if not text[j].isspace() and not is_variation_selector(text[j]):   # a selector: its base decides
            return is_han_context(text[j])
        j += step
    return not outside or is_han_context(outside)


def runs(text: str, edition: EditionText, before: str = "", after: str = "") -> list[Run]:
    """Cut `text` into plain, tcy and upright runs for a vertical edition.
    `before`/`after`: the nearest chars outside this node ("" = none)."""
    if not edition.vertical or edition.numerals in ("sideways", "chinese") or not text:
        return [Run(text)] if text else []
    marks: list[tuple[int, int, str]] = []
    for mt in DIGIT_RUN.finditer(text):
        cjk = (_cjk_side(text, mt.start() - 1, -1, before)
               or _cjk_side(text, mt.end(), 1, after))
        if not cjk:
            continue
        if edition.numerals == "upright":
            marks.append((mt.start(), mt.end(), "upright"))
        elif _is_tcy(text, mt):
            marks.append((mt.start(), mt.end(), "tcy"))
        elif edition.long_numbers == "upright" and _whole_run(text, mt):
            marks.append((mt.start(), mt.end(), "upright"))
    for mt in ACRONYM_IN_TEXT.finditer(text):
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
