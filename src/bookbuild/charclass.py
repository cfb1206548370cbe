"""Character classes for vertical Traditional Chinese (docs/VERTICAL-TYPOGRAPHY.md §3).

The one table module shared by the column breaker, the font deriver, the
normalizer and the tests. All sets are code points *after* normalization.

Orientation of a character in the reading frame P:
  * "upright"  — drawn upright (§3.1); the derived font pre-rotates its glyph;
  * "vert"     — needs the font's vertical alternate (§3.2 VERT-ALT, plus the
                 other UAX #50 `Tr` characters such as ー 〜), pre-rotated;
  * "rotated"  — lies sideways (§3.3): Latin, digits outside tcy, dashes.
Digits are "rotated" here; whether a run is tate-chu-yoko is a property of
its context (`TCY_RE`), not of the character.

UAX #50 data: `data/VerticalOrientation.txt` (Unicode 15.0.0, copied from
Debian's unicode-data package). TC deviations from UAX #50 are explicit below.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from importlib import resources

# --- §3.1 UPRIGHT -----------------------------------------------------------

# Han ideographs. Compatibility ideographs (F900–FAFF, 2F800–2FA1F) are
# upright when present: the normalizer keeps them only if the author wrote them.
# Planes 2 and 3 hold nothing but ideographs: Ext. B–F, I (20000–2EE5F), the
# compatibility supplement, Ext. G and H (30000–323AF); a code point assigned
# after Python's Unicode data (Ext. H, I) still counts.
HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F), (0x30000, 0x323AF),
)
BOPOMOFO_RANGES = ((0x3100, 0x312F), (0x31A0, 0x31BF))
IDEOGRAPHIC_SYMBOLS = frozenset("\u3000\u3003\u3005\u3007\u3012\u3013\u203b")
# TC pause/stop marks: centred in the cell (VT-14), upright (VT-09 keeps ：； upright).
TC_STOPS = frozenset("、。，．：；！？‼⁇⁈⁉")
INTERPUNCTS = frozenset("\u00b7\u2027\u30fb")
SOLIDUS_FW = "\uff0f"

# Marks whose plain (horizontal) glyph is already centred in the TC face; the
# font deriver must not take their vertical alternates (JP/SC corner position).
CENTRED_PUNCT = TC_STOPS

# --- §3.2 VERT-ALT ----------------------------------------------------------

# source char -> presentation form it should look like (appearance reference only;
# the presentation forms never enter a text layer, VT-10/VT-31).
VERT_ALT_REFERENCE: dict[str, str] = {
    "「": "\ufe41", "」": "\ufe42", "『": "\ufe43", "』": "\ufe44",
    "（": "\ufe35", "）": "\ufe36", "《": "\ufe3d", "》": "\ufe3e",
    "〈": "\ufe3f", "〉": "\ufe40", "【": "\ufe3b", "】": "\ufe3c",
    "〔": "\ufe39", "〕": "\ufe3a", "〖": "\ufe17", "〗": "\ufe18",
    "［": "\ufe47", "］": "\ufe48", "｛": "\ufe37", "｝": "\ufe38",
}
VERT_ALT = frozenset(VERT_ALT_REFERENCE) | {"～"}

# --- §3.3 ROTATED -----------------------------------------------------------

# Dashes and dots that run along the column. The font deriver draws them with
# their vertical alternate, pre-rotated, so two in a row join into one 2-em unit.
ROTATED_MARKS_REFERENCE: dict[str, str | None] = {
    "\u2014": "\ufe31", "\u2013": "\ufe32", "\u2026": "\ufe19", "\u2025": "\ufe30",
    "\u2e3a": None, "\u2e3b": None, "\u22ef": None,
}
ROTATED_MARKS = frozenset(ROTATED_MARKS_REFERENCE)

# --- §3.4 kinsoku -----------------------------------------------------------

_CLOSING = "」』）》〉】〗〕］｝\u201d\u2019"
_OPENING = "「『（《〈【〖〔［｛\u201c\u2018"
START_PROHIBITED_BASIC = frozenset(TC_STOPS | set(_CLOSING) | INTERPUNCTS | {"～", "\u2013"})
START_PROHIBITED_STRICT = START_PROHIBITED_BASIC | frozenset("\u2014\u2e3a\u2026\u22ef")
START_PROHIBITED = {"basic": START_PROHIBITED_BASIC, "strict": START_PROHIBITED_STRICT}
END_PROHIBITED = frozenset(_OPENING)
END_PROHIBITED_STRICT = END_PROHIBITED | frozenset("\uff0f/")
END_PROHIBITED_BY_LEVEL = {"basic": END_PROHIBITED, "strict": END_PROHIBITED_STRICT}
# VT-18: a unit/sign glued to the digit it follows / precedes.
AFTER_DIGIT = frozenset("％%‰℃°")
BEFORE_DIGIT = ("NT$", "$", "＄", "￥", "+", "\u2212", "±")
# Two-character units that never break (stacked marks count 1 em, dashes 2 em).
UNBREAKABLE_PAIRS = frozenset({
    "\u2014\u2014", "\u2026\u2026", "\u22ef\u22ef", "！！", "？？", "！？", "？！",
})

# --- numbers ------------------------------------------------------------------

# docs/FORMAT.md "Numbers": a tcy run is a maximal run of 1–3 ASCII digits that
# touches no other digit, none of . : , / - % and no Latin letter.
TCY_RE = re.compile(r"(?<![0-9A-Za-z.,:/%-])[0-9]{1,3}(?![0-9A-Za-z.,:/%-])")

# --- VT-31 text layer -------------------------------------------------------

FORBIDDEN_IN_TEXT_LAYER: tuple[tuple[int, int, str], ...] = (
    (0x2F00, 0x2FDF, "Kangxi radical"),
    (0x2E80, 0x2EFF, "CJK radical supplement"),
    (0xF900, 0xFAFF, "compatibility ideograph"),
    (0xFE10, 0xFE1F, "vertical form"),
    (0xFE30, 0xFE4F, "vertical form"),
    (0xE000, 0xF8FF, "private use"),
    (0xF0000, 0xFFFFD, "private use"),
    (0x100000, 0x10FFFD, "private use"),
    (0x200B, 0x200D, "zero-width character"),
    (0x2060, 0x2060, "word joiner"),
    (0xFEFF, 0xFEFF, "zero-width no-break space"),
    (0xFFFD, 0xFFFD, "replacement character"),
)


def forbidden_reason(ch: str) -> str | None:
    """Why `ch` may not appear in a text layer (VT-31), or None."""
    cp = ord(ch)
    for lo, hi, why in FORBIDDEN_IN_TEXT_LAYER:
        if lo <= cp <= hi:
            return why
    return None


def forbidden_chars(text: str, allowed: str | frozenset[str] = frozenset()) -> list[str]:
    """Distinct VT-31-forbidden chars of `text`, in order of first occurrence.

    `allowed`: chars present in the normalized source (compatibility
    ideographs the author wrote are legitimate in the text layer).
    """
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and ch not in allowed and forbidden_reason(ch):
            seen[ch] = None
    return list(seen)


# --- UAX #50 lookup -----------------------------------------------------------

_VO_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*(U|R|Tu|Tr)\b")


@lru_cache(maxsize=1)
def _vo_table() -> tuple[list[int], list[int], list[str]]:
    starts, ends, values = [], [], []
    text = resources.files("bookbuild").joinpath("data/VerticalOrientation.txt").read_text("utf-8")
    for line in text.splitlines():
        m = _VO_LINE.match(line)
        if m:
            starts.append(int(m[1], 16))
            ends.append(int(m[2] or m[1], 16))
            values.append(m[3])
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [ends[i] for i in order], [values[i] for i in order]


def vertical_orientation(ch: str) -> str:
    """UAX #50 Vertical_Orientation of `ch`: "U", "R", "Tu" or "Tr" (default R)."""
    cp = ord(ch)
    starts, ends, values = _vo_table()
    i = bisect.bisect_right(starts, cp) - 1
    if i >= 0 and cp <= ends[i]:
        return values[i]
    return "R"


# --- class tests ----------------------------------------------------------------

def _in(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def is_han(ch: str) -> bool:
    """Han ideograph (§3.1 Han ranges)."""
    return _in(ord(ch), HAN_RANGES)


def is_han_context(ch: str) -> bool:
    """§4 "Han char", which decides CJK context: script Hani/Bopo (fontTools),
    U+3000–303F and the fullwidth punctuation blocks (not fullwidth digits/letters)."""
    cp = ord(ch)
    if 0x3000 <= cp <= 0x303F or _in(cp, ((0xFF01, 0xFF0F), (0xFF1A, 0xFF20),
                                         (0xFF3B, 0xFF40), (0xFF5B, 0xFF60))):
        return True
    return _script(ch) in ("Hani", "Bopo")


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    from fontTools import unicodedata as fu  # local: only the normalizer needs it
    return fu.script(ch)


def _explicit_upright(ch: str) -> bool:
    cp = ord(ch)
    return (_in(cp, HAN_RANGES) or _in(cp, BOPOMOFO_RANGES) or ch in IDEOGRAPHIC_SYMBOLS
            or ch in TC_STOPS or ch in INTERPUNCTS or ch == SOLIDUS_FW)


def is_upright(ch: str) -> bool:
    """UPRIGHT class (§3.1): the explicit TC sets, plus every other character that
    UAX #50 sets upright (U/Tu: kana, hangul, ○, ※ …) and that is neither VERT-ALT
    nor a dash/dot mark. Digits/acronym letters are upright only by context."""
    if _explicit_upright(ch):
        return True
    if ch in VERT_ALT or ch in ROTATED_MARKS:
        return False
    return vertical_orientation(ch) in ("U", "Tu")


def needs_vertical_alternate(ch: str) -> bool:
    """VERT-ALT (§3.2) or another UAX #50 `Tr` char that TC does not set upright."""
    if ch in VERT_ALT:
        return True
    return not _explicit_upright(ch) and vertical_orientation(ch) == "Tr"


def is_rotated(ch: str) -> bool:
    """ROTATED class (§3.3): lies sideways in P (Latin, ASCII, digits, dashes)."""
    if ch in ROTATED_MARKS:
        return True
    return not is_upright(ch) and not needs_vertical_alternate(ch)


def orientation(ch: str) -> str:
    """"upright", "vert" or "rotated" (see module docstring)."""
    if is_upright(ch):
        return "upright"
    if needs_vertical_alternate(ch):
        return "vert"
    return "rotated"


def tcy_runs(text: str) -> set[str]:
    """The distinct tcy runs (1–3 digit strings) of `text`."""
    return {m.group() for m in TCY_RE.finditer(text)}


# --- cells: a base character and what belongs to it ---------------------------

# A variation selector (standardized FE00–FE0F, ideographic E0100–E01EF), a
# combining mark or a zero-width joiner is drawn with the character before it:
# it is never a cell of its own, never separated from that character by a
# break, never counted (docs/FORMAT.md "Characters").
VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def is_variation_selector(ch: str) -> bool:
    # spelled out, not _in(): called for every character of the book (EPUB text, sort keys)
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def is_joiner(ch: str) -> bool:
    """Belongs to the character before it (variation selector, combining mark, ZWJ)."""
    return is_variation_selector(ch) or ch == "\u200d" or unicodedata.category(ch)[0] == "M"


def cell_starts(text: str) -> list[int]:
    """Offsets (code points) where a cell starts; a joiner at the start of
    `text` has no base in it and starts a cell."""
    return [i for i, ch in enumerate(text) if i == 0 or not is_joiner(ch)]


def cells(text: str) -> list[str]:
    """`text` cut into cells: each base character with the joiners after it."""
    starts = cell_starts(text)
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


COMPATIBILITY_IDEOGRAPHS = ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def is_compatibility_ideograph(ch: str) -> bool:
    """U+F900–FAFF, U+2F800–2FA1F (NFC would replace all but 12 of them)."""
    return _in(ord(ch), COMPATIBILITY_IDEOGRAPHS)


def without_variation_selectors(text: str) -> str:
    """The characters without their variant choice (sort keys, dictionary look-ups)."""
    return _SELECTORS_RE.sub("", text)


# the VARIATION_SELECTORS ranges as one class: a C loop, not a Python one per character
_SELECTORS_RE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")
