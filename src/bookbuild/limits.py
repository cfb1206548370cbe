"""A bound on nesting in book.toml, sources.yaml and glossary.yaml, checked before parsing.

tomllib raises RecursionError on a few hundred nested brackets and ruamel's C
loader can overflow the C stack (a segfault, not an exception) on very deep
flow collections, so a hostile file must be refused before a parser sees it.
Real CSL YAML nests four or five levels; the limit is far above any book.
"""
from __future__ import annotations

MAX_DEPTH = 64
MAX_FILE_BYTES = 64 * 1024 * 1024    # docs/FORMAT.md: 64 MiB per file (BB510)


def too_deep(text: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """1-based (line, column) of the first bracket or brace nested deeper than limit, else None.

    Quoted strings are skipped ('…' and "…", with backslash escapes in "…"),
    and so are comments after '#'; block indentation is not counted, because
    both parsers handle it without recursion."""
    depth, line, col0, i, n = 0, 1, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line, col0 = line + 1, i + 1
        elif c in "\"'":
            i = _end_of_string(text, i, c)
            continue
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n"):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line, i - col0 + 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _end_of_string(text: str, i: int, quote: str) -> int:
    """Index just after the string that starts at i (or the end of its line if unclosed)."""
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return j


def expands_beyond(value, budget: int) -> bool:
    """True when a parsed YAML value has more than budget nodes once aliases are expanded.

    YAML aliases share nodes, so nine lines can stand for a billion values
    ("billion laughs"), and `&a [*a]` is a cycle: walking either hangs or
    recurses forever. Counted without recursion, stopping at the budget."""
    stack = [value]
    while stack:
        budget -= 1
        if budget < 0:
            return True
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False
