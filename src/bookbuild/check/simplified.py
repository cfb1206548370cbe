"""BB405: characters that convert ambiguously to Simplified (only for books with a zh-Hans edition)."""
from __future__ import annotations

from .. import model as m
from ..charclass import without_variation_selectors
from ..diagnostics import Diagnostic, diag
from ..transform.simplified import AMBIGUOUS, to_simplified

_CONTEXT = 3  # characters on each side that OpenCC's phrase table may use


def _texts(inlines, inside_noconv=False):
    for node in inlines:
        noconv = inside_noconv or (isinstance(node, m.Span) and node.kind == "noconv")
        if isinstance(node, m.Text) and not noconv and node.pos:
            yield node
        children = getattr(node, "children", None)
        if children:
            yield from _texts(children, noconv)


def check_simplified(book: m.Book) -> list[Diagnostic]:
    if not any(e.script == "zh-Hans" for e in book.config.editions):
        return []
    out = []
    blocks = [b for ch in book.chapters for b in ch.blocks] + [b for n in book.notes.values() for b in n.blocks]
    for b in blocks:
        for inl in m.block_inlines(b):
            for node in _texts(inl):
                out += _ambiguous(node)
    return out


def _ambiguous(node: m.Text) -> list[Diagnostic]:
    out = []
    for i, ch in enumerate(node.text):
        if ch not in AMBIGUOUS:
            continue
        alone = to_simplified(ch)
        # the context without variation selectors (a converted base drops its own: offsets would shift)
        before = without_variation_selectors(node.text[max(0, i - _CONTEXT):i])
        window = before + ch + without_variation_selectors(node.text[i + 1:i + _CONTEXT + 1])
        in_context = to_simplified(window)[len(before)]
        if in_context != alone:  # a phrase of OpenCC's decided it
            continue
        pos = m.Pos(node.pos.file, node.pos.line, node.pos.col + i)
        out.append(diag("BB405", pos, f"'{ch}' converts ambiguously to Simplified ({AMBIGUOUS[ch]}); "
                        f"OpenCC writes '{alone}' here",
                        f"if '{alone}' is wrong, mark the words [{ch}…]{{.noconv}} or rephrase"))
    return out
