"""Variation sequences whose variant glyph only a fallback font has, marked
so a reading system draws them from that font (docs/FORMAT.md "Font chains").

CSS Fonts 4 (§5.3, cluster matching) asks a user agent to look for a font
that has a variation sequence before it falls back to the base's default
glyph, but engines pick the first font of the stack that has the *base*
(servo/webrender#3196, the same in the reading systems' WebKit and Blink):
with 葛 in the primary font, 葛+U+E0100 shows the primary's plain 葛 even
when HanaMinA, later in the stack, has the variant. So each such sequence
gets a span whose class puts the supplying font first (`font_class`, the
rules in css/font.css, fontembed.py). The chain decides, as in print:
`FontChain.index_of_sequence` names the font, and a span is needed only
when the base alone would be taken from another font.

A pass over the finished documents, because the chain is resolved once the
documents exist (their characters decide which faces are embedded).
"""
from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from ...fontchain import FontChain
from .document import Doc
from .elements import XHTML_NS, serialize

# a character and the variation selector after it (VS1–16, VS17–256)
_SEQUENCE = re.compile("(.)([\uFE00-\uFE0F\U000E0100-\U000E01EF])", re.S)
_XHTML = f"{{{XHTML_NS}}}"
_SPAN = _XHTML + "span"
_SKIP = {_XHTML + tag for tag in ("head", "script", "style", "pre", "code")}


def font_class(index: int) -> str:
    """The class of a span drawn in the chain's font number `index`."""
    return f"vs-font-{index}"


def mark_sequences(docs: list[Doc], chain: FontChain) -> tuple[list[Doc], dict[int, set[str]]]:
    """The documents with such sequences in spans, and {chain index: the
    sequences (base + selector) that font supplies} for the CSS and the subsets."""
    used: dict[int, set[str]] = {}
    out = []
    for doc in docs:
        text = doc.content.decode("utf-8")
        if not any(_supplier(chain, m) is not None for m in _SEQUENCE.finditer(text)):
            out.append(doc)
            continue
        html = etree.fromstring(doc.content)
        _walk(html, chain, used)
        out.append(replace(doc, content=serialize(html)))
    return out, used


def _supplier(chain: FontChain, m: re.Match) -> int | None:
    """The chain font to draw the sequence in, when it is not the base's own."""
    base, selector = m.group(1), m.group(2)
    index = chain.index_of_sequence(base, selector)
    return index if index is not None and index != chain.index_of(base) else None


def _walk(el, chain: FontChain, used: dict[int, set[str]]) -> None:
    if not isinstance(el.tag, str) or el.tag in _SKIP or not el.tag.startswith(_XHTML):
        return      # an XHTML span has no place in SVG or MathML text
    children = list(el)      # taken first: the spans placed below are not walked again
    if el.text:
        el.text = _wrap(el, el.text, 0, chain, used)
    for child in children:
        _walk(child, chain, used)
        if child.tail:
            child.tail = _wrap(el, child.tail, el.index(child) + 1, chain, used)


def _wrap(parent, text: str, at: int, chain: FontChain, used: dict[int, set[str]]) -> str:
    """Put the sequences of `text` (at child position `at` of `parent`) that
    need another font in spans; returns the text before the first one."""
    found = [(m, i) for m in _SEQUENCE.finditer(text) if (i := _supplier(chain, m)) is not None]
    if not found:
        return text
    head = text[:found[0][0].start()]
    for n, (m, index) in enumerate(found):
        span = parent.makeelement(_SPAN, {"class": font_class(index)})
        span.text = m.group(0)
        end = found[n + 1][0].start() if n + 1 < len(found) else len(text)
        span.tail = text[m.end():end]
        parent.insert(at + n, span)
        used.setdefault(index, set()).add(m.group(0))
    return head
