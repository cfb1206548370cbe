"""Protected spans of a Markdown source file (the contract's Pandoc Markdown).

`protected_spans(text)` lists (start, end) offsets that `fix` must never
change: Markdown syntax and anything that is not prose.  The normalizer also
looks *through* these spans when it decides CJK context, so the `]` of a
note call does not hide the Han char before it (`走吧[^n1]!` → `！`).

Block level (line by line): YAML front matter, fenced code, HTML comments,
rules and table separators, link reference definitions, the `[^id]:`
marker of a note definition, line-start markers (`#`, `>`, list markers),
indented code (an indented line without Han is code; with Han it is a note
or list continuation and only the indent is protected).
Inline: code spans, math, escapes, autolinks, HTML tags and entities, bare URLs and
e-mail addresses, note calls, citations (the whole bracket), `@key`,
link/image brackets and targets, `[…]{attrs}` brackets and attribute
blocks (the whole span when `lang` is not Chinese), `*`, `_`, `^`, `|`.
"""
from __future__ import annotations

import re

from .norm_chars import _EMAIL, _URL, is_han

Span = tuple[int, int]

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_WHOLE_LINE = re.compile(
    r"[ \t]{0,3}(?:([-*_])(?:[ \t]*\1){2,}|=+"                 # rules, setext underlines
    r"|:{3,}.*"                                                  # fenced divs
    r"|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?"        # pipe-table separators
    r"|-{2,}(?:[ \t]+-{2,})+"                                    # simple-table separators
    r"|\+[-=:+]+\+"                                              # grid-table borders
    r"|\[(?!\^)[^\]\n]+\]:[ \t]*\S.*)"                           # link reference definitions
    r"[ \t]*\r?$")
_NOTE_DEF = re.compile(r"[ \t]{0,3}\[\^[^\]\n]+\]:[ \t]*")  # as load/footnotes.py: a malformed id (BB108) too
_PREFIX = re.compile(
    r"[ \t]{0,3}(?:>[ \t]?"                                       # block quote
    r"|#{1,6}(?:[ \t]+|(?=\r?$))"                                 # ATX heading
    r"|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?"                           # bullet (task) list
    r"|(?:\d{1,9}|#|[A-Za-z])[.)][ \t]+|\((?:\d{1,9}|#|[A-Za-z])\)[ \t]+"  # ordered lists
    r"|[:~][ \t]+)")                                              # definition lists
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*\r?$")
_INDENT = re.compile(r"(?: {4}|\t)[ \t]*")

_INLINE = re.compile("(?=[$\\\\<&A-Za-z0-9._%+\\-@{*_^ \t|])(?:" + "|".join([
    r"\$\$.+?\$\$",                                              # display math
    r"\$(?=[^\s$])[^$\n]*?(?<=[^\s\\])\$(?![0-9])",              # inline math (Pandoc rule)
    r"\\[!-/:-@\[-`{-~]",                                        # backslash escapes
    r"\\(?=\r?\n)",                                              # hard line break
    r"<(?:[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>",  # autolinks
    r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>",                # HTML tags
    r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});",  # HTML entities
    _URL, _EMAIL,
    r"(?<![A-Za-z0-9_.@\\])-?@(?:\{[^}\n]*\}|[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*)",
    r"\{[ \t]*(?:[-.#=][^{}\n]*|[A-Za-z_][A-Za-z0-9_\-]*=[^{}\n]*)\}",  # attribute blocks
    r"[*_^]+",
    r"[ \t]*\|[ \t]*",                                          # table pipes and their padding
]) + ")", re.S)
_CITE_KEY = re.compile(r"(?:^|[\s;\[(])-?@[A-Za-z0-9_{]")
_EMPTY_CITE = re.compile(r"-?@[ \t]*(?:[,;]|$)")   # [@] or [@, 頁3]: BB203, still citation syntax
_ATTR_AFTER = re.compile(r"\{[^{}\n]*\}")
_LANG = re.compile(r"\blang\s*=\s*\"?([A-Za-z-]+)")


_LONE_CR = re.compile(r"\r(?!\n)")


def lone_cr_as_lf(text: str) -> str:
    """A lone CR ends a line (the loader reads it so); same length, same offsets."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def protected_spans(markdown_text: str) -> list[Span]:
    """Sorted, merged (start, end) spans of `markdown_text` that are not prose."""
    text = lone_cr_as_lf(markdown_text)
    spans: list[Span] = []
    if text.startswith("\ufeff"):
        spans.append((0, 1))
    m = _FRONT.match(text)
    if m:
        spans.append((0, m.end()))
    spans += [(c.start(), c.end()) for c in _COMMENT.finditer(text)]
    spans += _block_spans(text, m.end() if m else 0)
    masked = _mask(text, spans)
    spans += _code_spans(masked)
    masked = _mask(masked, spans)
    inline = [(x.start(), x.end()) for x in _INLINE.finditer(masked)]
    spans += inline
    spans += _bracket_spans(_mask(masked, [s for s in inline if masked[s[0]] == "\\"]))
    return _merge(spans)


# ----------------------------------------------------------------- blocks

def _lines(text: str, start: int):
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        yield pos, text[pos:end].rstrip("\n")
        pos = end


def _block_spans(text: str, start: int) -> list[Span]:
    out: list[Span] = []
    fence: tuple[int, str] | None = None   # (start offset, fence string)
    prev_blank = True
    for ls, line in _lines(text, start):
        end = ls + len(line)
        if fence:
            f = _FENCE.match(line)
            if f and f.group(1)[0] == fence[1][0] and len(f.group(1)) >= len(fence[1]) \
                    and not line[f.end():].strip():
                out.append((fence[0], end))
                fence = None
            continue
        f = _FENCE.match(line)
        if f:
            fence = (ls, f.group(1))
            continue
        if _WHOLE_LINE.fullmatch(line):
            out.append((ls, end))
        else:
            out += _line_prefix(line, ls, prev_blank)
        prev_blank = not line.strip()
    if fence:
        out.append((fence[0], len(text)))
    return out


def _line_prefix(line: str, ls: int, prev_blank: bool) -> list[Span]:
    out: list[Span] = []
    pos = 0
    ind = _INDENT.match(line)
    if ind:
        if not any(is_han(ch) for ch in line):
            return [(ls, ls + len(line))]   # indented code (or Latin continuation): keep as is
        out.append((ls, ls + ind.end()))
        pos = ind.end()
    n = _NOTE_DEF.match(line, pos)
    if n:
        out.append((ls + pos, ls + n.end()))
        pos = n.end()
    while True:
        p = _PREFIX.match(line, pos)
        if not p or p.end() == pos:
            break
        if line[pos:p.end()].lstrip()[:1] == "#":
            c = _HEADING_CLOSE.search(line, p.end())
            if c:
                out.append((ls + c.start(), ls + c.end()))
        out.append((ls + pos, ls + p.end()))
        pos = p.end()
    return out


# ----------------------------------------------------------------- inline

def _mask(text: str, spans: list[Span]) -> str:
    """text with the spans blanked out (same length), so inline scanning
    never pairs a bracket or backtick across code or a comment."""
    parts, pos = [], 0
    for a, b in _merge(spans):
        parts += [text[pos:a], "\x00" * (b - a)]
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _code_spans(text: str) -> list[Span]:
    out: list[Span] = []
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", text)]
    i = 0
    while i < len(runs):
        a, b = runs[i]
        n = b - a
        for j in range(i + 1, len(runs)):
            if runs[j][1] - runs[j][0] == n:
                out.append((a, runs[j][1]))
                i = j
                break
        else:
            out.append((a, b))   # a lone backtick run is literal; keep it anyway
        i += 1
    return out


_BRACKET_EVENT = re.compile(r"[\[\]]|\n[ \t\r]*(?=\n|\Z)")


def _bracket_spans(text: str) -> list[Span]:
    out: list[Span] = []
    stack: list[int] = []
    for m in _BRACKET_EVENT.finditer(text):
        ch, i = m.group()[0], m.start()
        if ch == "\n":
            stack.clear()   # brackets never span a blank line
        elif ch == "[":
            stack.append(i)
        elif stack:
            out += _bracket(text, stack.pop(), i)
    return out


def _bracket(text: str, a: int, b: int) -> list[Span]:
    """Spans for the bracket pair text[a] == "[", text[b] == "]"."""
    content, after = text[a + 1:b], text[b + 1:b + 2]
    attr = _ATTR_AFTER.match(text, b + 1) if after == "{" else None
    attr_span = [(attr.start(), attr.end())] if attr else []
    if content.startswith("^") or _CITE_KEY.search(content) or _EMPTY_CITE.match(content):
        return [(a, b + 1)] + attr_span            # note call or citation: all of it
    if attr:
        lang = _LANG.search(attr.group())
        if lang and not lang.group(1).lower().startswith("zh"):
            return [(a, attr.end())]              # a span in another language
        return [(a, a + 1), (b, b + 1)] + attr_span
    if after == "(":
        end = _link_target_end(text, b + 1)
        if end:
            bang = [(a - 1, a)] if a and text[a - 1] == "!" else []
            return bang + [(a, a + 1), (b, end)]
    if after == "[":
        close = text.find("]", b + 2)
        if close > 0 and "\n" not in text[b + 2:close]:
            return [(a, a + 1), (b, close + 1)]
    return []


def _link_target_end(text: str, i: int) -> int:
    """End offset of a link target `(url "title")` starting at text[i] == "("."""
    depth = 0
    for j in range(i, min(len(text), i + 2000)):
        ch = text[j]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch == "\n" and text[j + 1:j + 2] == "\n":
            return 0
    return 0


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
