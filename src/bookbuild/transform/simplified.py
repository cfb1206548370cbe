"""Simplified editions: Traditional -> Simplified with OpenCC (tw2sp, phrase level).

`.noconv` spans stay as written; a glossary entry's `simplified:` form wins
over OpenCC.  Runs once per edition on a copy of the model, before rendering,
so both renderers (EPUB and PDF) see the same converted text.
"""
from __future__ import annotations

from dataclasses import replace
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
    import opencc  # deferred: loading it reads its dictionaries; only zh-Hans editions need it
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    return _opencc().convert(text) if text else text


def _convert_inline(node: m.Inline) -> m.Inline | None:
    """A map_inlines rewrite: text and citation prefixes/locators converted,
    a `.noconv` span kept as written."""
    if isinstance(node, m.Span) and node.kind == "noconv":
        return node
    if isinstance(node, m.Text):
        return replace(node, text=to_simplified(node.text))
    if isinstance(node, m.Citation):
        return replace(node, items=[replace(it, prefix=to_simplified(it.prefix), locator=to_simplified(it.locator))
                                    for it in node.items])
    return None


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
    chapters = [replace(ch, title=m.map_inlines(ch.title, _convert_inline),
                        blocks=m.map_blocks(ch.blocks, _convert_inline)) for ch in book.chapters]
    notes = {nid: replace(note, blocks=m.map_blocks(note.blocks, _convert_inline)) for nid, note in book.notes.items()}
    terms = {key: replace(term, term=term.simplified or to_simplified(term.term),
                          definition=to_simplified(term.definition)) for key, term in book.terms.items()}
    sources = {sid: replace(src, csl=_convert_csl(src.csl)) for sid, src in book.sources.items()}
    return replace(book, config=_convert_config(book.config), chapters=chapters, notes=notes, terms=terms,
                   sources=sources)


def _convert_config(cfg):
    return replace(cfg, title=to_simplified(cfg.title), subtitle=to_simplified(cfg.subtitle),
                   publisher=to_simplified(cfg.publisher), authors=tuple(to_simplified(a) for a in cfg.authors),
                   edition_statement=to_simplified(cfg.edition_statement))


def for_edition(book: m.Book, edition) -> m.Book:
    return convert_book(book) if edition.script == "zh-Hans" else book
