"""The normalizer's rules: one function per row of docs/VERTICAL-TYPOGRAPHY.md §4, in table order.

Each rule but row 1's NFC (which works on plain text) takes the paragraph
buffer and the options and returns edits `(start, end, new)` on the current
text, sorted and non-overlapping.  The row number is in each docstring.
`Buf.apply` drops any edit that touches a protected char, so a row only
has to decide *whether* a spot is in CJK context.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from ..charclass import is_variation_selector
from .norm_buffer import Buf
from .norm_chars import INTERPUNCT_INPUTS, TRANSLIT, is_han, is_ideograph, is_latin
from .norm_quotes import pair_quotes, quote_edits
from .norm_radicals import RADICAL_MAP, RADICALS

# Row 1 logs each radical it replaces; silent unless the application configures
# logging (renderers can call `radical_offsets` to report them with a position).
log = logging.getLogger("bookbuild.normalize")
log.addHandler(logging.NullHandler())


@dataclass(frozen=True, slots=True)
class Opts:
    range_mark: str = "～"
    interpunct: str = "·"
    pdf: bool = False


Edits = list[tuple[int, int, str]]

# ------------------------------------------------------------------ row 1

_COMPAT = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")
_RADICAL_SET = frozenset(RADICALS)


def nfc_keeping_compat_ideographs(text: str) -> str:
    """Row 1: NFC, but compatibility ideographs stay as written (NFC would replace
    them); then radicals -> unified ideographs (logged)."""
    if text.isascii():
        return text
    parts = _COMPAT.split(text)
    out = "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts))
    if any(ch in _RADICAL_SET for ch in out):
        found = sorted({f"U+{ord(ch):04X}" for ch in out if ch in _RADICAL_SET})
        log.warning("radical code point(s) %s replaced by unified ideographs", ", ".join(found))
        out = out.translate(RADICAL_MAP)
    return out


def radical_offsets(text: str) -> list[int]:
    """Offsets of the radicals row 1 replaces (for a warning with a position)."""
    return [i for i, ch in enumerate(text) if ch in _RADICAL_SET]


# ------------------------------------------------------------------ row 2

def _line_starts(text: str):
    yield 0
    i = text.find("\n")
    while i >= 0:
        yield i + 1
        i = text.find("\n", i + 1)


# how a Markdown line-start marker ends (`> `, `#`, `[^id]:`, `| `, indent)
_PREFIX_END = frozenset(" \t>#:|")


def drop_paragraph_indent(buf: Buf, o: Opts) -> Edits:
    """Row 2: U+3000 or spaces at the start of a paragraph (after any Markdown prefix).
    On later lines of the paragraph only U+3000 (ASCII spaces there can be
    Markdown).  A line holding nothing but the indent is left alone."""
    t, edits, first = buf.text, [], True
    for ls in _line_starts(t):
        p = ls
        while p < len(t) and buf.lock[p] and t[p] != "\n":
            p += 1   # Markdown prefix: `> `, `- `, `[^id]: `, continuation indent
        if p > ls and t[p - 1] not in _PREFIX_END:
            p = ls   # a locked citation or note call opens the line: not a prefix
        chars = " \t\u3000" if first else "\u3000"
        e = p
        while e < len(t) and t[e] in chars and not buf.lock[e]:
            e += 1
        has_content = e < len(t) and t[e] not in "\r\n"
        if has_content and e > p:
            edits.append((p, e, ""))
        first = first and not has_content
    return edits


# -------------------------------------------------------------- rows 3–5

_SPACE_RUN = re.compile("[ \t]+")


def _before(t: str, i: int) -> str:
    """The character before offset i, its variation selector looked through."""
    i -= 1
    while i > 0 and is_variation_selector(t[i]):
        i -= 1
    return t[i] if i >= 0 else ""


def drop_spaces_between_han(buf: Buf, o: Opts) -> Edits:
    """Row 3: spaces between two Han characters are dropped."""
    t = buf.text
    return [(m.start(), m.end(), "") for m in _SPACE_RUN.finditer(t)
            if m.start() > 0 and m.end() < len(t) and is_han(_before(t, m.start())) and is_han(t[m.end()])]


def drop_spaces_between_han_and_latin(buf: Buf, o: Opts) -> Edits:
    """Row 4 (pdf editions only): spaces between Han and Latin text are dropped."""
    if not o.pdf:
        return []
    t, edits = buf.text, []
    for m in _SPACE_RUN.finditer(t):
        if m.start() > 0 and m.end() < len(t):
            a, b = _before(t, m.start()), t[m.end()]
            if is_han(a) and is_latin(b) or is_latin(a) and is_han(b):
                edits.append((m.start(), m.end(), ""))
    return edits


_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def halfwidth_letters_and_digits(buf: Buf, o: Opts) -> Edits:
    """Row 5: full-width digits and Latin letters become ASCII."""
    return [(m.start(), m.end(), chr(ord(m.group()) - 0xFEE0))
            for m in _FULLWIDTH_ALNUM.finditer(buf.text)]


# ------------------------------------------------------------------ row 6

def _step(t: str, i: int, step: int) -> int:
    """The next character from i in direction step, a variation selector
    looked through (it belongs to the character before it)."""
    j = i + step
    while 0 <= j < len(t) and is_variation_selector(t[j]):
        j += step
    return j


def _translit_at(t: str, i: int, step: int) -> bool:
    """t[i] and, if it is Han too, the next char away from the separator are
    transliteration chars: `喬治.華盛頓` yes, `辦法.凡是` no (辦, 是)."""
    if t[i] not in TRANSLIT:
        return False
    j = _step(t, i, step)
    return not (0 <= j < len(t) and is_ideograph(t[j])) or t[j] in TRANSLIT


def _ideograph_at(t: str, i: int, step: int) -> bool:
    return is_ideograph(t[i])


def _name_side(t: str, i: int, step: int, han_ok) -> bool:
    """Is the char at i (beside a separator) part of a transliterated name?
    A Latin initial counts when the name continues past it (`喬治.W.布希`)."""
    if not 0 <= i < len(t):
        return False
    if han_ok(t, i, step):
        return True
    j = _step(t, i, step)
    k = _step(t, j, step)
    return ("A" <= t[i] <= "Z" and 0 <= j < len(t) and 0 <= k < len(t)
            and t[j] in INTERPUNCT_INPUTS and han_ok(t, k, step))


_INTERPUNCT_RE = re.compile("[" + re.escape(INTERPUNCT_INPUTS) + "]")


def name_interpuncts(buf: Buf, o: Opts) -> Edits:
    """Row 6: the separator inside a transliterated name (`喬治.華盛頓`) becomes the
    book's interpunct."""
    t, edits = buf.text, []
    for m in _INTERPUNCT_RE.finditer(t):
        i, ch = m.start(), m.group()
        if ch == o.interpunct:
            continue
        # an ASCII `.` could be a sentence end: both sides must look like a
        # transliteration; the other marks are interpuncts already
        han_ok = _translit_at if ch == "." else _ideograph_at
        left = _step(t, i, -1)
        if _name_side(t, left, -1, han_ok) and _name_side(t, i + 1, 1, han_ok) \
                and not ("A" <= t[left] <= "Z" and "A" <= t[i + 1] <= "Z"):
            edits.append((i, i + 1, o.interpunct))
    return edits


# -------------------------------------------------------------- rows 7–9

_COMMA = re.compile(",+")
_PERIOD = re.compile(r"(?<!\.)\.(?!\.)")     # `..`, `...` are row 13's
_COLON_ETC = re.compile("[:;!?]+")
_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？"}


def _simple(buf: Buf, rx: re.Pattern) -> Edits:
    """A run of marks (`,,,`, `?!`) changes as one: once one mark of it is
    full-width its neighbour is in CJK context, so changing one per pass would
    leave a long run half done after the last pass (and `fix` not idempotent)."""
    edits = []
    for m in rx.finditer(buf.text):
        a, b = m.span()
        if buf.cjk(a, b) or any(buf.cjk_after_word(i) for i in range(a, b)):
            edits += [(i, i + 1, _FULL[buf.text[i]]) for i in range(a, b)]
    return edits


def fullwidth_commas(buf: Buf, o: Opts) -> Edits:
    """Row 7: `,` in CJK context becomes `，`."""
    return _simple(buf, _COMMA)


def fullwidth_periods(buf: Buf, o: Opts) -> Edits:
    """Row 8: a single `.` in CJK context becomes `。` (`..`, `...` are row 13's)."""
    return _simple(buf, _PERIOD)


def fullwidth_colons_and_stops(buf: Buf, o: Opts) -> Edits:
    """Row 9: `:` `;` `!` `?` in CJK context become full-width."""
    return _simple(buf, _COLON_ETC)


# ----------------------------------------------------------------- row 10

_PARENS = re.compile("[()]")


def fullwidth_parens(buf: Buf, o: Opts) -> Edits:
    """Row 10: a pair of ASCII parentheses with Han text inside or beside it becomes `（）`."""
    t, stack, edits = buf.text, [], []
    for m in _PARENS.finditer(t):
        i, ch = m.start(), m.group()
        if buf.frozen(i):
            continue
        if ch == "(":
            stack.append(i)
        elif stack:
            a = stack.pop()
            if (buf.han_at(buf.left(a)) or buf.han_at(buf.right(i)) or buf.han_at(buf.right(a))
                    or buf.han_at(buf.left(i)) or any(is_han(c) for c in t[a + 1:i])):
                edits += [(a, a + 1, "（"), (i, i + 1, "）")]
    return sorted(edits)


# ----------------------------------------------------------------- row 11

def corner_quotes(buf: Buf, o: Opts) -> Edits:
    """Row 11: paired ASCII/curly quotes in CJK context become 「」 or 『』; nothing changes
    while a quote of the paragraph has no partner."""
    pairs, unmatched = pair_quotes(buf.text, buf.frozen)
    if any(buf.text[i] not in "「」『』" for i in unmatched):
        return []   # unbalanced: leave every quote as written (BB404 reports it)
    return quote_edits(buf, pairs)


# ------------------------------------------------------------ rows 12–13

_DASH = re.compile("-{2,}|[\u2014\u2015\u2500]+|\uff0d{2,}")
_ELLIPSIS = re.compile("\\.{3,}|[\u2026\u22ef]+|\u3002{3,}")


def cjk_dashes(buf: Buf, o: Opts) -> Edits:
    """Row 12: a dash run in CJK context (`--`, `—`, `―`, `─`, `－－`) becomes `——`."""
    edits = []
    for m in _DASH.finditer(buf.text):
        run = m.group()
        units = len(run) // 2 if run[0] in "-\uff0d" else (len(run) + 1) // 2
        if buf.cjk(m.start(), m.end()):
            edits.append((m.start(), m.end(), "\u2014\u2014" * units))
    return edits


def cjk_ellipses(buf: Buf, o: Opts) -> Edits:
    """Row 13: an ellipsis (`...`, `…`, `⋯` in CJK context; `。。。` anywhere) becomes `……`."""
    edits = []
    for m in _ELLIPSIS.finditer(buf.text):
        run = m.group()
        units = (len(run) + 1) // 2 if run[0] in "\u2026\u22ef" else (len(run) + 5) // 6
        if run[0] == "\u3002" or buf.cjk(m.start(), m.end()):
            edits.append((m.start(), m.end(), "\u2026\u2026" * units))
    return edits


# ----------------------------------------------------------------- row 14

_NUM = "[0-9\uff10-\uff19]+(?:\\.[0-9]+)?"
_RANGE = re.compile(
    f"(?<![0-9A-Za-z\uff10-\uff19.,:/%~\u223c\u301c\uff5e-])({_NUM})([~\u223c\u301c\uff5e-])({_NUM})"
    f"(?![0-9A-Za-z\uff10-\uff19:/~\u223c\u301c\uff5e-]|[.,][0-9])")


def range_marks(buf: Buf, o: Opts) -> Edits:
    """Row 14: the connector of a number range (`1-3`, `1~3`) becomes the book's range mark
    (not in a phone number such as `02-2345`, nor `-` outside CJK context)."""
    edits = []
    for m in _RANGE.finditer(buf.text):
        a, conn, b = m.groups()
        if _leading_zero(a) or _leading_zero(b):
            continue   # 02-2345: a phone number, not a range
        if conn == "-" and not buf.cjk(m.start(), m.end()):
            continue   # `pp. 12-15` in a Latin citation
        edits.append((m.start(2), m.end(2), o.range_mark))
    return edits


def _leading_zero(num: str) -> bool:
    return len(num) > 1 and num[0] in "0\uff10" and num[1] not in "."


# rows 2, 6–14, in table order: what `fix` writes and BB401 reports
FIX_RULES = (drop_paragraph_indent, name_interpuncts, fullwidth_commas, fullwidth_periods,
             fullwidth_colons_and_stops, fullwidth_parens, corner_quotes, cjk_dashes, cjk_ellipses, range_marks)
# rows 2–14 (row 1 runs first, on the whole text)
RENDER_RULES = (drop_paragraph_indent, drop_spaces_between_han, drop_spaces_between_han_and_latin,
                halfwidth_letters_and_digits) + FIX_RULES[1:]
