"""The book's Markdown through Pandoc: every chapter and note body as one part of one run.

Each part is a self-contained file fenced as `::: {.bbpart n="k"}`; the parts
are joined by newlines and read by one Pandoc process (one per core on a
large book, each on a contiguous run of parts).  Pandoc's messages come back
as diagnostics at the author's file:line: warnings BB604, a failed or stopped
Pandoc BB605 (bookbuild/pandoc.py runs it, with the watchdog).

    parse_parts(parts, origins) -> (ast, diagnostics)
    pandoc_json(chunk, origins, reader) -> (JSON text or None, diagnostics)

`origins[k]` is (file, line) of part k's first text line in the author's file.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

from ..diagnostics import Diagnostic
from ..pandoc import PandocError, run_pandoc

# -task_lists: `- [ ] item` stays the text the author wrote; Pandoc's ☐/☒ are in no CJK font (BB402)
READER = "markdown+east_asian_line_breaks-smart-task_lists"
# what Pandoc is asked for: READER but east_asian_line_breaks, which the converter does (eastasian.py)
READER_SANS_FILTER = "markdown-smart-task_lists"
PARALLEL_FROM = 256 * 1024  # characters; below this one process is fastest
# an old generation of at least 64 MB: 2 major collections instead of 5 per chunk of the stress book,
# 0.089 -> 0.072 s of GC (+RTS -s), 0.41-0.42 -> 0.38-0.40 s CPU, 6 MB more memory
RTS = ("-O64m",)

# "[WARNING] Duplicate link reference '[x]' at line 9 column 1" (pypandoc strips the level)
_AT_LINE = re.compile(r"\bline (\d+),? column (\d+)")
_PART_N = re.compile(r'bbpart n="(\d+)"')


def parse_parts(parts: list[str], origins: list[tuple[str, int]],
                filtered: bool = False) -> tuple[dict, list[Diagnostic]]:
    """Pandoc's AST of all parts, in order (and the keys of any YAML metadata
    block, `meta_keys`), and its messages as diagnostics.  `filtered`: read with
    READER, east_asian_line_breaks applied by Pandoc (the parts eastasian.py cannot decide)."""
    reader = READER if filtered else READER_SANS_FILTER
    found: list[Diagnostic] = []     # from every thread; list.extend is atomic
    meta_keys: set[str] = set()      # keys of YAML metadata blocks, which no edition shows

    def convert(chunk: list[str]) -> list:
        out, messages = pandoc_json(chunk, origins, reader)
        if out is None:
            found.extend(messages)
            return []
        try:
            doc = json.loads(out)
            blocks = doc["blocks"]
            meta_keys.update(doc.get("meta") or {})
        except RecursionError:
            # inline nesting (emphasis, spans) too deep for Python: find the part, mark it (BB510)
            if len(chunk) > 1:
                return [b for part in chunk for b in convert([part])]
            n = _PART_N.search(chunk[0]).group(1)
            return [{"t": "Div", "c": [["", ["bbpart"], [["n", n], ["bbdeep", "1"]]], []]}]
        if len(chunk) == 1 or _parts_intact(blocks, len(chunk), out):
            found.extend(messages)      # (a chunk read again part by part reports from those runs)
            return blocks
        # An unclosed code fence, `:::` or <div> in one file swallowed the parts
        # after it (its text would be blamed on the wrong file): parse each alone.
        return [b for part in chunk for b in convert([part])]

    chunks = _chunks(parts)
    with ThreadPoolExecutor(len(chunks)) as pool:
        ast = {"blocks": [b for blocks in pool.map(convert, chunks) for b in blocks]}
    ast["meta_keys"] = sorted(meta_keys)
    return ast, found


def _chunks(parts: list[str]) -> list[list[str]]:
    """One chunk for a small book; on a large one a contiguous run of parts per core."""
    total = sum(map(len, parts))
    workers = min(os.cpu_count() or 1, 4) if total >= PARALLEL_FROM else 1
    chunks, current, size = [], [], 0
    for part in parts:
        current.append(part)
        size += len(part)
        if size >= total / workers and len(chunks) < workers - 1:
            chunks.append(current)
            current, size = [], 0
    chunks.append(current)
    return chunks


def _parts_intact(blocks: list, count: int, out: str) -> bool:
    """Every part came back as its own top-level Div, none nested in another.
    `out` is Pandoc's JSON text of these blocks (and the metadata): when it names
    the class only `count` times, the blocks hold no other part; only otherwise
    are the blocks serialized again to count (0.04 s on the stress book)."""
    tops = [b for b in blocks if b["t"] == "Div" and "bbpart" in b["c"][0][1]]
    if len(tops) != count:
        return False
    return out.count('"bbpart"') == count or json.dumps(blocks).count('"bbpart"') == count


def pandoc_json(chunk: list[str], origins: list[tuple[str, int]], reader: str) -> tuple[str | None, list[Diagnostic]]:
    """One Pandoc run on `chunk` (parts joined by newlines): its JSON text, or None
    when Pandoc failed or was stopped, and its messages as diagnostics."""
    where = _PartLines(chunk, origins)
    try:
        out, messages = run_pandoc("\n".join(chunk), reader, "json", direct=True, rts=RTS)
    except PandocError as err:
        return None, [err.diagnostic(*where.locate(0))]
    return out, [where.diagnostic(text) for text in messages]


class _PartLines:
    """Lines of one Pandoc input (parts joined by newlines) → the author's file:line."""

    def __init__(self, chunk: list[str], origins: list[tuple[str, int]]):
        self.fences, self.origins, line = [], [], 1
        for i, part in enumerate(chunk):
            n = _PART_N.search(part[:200])
            k = int(n.group(1)) if n else i
            self.fences.append(line)            # the part's opening fence line
            self.origins.append(origins[k] if k < len(origins) else ("book.toml", 1))
            line += part.count("\n") + 1        # +1: the newline that joins the parts

    def locate(self, line: int) -> tuple[str, int]:
        k = max(bisect.bisect_right(self.fences, line) - 1, 0)
        if not self.origins:
            return "book.toml", 1
        file, first = self.origins[k]
        return file, max(first + line - self.fences[k] - 1, first)

    def diagnostic(self, text: str) -> Diagnostic:
        text = text.strip()
        m_at = _AT_LINE.search(text)
        file, line = self.locate(int(m_at.group(1))) if m_at else self.locate(0)
        if m_at:
            text = text[:m_at.start()].rstrip().removesuffix(" at").rstrip()
        return Diagnostic("BB604", f"Pandoc: {text}", file, line, 1, _hint(text))


def _hint(text: str) -> str:
    if text.startswith("Duplicate link reference"):
        return "give each [label]: url definition a label of its own"
    if text.startswith("Could not fetch resource"):
        return "the resource is not read; put it in assets/ and refer to it by a relative path"
    return "Pandoc reads this text differently than it looks; check the Markdown"
