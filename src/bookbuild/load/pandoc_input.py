"""What Pandoc is given: the author's text with every construct tagged with its offset.

Pandoc's `markdown` reader (the only one with citation syntax) keeps no
source positions.  Before Pandoc sees a file we rewrite each construct so
that it carries its own offset into the author's file:

    [^id]            ->  []{.bbref ref="id" bbo="123"}
    [^id]{.again}    ->  []{.bbref ref="id" again="1" bbo="123"}
    [x]{.term k=v}   ->  [x]{.term k=v bbo="123"}
    [見 @k, 頁3]     ->  [[見 @k, 頁3]]{.bbcite bbo="123"}
    [](#fig-x)       ->  [](#fig-x){bbo="123"}     (a cross-reference; `{.page}` keeps its class)
    ^[an inline note] is left to Pandoc (a Note: pandoc_ast.py makes it a note
                     of its own); a citation inside it is tagged as above

The rewrite never adds or removes a newline, so lines stay aligned; the
offsets are exact.  Plain text positions are recovered later by aligning
Pandoc's Str tokens with the original text (load/pandoc_ast.py).

The same edits keep Pandoc's reader out of its slow paths: `[` nested too deep
or never closed is escaped, a `:::` that would close the part's own wrapper is
escaped, very long CJK lines get newlines; block nesting past the limit is
reported (BB510) and the file not given to Pandoc at all.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_AGAIN_RE = re.compile(r"\{\s*\.again\s*\}")
_KEYCHAR = r"[\w:.#$%&+?<>~/-]"
_CITE_RE = re.compile(r"(?:^|(?<=[\s;\[]))-?@(" + _KEYCHAR + r"*)")
_FENCE_RE = re.compile(r"^ {0,3}(```+|~~~+)", re.M)
# An HTML comment, or a code span: a run of backticks not escaped, closed by a run as long
_SPAN_RE = re.compile(r"<!--.*?-->|(?<!\\)(`+)[^`].*?(?<!`)\1(?!`)", re.S)
_SPECIAL = re.compile(r"[\[\]\\]")
# Pandoc's markdown reader (with `citations`) takes time exponential in the number
# of `[` open at once in one block: 18 of them take 14 s, 20 over a minute.  A `[`
# opened deeper than this, or never closed, is escaped before Pandoc sees it (it
# would be literal text anyway, or is nesting no book needs).
MAX_OPEN_BRACKETS = 6
# A fenced-div line: `::: name`/`::: {…}` opens, bare `:::` closes.  Note bodies
# are dedented before Pandoc sees them, so there one continuation indent counts too.
_DIV_FENCE = {True: re.compile(r"^ {0,3}:{3,}[ \t]*(.*)$", re.M),
              False: re.compile(r"^(?:    |\t)? {0,3}:{3,}[ \t]*(.*)$", re.M)}
_NOTE_DEF = re.compile(r"\[\^[^\]\n]*\]:")


@dataclass
class Scan:
    """Edits to apply (offset, length to delete, text to insert) and findings."""
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    empty_cites: list[int] = field(default_factory=list)      # offsets of `@` with no key
    chapter_defs: list[tuple[int, str]] = field(default_factory=list)  # [^id]: in a chapter


def _quote(value: str) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&#38;")
    # Pandoc drops the whole attribute block (and the scaffolding shows up as
    # text) when a quoted value starts with a space: `[^ a]`; an entity is read back
    if value[:1].isspace():
        value = f"&#{ord(value[0])};{value[1:]}"
    return value


def _closes(fence: re.Match, opener: str, text: str, end: int) -> bool:
    """A closing fence: the opener's character, at least as long, nothing after it on its line."""
    mark = fence.group(1)
    if mark[0] != opener[0] or len(mark) < len(opener):
        return False
    eol = text.find("\n", fence.end(), end)
    return not text[fence.end():end if eol < 0 else eol].strip()


def code_regions(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Fenced code, code spans and HTML comments in text[start:end]: Pandoc reads no
    note, citation or bracket in them, so neither the scanner nor `bookbuild import` does."""
    end = len(text) if end is None else end
    regions = []
    fences = list(_FENCE_RE.finditer(text, start, end))
    i = 0
    while i < len(fences):
        opener = fences[i].group(1)
        close = next((j for j in range(i + 1, len(fences)) if _closes(fences[j], opener, text, end)), None)
        if close is None:
            # Pandoc's markdown (unlike CommonMark) makes no code block of a fence that is
            # never closed: the line is text, and the brackets after it reach Pandoc
            i += 1
            continue
        regions.append((fences[i].start(), fences[close].end()))
        i = close + 1
    fenced = list(regions)
    for m in _SPAN_RE.finditer(text, start, end):
        if not any(a <= m.start() < b for a, b in fenced):
            regions.append((m.start(), m.end()))
    return sorted(regions)


def scan(text: str, start: int = 0, end: int | None = None, *, chapter: bool = True) -> Scan:
    end = len(text) if end is None else end
    out = Scan()
    skips = code_regions(text, start, end)
    stack: list[int] = []
    i = start
    k = 0
    # Only brackets and backslashes matter: jump from one to the next (C speed).
    for hit in _SPECIAL.finditer(text, start, end):
        j = hit.start()
        if j < i:
            continue
        while k < len(skips) and skips[k][1] <= j:
            k += 1
        if k < len(skips) and skips[k][0] <= j:
            i = skips[k][1]
            continue
        ch = text[j]
        i = j + 1
        if ch == "\\":
            i = j + 2
        elif text.startswith("[^", j) and _note_span_ok(text, j):
            i = _note_ref(text, j, text.find("]", j), out, chapter)
        elif ch == "[" and len(stack) < MAX_OPEN_BRACKETS:
            stack.append(j)
        elif ch == "[":
            out.edits.append((j, 0, "\\"))
        elif ch == "]" and stack:
            i = _close_bracket(text, stack.pop(), j, out)
    out.edits += [(j, 0, "\\") for j in stack]   # never closed: literal text
    _stray_div_closers(text, start, end, skips, chapter, out)
    _break_long_lines(text, start, end, skips, out)
    return out


def _stray_div_closers(text: str, start: int, end: int, skips, chapter: bool, out: Scan) -> None:
    """Escape a `:::` that closes no div the author opened: each file is wrapped
    in a div of its own for Pandoc, and such a line would close that wrapper,
    silently dropping the rest of the file.  Alone it is literal text anyway."""
    depth = 0
    for m in _DIV_FENCE[chapter].finditer(text, start, end):
        if any(a <= m.start() < b for a, b in skips):
            continue
        if not chapter and _NOTE_DEF.match(text, m.start()):
            depth = 0
        if m.group(1).strip():
            depth += _opens(text, m, start)
        elif depth:
            depth -= 1
        else:
            out.edits.append((m.start() + len(m.group(0)) - len(m.group(0).lstrip(" \t")), 0, "\\"))


def _opens(text: str, m: re.Match, start: int) -> bool:
    """Pandoc opens a div only at a block start, with `{attributes}` or one word
    (optionally followed by colons); anything else is paragraph text."""
    attrs = m.group(1).strip()
    rest = attrs.partition(" ")[2]
    if not (attrs.startswith("{") or not rest.strip(": \t")):
        return False
    if m.start() <= start:
        return True
    prev = text[text.rfind("\n", start, m.start() - 1) + 1:m.start() - 1]
    return not prev.strip() or prev.lstrip(" \t").startswith(":::")


def _note_span_ok(text: str, i: int) -> bool:
    """`[^…]` closes on the same line within 200 characters."""
    j = text.find("]", i)
    nl = text.find("\n", i)
    return j > 0 and (nl < 0 or j < nl) and j - i < 200


def _note_ref(text: str, i: int, j: int, out: Scan, chapter: bool) -> int:
    ident = text[i + 2:j]
    at_line_start = i == 0 or text[i - 1] == "\n"
    if at_line_start and text.startswith(":", j + 1):
        if chapter:  # BB109: a definition in a chapter file; drop its first line
            out.chapter_defs.append((i, ident))
            nl = text.find("\n", i)
            nl = len(text) if nl < 0 else nl
            out.edits.append((i, nl - i, ""))
            return nl
        return j + 2
    m = _AGAIN_RE.match(text, j + 1)
    again = ' again="1"' if m else ""
    stop = m.end() if m else j + 1
    out.edits.append((i, stop - i, f'[]{{.bbref ref="{_quote(ident)}"{again} bbo="{i}"}}'))
    return stop


def _close_bracket(text: str, o: int, i: int, out: Scan) -> int:
    nxt = text[i + 1:i + 2]
    if nxt == "{":
        close = text.find("}", i)
        if close > 0:
            out.edits.append((close, 0, f' bbo="{o}"'))
            return close + 1
        return i + 1
    if nxt == "(" and o + 1 == i and text.startswith("(#", i + 1) and not (o > 0 and text[o - 1] == "!"):
        return _xref(text, o, i, out)
    if nxt in ("(", "[") or (o > 0 and text[o - 1] in "!^"):   # an image's alt, an inline note ^[…]
        return i + 1
    inner = text[o + 1:i]
    cites = list(_CITE_RE.finditer(inner))
    if cites:
        for m in cites:
            if not m.group(1).strip(":.#$%&+?<>~/-"):
                out.empty_cites.append(o + 1 + m.start())
        if all(m.group(1).strip(":.#$%&+?<>~/-") for m in cites):
            out.edits.append((o, 0, "["))
            out.edits.append((i + 1, 0, f']{{.bbcite bbo="{o}"}}'))
    return i + 1


def _xref(text: str, o: int, i: int, out: Scan) -> int:
    """`[](#id)` (a cross-reference) gets its offset as a link attribute, in the
    author's `{…}` when there is one (`[](#id){.page}`)."""
    close = text.find(")", i)
    nl = text.find("\n", i)
    if close < 0 or 0 <= nl < close:
        return i + 1
    if text.startswith("{", close + 1) and (end := text.find("}", close)) > 0:
        out.edits.append((end, 0, f' bbo="{o}"'))
        return end + 1
    out.edits.append((close + 1, 0, f'{{bbo="{o}"}}'))
    return close + 1


def apply_edits(text: str, edits, start: int = 0, end: int | None = None) -> str:
    """Apply edits falling inside [start, end) to text[start:end] (an insertion at
    `end` too).  `edits` may be an `Edits` (sorted once for the many definitions
    of a notes file: sorting every edit of the file per definition was quadratic)."""
    ordered = edits if isinstance(edits, Edits) else Edits(edits)
    end = len(text) if end is None else end
    parts = []
    pos = start
    for off, length, ins in ordered.from_offset(start):
        if off > end:
            break
        if off == end and length != 0:
            continue
        parts.append(text[pos:off])
        parts.append(ins)
        pos = off + length
    parts.append(text[pos:end])
    return "".join(parts)


class Edits:
    """A scan's edits in the order they apply: by offset, longer replacement first."""

    def __init__(self, edits):
        self.items = sorted(edits, key=lambda e: (e[0], -e[1]))
        self.offsets = [e[0] for e in self.items]

    def from_offset(self, start: int):
        return self.items[bisect.bisect_left(self.offsets, start):]


# Block quotes and lists nested this deep are BB510 and the file is not given
# to Pandoc: its reader is quadratic in list depth (400 levels: 4 s, 2,000:
# minutes), 10,000 `>` take 15 s, and the JSON it returns for such nesting
# overflows Python's recursion limit.  Each `>` or list marker at a line's
# start counts one level, each 2 columns of indentation before one another.
MAX_BLOCK_NESTING = 50
_CONTAINER = re.compile(r"([ \t]*)(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))")
_CANDIDATE = re.compile(r"^[ \t]*[->*+0-9]", re.M)


def block_nesting_fault(text: str, limit: int = MAX_BLOCK_NESTING) -> int | None:
    """Offset of the first quote or list marker nested deeper than `limit`, or None."""
    for line in _CANDIDATE.finditer(text):
        pos, depth = line.start(), 0
        while (mt := _CONTAINER.match(text, pos)) is not None:
            depth += 1 + len(mt.group(1).expandtabs(4)) // 2
            if depth > limit:
                return mt.end(1)
            pos = mt.end()
    return None


# Pandoc's reader is quadratic in the length of a line of CJK text with
# punctuation (100,000 "衡陽，" on one line: 4-10 s; a 5 MB line: minutes).
# A line longer than LONG_LINE gets a newline about every BREAK_EVERY
# characters, right after a CJK 。，；：、 that is followed by a CJK character
# and no `[` is open before it on the line: with east_asian_line_breaks Pandoc
# drops a newline between two wide characters, so the text is unchanged.
# (Only Pandoc's own warning lines shift in such a file; our positions are
# offsets and Str alignment, which ignore the inserted newlines.)
LONG_LINE = 4000
BREAK_EVERY = 2000
_LONG_RE = re.compile(r"^[^#|\n][^\n]{%d,}" % LONG_LINE, re.M)
_BREAK_RE = re.compile(r"(?<=[。，；：、])(?=[\u3400-\u9fff\uf900-\ufaff])")


def _break_long_lines(text: str, start: int, end: int, skips, out: Scan) -> None:
    for line in _LONG_RE.finditer(text, start, end):
        if "|" in line.group():       # a table row must stay one line
            continue
        # the new line keeps the indentation: a note's continuation line stays in its note
        indent = "\n" + line.group()[:len(line.group()) - len(line.group().lstrip(" \t"))]
        pos = line.start() + BREAK_EVERY
        while pos < line.end() - BREAK_EVERY // 2:
            hit = _BREAK_RE.search(text, pos, line.end())
            if hit is None:
                break
            q = hit.start()
            lo = max(line.start(), q - 2 * BREAK_EVERY)
            opened, closed = text.rfind("[", lo, q), text.rfind("]", lo, q)
            if opened <= closed and not any(a <= q < b for a, b in skips):
                out.edits.append((q, 0, indent))
                pos = q + BREAK_EVERY
            else:
                pos = q + 1
