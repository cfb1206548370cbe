"""Pandoc's own notes in an imported Markdown file: find definitions, references and inline notes.

The rules are Pandoc's markdown reader's (Readers/Markdown.hs `noteBlock`, `note`,
`inlineNote`), checked against Pandoc 3:

- a definition `[^label]: text` starts a block (the file's start, or after a
  blank line, a heading or another definition; up to 3 spaces in) outside
  code. Its first paragraph runs on, lazily, to a blank line or the next
  definition; after a blank line only lines indented 4 spaces or a tab go on.
  A `[^1]:` line inside a paragraph is plain text;
- a reference is `[^label]` with no blank in the label;
- an inline note is `^[text]`: brackets inside it balance, `\\[` is escaped,
  code spans are code;
- a reference inside a note stays literal text; an inline note inside a note
  is a note of its own (bookbuild notes cannot nest: it becomes an aside).

Nothing here decides ids: `pandocbook.py` does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..load.pandoc_input import code_regions

_DEF_RE = re.compile(r" {0,3}\[\^([^\]\s]+)\]:[ \t]?")
_REF_RE = re.compile(r"\[\^([^\]\s]+)\]")
_ATX_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


@dataclass
class Definition:
    label: str
    body: str     # the note's Markdown, continuation indent removed
    line: int     # 1-based line of `[^label]:` in its file
    offset: int   # where it stood in the text that remains (which chapter it belongs to)


@dataclass
class Mark:
    start: int
    end: int
    kind: str     # "ref" or "inline"
    text: str     # the label, or the inline note's Markdown


def _inside(regions: list[tuple[int, int]]):
    return lambda pos: any(a <= pos < b for a, b in regions)


def split_off_definitions(text: str) -> tuple[str, list[Definition]]:
    """The text without its note definitions, and the definitions in file order."""
    in_code = _inside(code_regions(text))
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    defs: list[Definition] = []
    current: list[str] | None = None   # the open definition's body lines
    block_start, after_blank, offset, kept_len = True, False, 0, 0
    for n, line in enumerate(lines, 1):
        bare = line.rstrip("\r\n")
        m = _DEF_RE.match(bare) if not in_code(offset) else None
        if m and (block_start or current is not None):
            current = [bare[m.end():]]
            defs.append(Definition(m.group(1), "", n, kept_len))
            after_blank = False
        elif current is not None and not bare.strip():
            current.append("")
            after_blank = True
        elif current is not None and (not after_blank or bare.startswith(("    ", "\t"))):
            current.append(_dedent(bare))
            after_blank = False
        else:
            if current is not None:
                defs[-1].body = _body(current)
                current = None
            kept.append(line)
            kept_len += len(line)
        if current is not None:
            defs[-1].body = _body(current)
        block_start = not bare.strip() or bool(_ATX_RE.match(bare)) or current is not None
        offset += len(line)
    return "".join(kept), defs


def _dedent(line: str) -> str:
    if line.startswith("\t"):
        return line[1:]
    return line[4:] if line.startswith("    ") else line


def _body(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").strip()


def find_marks(text: str) -> list[Mark]:
    """References `[^label]` and inline notes `^[…]` outside code, in text order."""
    skip = code_regions(text)
    marks: list[Mark] = []
    i, k = 0, 0
    while i < len(text):
        while k < len(skip) and skip[k][1] <= i:
            k += 1
        if k < len(skip) and skip[k][0] <= i:
            i = skip[k][1]
            continue
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("^[", i):
            end = _matching_bracket(text, i + 1, skip)
            if end is not None:
                marks.append(Mark(i, end + 1, "inline", text[i + 2:end]))
                i = end + 1
                continue
        if text.startswith("[^", i):
            m = _REF_RE.match(text, i)
            if m:
                marks.append(Mark(i, m.end(), "ref", m.group(1)))
                i = m.end()
                continue
        i += 1
    return marks


def _matching_bracket(text: str, open_at: int, skip: list[tuple[int, int]]) -> int | None:
    depth, i = 0, open_at
    while i < len(text):
        region = next((b for a, b in skip if a <= i < b), None)
        if region is not None:
            i = region
            continue
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n" and text.startswith("\n", i + 1):
            return None        # a blank line ends the paragraph: no inline note
        depth += (ch == "[") - (ch == "]")
        if depth == 0:
            return i
        i += 1
    return None


def escape_ref(label: str) -> str:
    """`[^label]` as literal text, the way Pandoc shows an undefined reference."""
    return f"\\[^{label}\\]"


def flatten_note(body: str) -> tuple[str, list[str]]:
    """A note's Markdown with nothing that would nest a note: a reference stays
    literal text (as Pandoc prints it), an inline note becomes an aside.
    Returns the new body and what was changed, for the report."""
    out, changed, last = [], [], 0
    for mk in find_marks(body):
        out.append(body[last:mk.start])
        if mk.kind == "ref":
            out.append(escape_ref(mk.text))
            changed.append(f"[^{mk.text}] kept as text (a note cannot reference a note)")
        else:
            inner, more = flatten_note(mk.text)
            out.append(f"[{inner}]{{.aside}}")
            changed += [f"inline note ^[{_short(mk.text)}] made an aside (notes cannot nest)"] + more
        last = mk.end
    out.append(body[last:])
    return "".join(out), changed


def _short(text: str, n: int = 12) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[:n] + "…"


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def uses_pandoc_notes(text: str) -> bool:
    """A file whose notes are Pandoc's: a `[^label]` or an inline note `^[…]` outside code."""
    return bool(find_marks(text)) or bool(split_off_definitions(text)[1])
