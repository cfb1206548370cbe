"""Input normalization: docs/VERTICAL-TYPOGRAPHY.md §4, one implementation.

* `normalize_for_render` applies every row (1–14; row 4 in pdf editions
  only) to a piece of prose, in memory, per edition.  U+FFFC stands for an
  inline object (a note call) and survives untouched.
* `fix_text` applies only the rows marked **fix** (punctuation rows 6–14 and
  the leading-indent row 2) to a Markdown source, never inside the caller's
  protected spans, and reports each change as offsets into the input.  It is
  what `bookbuild fix` writes and what BB401 reports (check/punctuation.py),
  so the two can never disagree.

Rows run in table order over one paragraph at a time (text between blank
lines): CJK context never reaches into the next paragraph.  A later row can
create work for an earlier one (row 7 turns `他說, 我們` into `他說， 我們`,
whose space row 3 removes), so the rows are repeated until nothing changes:
that is what makes both functions idempotent.  Every row only ever replaces
characters from its input set by characters outside every input set, so
the repetition ends after a few passes.
"""
from __future__ import annotations

import re
import unicodedata

from .norm_buffer import Buf, Change, object_mask
from .norm_chars import is_han
from .norm_quotes import pair_quotes
from .norm_rules import FIX_RULES, RENDER_RULES, Opts, nfc_keeping_compat_ideographs, radical_offsets
from .protected_spans import lone_cr_as_lf

__all__ = ["Change", "fix_text", "apply_changes", "normalize_for_render", "quote_problems",
           "paragraphs", "radical_offsets"]

_MAX_PASSES = 8
# Something some row could change.  Most paragraphs of a clean book hold only
# ，。、「」 and Han: they skip the rows entirely (the renderers call this once
# per text run, 100,000s of times for a big book).
_WORK = re.compile("[,.:;!?()\"'\u201c\u201d\u2018\u2019\\-~\u223c\u301c\uff5e\u00b7\u2027\u2022\u30fb"
                   "\u2014\u2015\u2500\uff0d\u2026\u22ef \t\u3000\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
                   "\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f\u0300-\u036f]|\u3002{3}")
# What the fix rows (2, 6–14) can change; spaces matter only at a paragraph's start.
_FIX_WORK = re.compile("[,.:;!?()\"'\u201c\u201d\u2018\u2019\\-~\u223c\u301c\uff5e\u00b7\u2027\u2022\u30fb"
                       "\u2014\u2015\u2500\uff0d\u2026\u22ef]|\u3002{3}")
_LINE_INDENT = re.compile("(?m)^[ \t\u3000]")
_BLANK = re.compile(r"\n(?:[ \t\r]*\n)+")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: the text between blank lines."""
    out, pos = [], 0
    for m in _BLANK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def _run(buf: Buf, rows, opts: Opts) -> None:
    for _ in range(_MAX_PASSES):
        changed = False
        for row in rows:
            changed |= buf.apply(row(buf, opts))
        if not changed:
            return


def _lock_mask(text: str, protected) -> bytearray:
    lock = object_mask(text)
    for start, end in protected:
        start, end = max(start, 0), min(end, len(text))
        if end > start:
            lock[start:end] = b"\x01" * (end - start)
    return lock


def fix_text(text: str, protected: list[tuple[int, int]], *, range_mark: str = "～",
             interpunct: str = "·") -> tuple[str, list[Change]]:
    """Apply the **fix** rows of §4. Returns (new text, changes); each Change
    holds offsets into `text`. Chars inside `protected` spans never change."""
    opts = Opts(range_mark=range_mark, interpunct=interpunct)
    lock = _lock_mask(text, protected)
    changes: list[Change] = []
    # rows find line starts at LF; the changes never touch a line end, so they
    # apply to the text as written (its lone CRs kept)
    work = lone_cr_as_lf(text)
    for start, end in paragraphs(work):
        if start == end or not _needs_fix(work, start, end, lock):
            continue
        buf = Buf(work[start:end], list(range(start, end)), lock[start:end])
        _run(buf, FIX_RULES, opts)
        changes += buf.changes(work, start, end - start)
    return apply_changes(text, changes), changes


def _needs_fix(text: str, start: int, end: int, lock: bytearray) -> bool:
    """Fast path: a paragraph no fix row can touch (most of a clean book) is skipped."""
    for pattern in (_FIX_WORK, _LINE_INDENT):
        if any(not lock[m.start()] for m in pattern.finditer(text, start, end)):
            return True
    return False


def apply_changes(text: str, changes: list[Change]) -> str:
    """The text with (sorted, non-overlapping) changes applied."""
    parts, pos = [], 0
    for c in changes:
        parts += [text[pos:c.start], c.new]
        pos = c.end
    parts.append(text[pos:])
    return "".join(parts)


def normalize_for_render(text: str, *, pdf: bool, range_mark: str = "～",
                         interpunct: str = "·") -> str:
    """Apply every row of §4 (row 4 only when `pdf`) to a piece of prose."""
    if not _WORK.search(text) and unicodedata.is_normalized("NFC", text):
        return text
    opts = Opts(range_mark=range_mark, interpunct=interpunct, pdf=pdf)
    for _ in range(_MAX_PASSES):
        new = _render_pass(text, opts)
        if new == text:
            break
        text = new
    return text


def _render_pass(text: str, opts: Opts) -> str:
    text = nfc_keeping_compat_ideographs(text)
    parts, pos = [], 0
    for start, end in paragraphs(text):
        parts.append(text[pos:start])
        buf = Buf.of(text[start:end], start)
        _run(buf, RENDER_RULES, opts)
        parts.append(buf.text)
        pos = end
    return "".join(parts)


def quote_problems(text: str, protected: list[tuple[int, int]]) -> list[int]:
    """BB404: offsets of unmatched quotes, per paragraph.

    Reported: every unmatched 「」『』, and unmatched ASCII/curly quotes in
    CJK context.  Not reported: an opening corner bracket left open at the
    end of a paragraph when the next paragraph opens with the same bracket
    (a quotation running over several paragraphs, 教育部 手冊)."""
    lock = _lock_mask(text, protected)
    paras = paragraphs(text)
    out: list[int] = []
    for n, (start, end) in enumerate(paras):
        buf = Buf(text[start:end], list(range(start, end)), lock[start:end])
        _, unmatched = pair_quotes(buf.text, buf.frozen)
        next_open = _first_char(text, lock, *paras[n + 1]) if n + 1 < len(paras) else ""
        for i in unmatched:
            ch = buf.text[i]
            if ch in "「『":
                if ch == next_open and _only_opens_after(buf.text, unmatched, i):
                    continue
            elif ch not in "」』" and not buf.cjk(i):
                continue
            out.append(start + i)
    return out


def _first_char(text: str, lock: bytearray, start: int, end: int) -> str:
    for i in range(start, end):
        if not lock[i] and not text[i].isspace() and text[i] != "\u3000":
            return text[i]
    return ""


def _only_opens_after(text: str, unmatched: list[int], i: int) -> bool:
    """i is the last unmatched quote of the paragraph (nothing else dangles after it)."""
    return all(j <= i or text[j] in "「『" for j in unmatched)


def has_han(text: str) -> bool:
    return any(is_han(ch) for ch in text)
