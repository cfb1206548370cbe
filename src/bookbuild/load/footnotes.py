"""Split footnotes/*.md into note definitions (`[^id]: text` + indented continuation)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_DEF_RE = re.compile(r"\[\^([^\]\n]*)\]:[ \t]?")


@dataclass
class Definition:
    id: str
    marker: int      # offset of `[^`
    body_start: int  # offset of the first body character
    body_end: int    # offset after the last body line


def split_definitions(text: str) -> list[Definition]:
    """Definitions in file order. A body runs on while lines are blank,
    indented (4 spaces or a tab), or lazily continue a non-blank line."""
    defs: list[Definition] = []
    offset = 0
    current: Definition | None = None
    prev_blank = False
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        m = _DEF_RE.match(stripped)
        if m:
            if current:
                defs.append(current)
            current = Definition(m.group(1), offset, offset + m.end(), offset + len(stripped))
            prev_blank = False
        elif current is not None:
            blank = not stripped.strip()
            indented = stripped.startswith(("    ", "\t"))
            if blank:
                prev_blank = True
            elif indented or not prev_blank:
                current.body_end = offset + len(stripped)
                prev_blank = False
            else:  # unindented text after a blank line ends the note
                defs.append(current)
                current = None
        offset += len(line)
    if current:
        defs.append(current)
    return defs


def dedent_body(body: str) -> str:
    """Remove the 4-space / tab continuation indent (lines keep their count)."""
    lines = body.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line.startswith("\t"):
            line = line[1:]
        elif line.startswith("    "):
            line = line[4:]
        out.append(line)
    return "\n".join(out)
