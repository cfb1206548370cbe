"""Character tests and built-in protected spans for the §4 normalizer.

Kept apart from the rows so the rows read as the table does.  "Han char"
(which decides CJK context) comes from charclass, the project's one table of
character classes.
"""
from __future__ import annotations

import re
from functools import cache

from ..charclass import VARIATION_SELECTORS, is_han_context

OBJ = "\ufffc"            # an inline object (note call …) inside render text
SPACES = " \t\r\n"          # skipped when looking for a neighbour
# Marks that neither make nor break CJK context: a CJK dash or ellipsis sits
# between the text and the punctuation after it (`走吧……!`), an inline
# object stands for a note call, and a variation selector belongs to the
# character before it (`葛󠄀!` is 葛 followed by `!`).
SEE_THROUGH = frozenset("\u2026\u2014\u22ef\u2015\u2500" + OBJ) | frozenset(
    chr(cp) for lo, hi in VARIATION_SELECTORS for cp in range(lo, hi + 1))


@cache
def is_han(ch: str) -> bool:
    """§4 "Han char": Hani/Bopo script, U+3000–303F, fullwidth punctuation."""
    return is_han_context(ch)


@cache
def is_ideograph(ch: str) -> bool:
    """A Han char that is a letter (not a punctuation mark or ideographic symbol)."""
    cp = ord(ch)
    return is_han(ch) and not (0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF)


def is_latin(ch: str) -> bool:
    """ASCII letter or digit, or a Latin-1/Latin Extended letter."""
    return ch.isascii() and ch.isalnum() or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


# Characters common in transliterated foreign names (音譯用字).  Row 6 turns an
# ASCII `.` between two Han chars into the interpunct only when both sides are
# in this set, so `喬治.華盛頓` becomes `喬治·華盛頓` while `走了.我們` is a
# sentence end (row 8).
TRANSLIT = frozenset(
    "阿埃艾愛安昂奧澳巴芭拜班邦保鮑貝本比彼畢庇波伯柏博布步查察柴達戴丹黛道德登迪狄蒂帝"
    "杜多朵俄厄鄂恩爾法凡范菲斐芬豐佛弗夫福富伏甘岡高戈哥格葛根古瓜圭哈海韓漢豪赫黑亨侯"
    "胡華懷霍基吉季加佳迦賈傑捷金津喬瓊卡凱坎康考柯科可克肯孔庫奎昆拉萊賴蘭朗勞雷蕾黎里"
    "理利莉立連廉良林琳霖露盧魯路倫羅洛呂瑪馬麥邁曼梅美門蒙孟米密敏明摩莫墨姆穆納娜奈南"
    "內尼妮涅紐諾歐帕派潘佩彭皮匹平珀普浦齊奇琦恰欽丘區瑞若薩塞賽桑瑟森沙莎山珊尚舍聖施"
    "什史士斯思絲蘇索塔泰坦湯唐陶特滕提廷圖托瓦萬旺威韋維偉衛溫文沃烏吳伍武西希錫夏謝辛"
    "欣休雅亞延揚楊耶葉伊依怡英尤猶約雲贊澤扎詹茲祖佐遜頓盛治翰迺娃麗芙蓮妮娜琪蕾薇露"
    "絲黛茱莉安娜凱特羅賓漢彌爾頓邱吉爾戈巴契夫史達林列寧托洛茨基馬克思恩格斯拿破崙俾斯"
    "麥希特勒墨索里尼羅斯福杜魯門艾森豪麥克阿瑟蒙哥馬利史迪威陳納德魏德邁馬歇爾赫爾利")

INTERPUNCT_INPUTS = ".\u2027\u2022\u30fb\u00b7"   # . ‧ • ・ ·

# ------------------------------------------------------ built-in protections
# §4 "Protected spans": things inside Latin text that look like punctuation.
# Each regex is ASCII-only on purpose (`\w` and `\d` would match Han and
# fullwidth digits).
_URL = (r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.|mailto:)"
        r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#=&%+]")
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
_DOI = r"(?:doi:\s?)?10\.[0-9]{4,9}/[A-Za-z0-9\-._;()/:]*[A-Za-z0-9/]"
_ISBN = r"ISBN(?:-1[03])?:?\s?[0-9][0-9 \-]{8,16}[0-9Xx]"
# decimals 1.7, times 10:30, ratios 1:50,000, thousands 1,000, versions 2.0.1
_NUMBER = r"[0-9]+(?:[.,:][0-9]+)+"
_QUERY = r"\?[A-Za-z_][A-Za-z0-9_]*="
_ABBREV = (r"(?<![A-Za-z])(?:e\.g|i\.e|et al|etc|ibid|op\. cit|n\.d|pp|p|vols?|eds?|cf|nos?|"
           r"mrs?|ms|dr|prof|st|jr|sr|vs|ca|chap|ch|figs?|trans|esp|approx|repr)\.")
_INITIALS = r"(?<![A-Za-z])(?:[A-Z]\.){2,}"        # J.R.R.
# a lone initial before a name (`W.布希`, `J.Smith`), unless it sits inside a
# transliterated name (`喬治.W.布希`), which row 6 joins with interpuncts
_INITIAL = r"(?<![A-Za-z.\u2027\u2022\u30fb\u00b7])[A-Z]\.(?=[A-Za-z]|[\u3400-\u9fff])"

# The leading lookahead lets the engine reject a Han position at once instead
# of trying every alternative there (10× faster on CJK text).
BUILTIN_PROTECTED = re.compile("(?=[A-Za-z0-9?._%+\\-])(?:" + "|".join(
    f"(?:{p})" for p in (_URL, _EMAIL, _DOI, _ISBN, _NUMBER, _QUERY, _INITIALS, _INITIAL)) + ")")
ABBREVIATION = re.compile("(?=[A-Za-z])" + _ABBREV, re.IGNORECASE)


def builtin_protected(text: str) -> bytearray:
    """1 for every char inside a built-in protected span of `text`."""
    mask = bytearray(len(text))
    for rx in (BUILTIN_PROTECTED, ABBREVIATION):
        for m in rx.finditer(text):
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return mask
