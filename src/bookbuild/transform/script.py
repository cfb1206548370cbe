"""Simplified editions: Traditional -> Simplified with OpenCC (tw2sp, phrase level).

`.noconv` spans stay as written; a glossary entry's `simplified:` form wins
over OpenCC.  Runs once per edition on a copy of the model, before rendering,
so both renderers (EPUB and PDF) see the same converted text.
"""
from __future__ import annotations

import copy
import dataclasses
from functools import lru_cache

from .. import model as m

# Traditional characters whose Simplified form depends on the meaning
# (OpenCC picks the common one unless a phrase decides): candidates shown in BB405.
AMBIGUOUS = {
    "乾": "干/乾", "藉": "借/藉", "覆": "复/覆", "瞭": "了/瞭", "夥": "伙/夥",
    "鍾": "钟/锺", "闢": "辟/闢", "蘋": "苹/蘋", "甦": "苏/甦", "摺": "折/摺",
    "醜": "丑/醜",
}


@lru_cache(maxsize=1)
def _opencc():
    import opencc   # deferred: loading it reads its dictionaries; only zh-Hans editions need it
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    return _opencc().convert(text) if text else text


def _convert_inlines(inlines: list[m.Inline]) -> None:
    for node in inlines:
        if isinstance(node, m.Span) and node.kind == "noconv":
            continue
        if isinstance(node, m.Text):
            node.text = to_simplified(node.text)
        elif isinstance(node, m.Citation):
            for item in node.items:
                item.prefix, item.locator = to_simplified(item.prefix), to_simplified(item.locator)
        children = getattr(node, "children", None)
        if children:
            _convert_inlines(children)


def _convert_blocks(blocks: list[m.Block]) -> None:
    for b in blocks:
        for inl in m.block_inlines(b):
            _convert_inlines(inl)


def _convert_csl(value):
    if isinstance(value, str):
        return to_simplified(value)
    if isinstance(value, list):
        return [_convert_csl(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("id", "type", "language", "URL", "DOI", "ISBN") else _convert_csl(v))
                for k, v in value.items()}
    return value


def convert_book(book: m.Book) -> m.Book:
    """A Simplified copy of the book (the original is not touched)."""
    out = copy.deepcopy(book)
    for ch in out.chapters:
        _convert_inlines(ch.title)
        _convert_blocks(ch.blocks)
    for note in out.notes.values():
        _convert_blocks(note.blocks)
    for term in out.terms.values():
        term.term = term.simplified or to_simplified(term.term)
        term.definition = to_simplified(term.definition)
    for src in out.sources.values():
        src.csl = _convert_csl(src.csl)
    cfg = out.config
    out.config = dataclasses.replace(cfg, title=to_simplified(cfg.title), subtitle=to_simplified(cfg.subtitle),
                                     publisher=to_simplified(cfg.publisher),
                                     authors=tuple(to_simplified(a) for a in cfg.authors),
                                     edition_statement=to_simplified(cfg.edition_statement))
    return out


def for_edition(book: m.Book, edition) -> m.Book:
    return convert_book(book) if edition.script == "zh-Hans" else book
