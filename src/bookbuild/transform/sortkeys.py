"""Sort keys for the 參考書目: strokes, zhuyin, pinyin, codepoint.

`bibliography_sort` orders each group of the bibliography.  A key is a tuple
that compares character by character:

- strokes: total stroke count (Unihan kTotalStrokes, the zh-Hant value), then
  the code point for characters with the same count;
- zhuyin: the Bopomofo reading (U+3105–3129 are in 注音 order), then tone,
  then strokes;
- pinyin: the toneless pinyin, then tone, then strokes;
- codepoint: the code points.

Non-Han characters sort before Han ones, by their case-folded code points, so
Latin names in a Chinese group come first, as in Taiwanese catalogues.

What a key sees (`sort_chars`): a variation selector is left out (it picks a
glyph, not a character: 葛 and 葛 with VS17 sort together, the text itself
breaks the tie) and a compatibility ideograph counts as its unified
ideograph (U+F900 sorts as 豈 U+8C48).  A Han character the data does not
know (no stroke count, no reading) never vanishes and never fails: it sorts
after every character the data knows, by code point (strokes), or after
every read one, by strokes and then code point (zhuyin, pinyin).

The stroke table ships as package data (`data/sortkeys/kTotalStrokes.zlib`):
one byte per code point of each range in `_RANGES` (0 = unknown), zlib
compressed; `build_stroke_table` regenerates it from Unihan_IRGSources.txt.
"""
from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..charclass import is_compatibility_ideograph, is_han, is_variation_selector

_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
_DATA = ("data", "sortkeys", "kTotalStrokes.zlib")
SORTS = ("strokes", "zhuyin", "pinyin", "codepoint")
_TONE_MARKS = {"ˊ": 2, "ˇ": 3, "ˋ": 4, "˙": 5}
UNKNOWN_STROKES = 256        # above any count in the table (a byte, capped at 255)


def build_stroke_table(irg_sources_text: str) -> bytes:
    """The compressed table from the text of Unihan_IRGSources.txt."""
    counts: dict[int, int] = {}
    for line in irg_sources_text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "kTotalStrokes":
            # "zh-Hans zh-Hant" when they differ: this is a zh-Hant book.
            counts[int(parts[0][2:], 16)] = min(255, int(parts[2].split()[-1]))
    raw = bytearray()
    for lo, hi in _RANGES:
        raw.extend(counts.get(cp, 0) for cp in range(lo, hi + 1))
    return zlib.compress(bytes(raw), 9)


@lru_cache(maxsize=1)
def _table() -> bytes:
    pkg = resources.files("bookbuild").joinpath(*_DATA)
    return zlib.decompress(pkg.read_bytes())


def strokes(ch: str) -> int:
    """Total strokes of a Han character (0 when unknown or not Han)."""
    cp = ord(ch)
    offset = 0
    for lo, hi in _RANGES:
        if lo <= cp <= hi:
            return _table()[offset + cp - lo]
        offset += hi - lo + 1
    return 0


def sort_chars(text: str) -> str:
    """The characters a sort key compares: no variation selectors, no
    whitespace, compatibility ideographs as their unified ideograph."""
    out = []
    for ch in text:
        if ch.isspace() or is_variation_selector(ch):
            continue
        if is_compatibility_ideograph(ch):
            ch = unicodedata.normalize("NFC", ch)    # the singleton canonical mapping, for sorting only
        out.append(ch)
    return "".join(out)


def _nonhan(ch: str) -> tuple:
    return (0, ch.casefold(), ord(ch))


def stroke_rank(ch: str) -> int:
    """Strokes of a Han character, UNKNOWN_STROKES when the table has none."""
    return strokes(ch) or UNKNOWN_STROKES


def _strokes_key(ch: str) -> tuple:
    return (1, stroke_rank(ch), ord(ch)) if is_han(ch) else _nonhan(ch)


@lru_cache(maxsize=65536)
def _reading(ch: str, style: str) -> tuple[str, int]:
    from pypinyin import Style, pinyin  # deferred: its dictionaries are large
    if style == "zhuyin":
        syl = pinyin(ch, style=Style.BOPOMOFO, heteronym=False, errors="ignore")
        text = syl[0][0] if syl and syl[0] else ""
        tone = next((_TONE_MARKS[c] for c in text if c in _TONE_MARKS), 1)
        return "".join(c for c in text if c not in _TONE_MARKS), tone
    syl = pinyin(ch, style=Style.TONE3, heteronym=False, errors="ignore", neutral_tone_with_five=True)
    text = syl[0][0] if syl and syl[0] else ""
    if text and text[-1].isdigit():
        return text[:-1], int(text[-1])
    return text, 5


def _reading_key(ch: str, style: str) -> tuple:
    if not is_han(ch):
        return _nonhan(ch)
    text, tone = _reading(ch, style)
    # Characters pypinyin does not know sort after all read ones, by strokes.
    return (1, 0 if text else 1, text, tone, stroke_rank(ch), ord(ch))


def sort_key(text: str, method: str = "strokes") -> tuple:
    """A key that orders `text` per `bibliography_sort` (`method`)."""
    if method not in SORTS:
        raise ValueError(f"unknown sort {method!r}; use one of {', '.join(SORTS)}")
    if method == "codepoint":
        return tuple(ord(c) for c in text.strip())
    chars = sort_chars(text)
    if method == "strokes":
        return tuple(_strokes_key(c) for c in chars)
    return tuple(_reading_key(c, method) for c in chars)


# ------------------------------------------------------ bibliography groups

GROUPS = ("中文", "日文", "西文")


@dataclass
class BibEntry:
    """One formatted bibliography entry (model inlines) and its CSL item."""
    key: str
    inlines: list
    csl: dict

    @property
    def group(self) -> str:
        return source_group(self.csl)


def _names(csl: dict) -> str:
    for role in ("author", "editor", "translator", "composer", "director"):
        people = csl.get(role) or []
        if people:
            p = people[0]
            return str(p.get("literal") or (str(p.get("family", "")) + str(p.get("given", ""))))
    return ""


def source_group(csl: dict) -> str:
    """中文, 日文 or 西文: from the CSL `language`, else from the script of the
    author and title (kana → Japanese, Han → Chinese)."""
    lang = str(csl.get("language", "")).lower()
    if lang.startswith(("zh", "cmn", "yue", "lzh")):
        return "中文"
    if lang.startswith("ja"):
        return "日文"
    if lang:
        return "西文"
    text = _names(csl) + str(csl.get("title", ""))
    if any(0x3040 <= ord(c) <= 0x30FF for c in text):
        return "日文"
    return "中文" if any(is_han(c) for c in text) else "西文"


def entry_key(csl: dict, method: str) -> tuple:
    """Sort by first author (or title when there is none), then title, then date."""
    names, title = _names(csl), str(csl.get("title", ""))
    date = str((csl.get("issued") or {}).get("date-parts", [[""]])[0])
    if source_group(csl) == "西文":
        # Western works sort alphabetically whatever bibliography_sort says.
        return (names.casefold(), title.casefold(), date)
    return (sort_key(names or title, method), sort_key(title, method), date)


def group_entries(entries: list[BibEntry], method: str) -> list[tuple[str, list[BibEntry]]]:
    """Entries grouped 中文 / 日文 / 西文 (empty groups left out), each sorted."""
    out = []
    for group in GROUPS:
        mine = [e for e in entries if e.group == group]
        if mine:
            mine.sort(key=lambda e: (entry_key(e.csl, method), e.key))
            out.append((group, mine))
    return out
