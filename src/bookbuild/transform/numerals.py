"""Numbers in CJK text: `numerals = "chinese"` and tcy runs (docs/FORMAT.md, Numbers).

`to_chinese_numerals` is a render step of an edition (the source and `fix`
keep the digits):

* a 4-digit year before 年 is read digit by digit, zero as 〇
  (1944年 → 一九四四年, 1940年代 → 一九四〇年代; also the first year of a
  range, 1944～1945年);
* every other number is positional (8月7日 → 八月七日, 8529人 → 八千五百二十九人,
  10 → 十, 15 → 十五, 110 → 一百一十, 105 → 一百零五, 1,000 → 一千;
  民國33年 → 民國三十三年);
* decimals, ratios, times, fractions, percentages, and digits attached to
  Latin letters or hyphens stay as written (14.8, 1:6.4, 10:30, 1/12, 50%,
  B-29), and so do numbers in Latin context (`in 1944 the`), numbers with a
  leading zero, and numbers of more than 16 digits.
"""
from __future__ import annotations

import re

from ..charclass import TCY_RE, is_variation_selector
from .norm_chars import SPACES, is_han

_DIGIT = "〇一二三四五六七八九"
_UNITS = ("", "十", "百", "千")
_GROUPS = ("", "萬", "億", "兆")

# A number that touches none of . : , / - % and no Latin letter or digit;
# thousands separators (1,000) belong to the number.
_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/%-])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?![0-9A-Za-z.,:/%-])")
_RANGE_TO_YEAR = re.compile(r"[～~至–][0-9]{4}年")


def _group(n: int) -> str:
    """0 < n < 10000, positional, with 零 for inner zeros (1010 → 一千零一十)."""
    out, zero = [], False
    for power in (3, 2, 1, 0):
        d = n // 10 ** power % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGIT[d] + _UNITS[power])
    return "".join(out)


def positional(n: int) -> str:
    """Chinese reading of a non-negative integer < 10**16."""
    if n == 0:
        return "〇"
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        lower_missing = out and (g < 1000 or groups[i + 1] == 0)
        if lower_missing and not out[-1].endswith("零"):
            out.append("零")   # 10005 → 一萬零五, 20300 → 二萬零三百
        out.append(_group(g) + _GROUPS[i])
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]        # 10 → 十, 15 → 十五, 100000 → 十萬
    return text


def digit_by_digit(digits: str) -> str:
    return "".join(_DIGIT[int(d)] for d in digits)


def _cjk(text: str, start: int, end: int) -> bool:
    """§4 CJK context: the nearest non-space char on either side is Han."""
    i = start - 1
    while i >= 0 and (text[i] in SPACES or is_variation_selector(text[i])):   # 葛󠄀 10: 葛 decides
        i -= 1
    j = end
    while j < len(text) and text[j] in SPACES:
        j += 1
    return i >= 0 and is_han(text[i]) or j < len(text) and is_han(text[j])


def _convert(text: str, m: re.Match) -> str:
    raw = m.group()
    digits = raw.replace(",", "")
    after = text[m.end():m.end() + 6]
    is_year = len(raw) == 4 and (after.startswith("年") or _RANGE_TO_YEAR.match(after))
    if is_year:
        return digit_by_digit(raw)
    if len(digits) > 16 or len(digits) > 1 and digits[0] == "0":
        return raw
    return positional(int(digits))


def to_chinese_numerals(text: str) -> str:
    """Convert the numbers of CJK text to Chinese numerals (see module doc)."""
    parts, pos = [], 0
    for m in _NUMBER.finditer(text):
        if not _cjk(text, m.start(), m.end()):
            continue
        parts += [text[pos:m.start()], _convert(text, m)]
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def tcy_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every tcy run: 1–3 ASCII digits touching no other
    digit, none of `. : , / - %` and no Latin letter (the contract regex)."""
    return [m.span() for m in TCY_RE.finditer(text)]
