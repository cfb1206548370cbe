"""Offset in a text -> (line, column), the one way bookbuild counts lines.

CRLF, a lone CR and LF each end a line, as editors count them: the loader
turns both into LF, `fix` and BB503 work on the text as written, and all of
them must name the same place.  Lines and columns are 1-based, columns in
code points.
"""
from __future__ import annotations

import bisect
import re

_EOL = re.compile(r"\r\n?|\n")
_LF = re.compile("\n")      # most texts (every loaded one) have no CR: a plain search is faster


class LineIndex:
    """Line starts of one text, for many offset lookups."""

    def __init__(self, text: str):
        eol = _EOL if "\r" in text else _LF
        self.starts = [0] + [m.end() for m in eol.finditer(text)]

    def pos(self, offset: int) -> tuple[int, int]:
        """(line, col) of the character at `offset`."""
        n = bisect.bisect_right(self.starts, offset) - 1
        return n + 1, offset - self.starts[n] + 1
