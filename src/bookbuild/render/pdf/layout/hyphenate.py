"""Where a Latin run may break at a column end (docs/VERTICAL-TYPOGRAPHY.md, VT-12a).

The breaker never cuts a Latin word on its own; when the greedy column
would be loose (BB701) it asks here for the break points of the word it
pushed out, and takes the longest head that fits:

* after an explicit hyphen (`Dì-|shísì`, `Zhōng-|Měi`), no hyphen added,
  but never before a digit (`B-|29` reads as a broken number);
* inside a plain English word by pyphen's hyphenation patterns (the
  en_US TeX patterns WeasyPrint uses), with a hyphen drawn at the column
  end: at least 2 letters before and 3 after, words of ≥ 6 letters only.

Never: all-caps acronyms, words with digits, code (`lt.CODE` units), and
pinyin or other words with non-ASCII letters inside (a tone mark means a
romanization whose syllables pyphen's English patterns do not know; only
its explicit hyphens are used).
"""
from __future__ import annotations

import re
from functools import lru_cache

LEFT, RIGHT, MIN_WORD = 2, 3, 6
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+")


@lru_cache(maxsize=1)
def _dic():
    # deferred: a build whose kept chapters hold every long Latin word never needs pyphen
    import pyphen
    return pyphen.Pyphen(lang="en_US", left=LEFT, right=RIGHT)


def break_points(text: str, code: bool = False) -> list[tuple[int, bool]]:
    """[(k, hyphen)]: text may end a column at text[:k]; `hyphen`: draw one after it."""
    if code:
        return []
    out: list[tuple[int, bool]] = []
    for k in range(1, len(text)):
        if text[k - 1] == "-" and text[k].isalpha() and text[k - 2:k - 1].isalpha():
            out.append((k, False))
    for mt in _WORD.finditer(text):
        word = mt.group()
        if len(word) < MIN_WORD or not word.isascii() or word.isupper() or _touches_digit(text, mt):
            continue
        out += [(mt.start() + k, True) for k in _dic().positions(word)]
    return sorted(set(out))


def _touches_digit(text: str, mt) -> bool:
    a, b = mt.start(), mt.end()
    return (a and text[a - 1].isdigit()) or (b < len(text) and text[b].isdigit())
