"""Simplified editions: Traditional -> Simplified with OpenCC (tw2sp, phrase level).

`.noconv` spans stay as written; a glossary entry's `simplified:` form wins
over OpenCC.  Runs once per edition on a copy of the model, before rendering,
so both renderers (EPUB and PDF) see the same converted text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from .. import model as m
from ..charclass import is_compatibility_ideograph, is_variation_selector

# Traditional characters whose Simplified form depends on the meaning
# (OpenCC picks the common one unless a phrase decides): candidates shown in BB405.
AMBIGUOUS = {
    "乾": "干/乾", "藉": "借/藉", "覆": "复/覆", "瞭": "了/瞭", "夥": "伙/夥",
    "鍾": "钟/锺", "闢": "辟/闢", "蘋": "苹/蘋", "甦": "苏/甦", "摺": "折/摺",
    "醜": "丑/醜",
}


# A variation selector or a compatibility ideograph (charclass.VARIATION_SELECTORS,
# COMPATIBILITY_IDEOGRAPHS): found by one C scan, not a Python test per character
_MARKED = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\uf900-\ufaff\U0002f800-\U0002fa1f]")


@lru_cache(maxsize=1)
def _opencc():
    import opencc  # deferred: loading it reads its dictionaries; only zh-Hans editions need it
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """`text` in Simplified (docs/FORMAT.md "Characters").  Variation selectors
    come off before OpenCC sees the text (they would break a phrase match)
    and go back on a base OpenCC kept; on a base OpenCC replaced they are
    dropped: the sequence chose a glyph of the Traditional character and names
    no variant of the Simplified one.  A compatibility ideograph that OpenCC
    only folds to its unified ideograph stays as the author typed it."""
    if not text:
        return text
    if not _MARKED.search(text):      # most text: no selector, no compatibility ideograph
        return _opencc().convert(text)
    plain, selectors = _split_selectors(text)
    if not selectors and not any(is_compatibility_ideograph(c) for c in plain):
        return _opencc().convert(text)
    out = _opencc().convert(plain)
    if len(out) == len(plain):
        return _restore(plain, out, selectors, 0)
    # a phrase changed length (記憶體 -> 内存): each marked character is converted alone
    marked = sorted(set(selectors) | {i for i, c in enumerate(plain) if is_compatibility_ideograph(c)})
    return "".join(_convert_piece(plain, a, b, selectors) for a, b in _cuts(len(plain), marked))


def _split_selectors(text: str) -> tuple[str, dict[int, str]]:
    """The text without variation selectors, and the selectors by the index
    of the base they follow (a selector with no base stays a character)."""
    bases: list[str] = []
    selectors: dict[int, str] = {}
    for ch in text:
        if is_variation_selector(ch) and bases:
            selectors[len(bases) - 1] = selectors.get(len(bases) - 1, "") + ch
        else:
            bases.append(ch)
    return "".join(bases), selectors


def _restore(plain: str, out: str, selectors: dict[int, str], offset: int) -> str:
    res = []
    for i, (p, c) in enumerate(zip(plain, out)):
        if c != p and is_compatibility_ideograph(p) and c == unicodedata.normalize("NFC", p):
            c = p
        res.append(c + (selectors.get(offset + i, "") if c == p else ""))
    return "".join(res)


def _cuts(n: int, marked: list[int]):
    """(start, end) pieces of a text of n chars: each marked index alone, the runs between them."""
    start = 0
    for i in marked:
        if i > start:
            yield start, i
        yield i, i + 1
        start = i + 1
    if start < n:
        yield start, n


def _convert_piece(plain: str, a: int, b: int, selectors: dict[int, str]) -> str:
    piece = plain[a:b]
    out = _opencc().convert(piece)
    return _restore(piece, out, selectors, a) if len(out) == len(piece) else out


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
