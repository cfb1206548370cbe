"""BB401 (punctuation `fix` would change) and BB404 (unbalanced quotes).

BB401 is computed by running `fix_text` itself on the raw file text, so its
positions are exactly the changes `bookbuild fix` makes (one implementation,
as docs/FORMAT.md requires).  Positions are 1-based line:col in code points.
"""
from __future__ import annotations

import unicodedata

from .. import model as m
from ..diagnostics import Diagnostic
from ..lines import LineIndex
from ..transform.normalize import Change, fix_text, quote_problems
from ..transform.protected_spans import protected_spans
from .reuse import CheckCache


def show(s: str) -> str:
    """A quoted, readable rendering of a few characters (spaces spelled out)."""
    if not s:
        return "nothing"
    if all(ch.isspace() for ch in s):
        names = [unicodedata.name(ch, f"U+{ord(ch):04X}").lower() for ch in s]
        return f"{len(s)} × {names[0]}" if len(set(names)) == 1 else " + ".join(names)
    return f"'{s}'"


def bb401(file: str, change: Change, index: LineIndex) -> Diagnostic:
    line, col = index.pos(change.start)
    if not change.new:
        msg = f"{show(change.old)} at the start of a paragraph (the indent comes from layout)"
    else:
        msg = f"{show(change.old)} should be {show(change.new)} in CJK text"
    return Diagnostic("BB401", msg, file, line, col, "run bookbuild fix")


def bb404(file: str, text: str, offset: int, index: LineIndex) -> Diagnostic:
    line, col = index.pos(offset)
    ch = text[offset]
    closing = ch in "」』\u201d"
    what = "closing" if closing else "opening" if ch in "「『\u201c\u2018" else "unpaired"
    return Diagnostic("BB404", f"{what} quote '{ch}' has no partner in this paragraph", file, line, col,
                      "add the missing quote, or remove this one" if not closing
                      else "add the opening quote, or remove this one")


def punctuation_diagnostics(file: str, text: str, *, range_mark: str = "～",
                            interpunct: str = "·") -> list[Diagnostic]:
    """BB401 and BB404 for one Markdown file (chapter or note file)."""
    protected = protected_spans(text)
    _, changes = fix_text(text, protected, range_mark=range_mark, interpunct=interpunct)
    index = LineIndex(text)
    out = [bb401(file, c, index) for c in changes]
    out += [bb404(file, text, i, index) for i in quote_problems(text, protected)]
    return sorted(out, key=Diagnostic.sort_key)


def check_punctuation(book: m.Book, reuse: CheckCache | None = None) -> list[Diagnostic]:
    """BB401/BB404 over every chapter and note file of the book."""
    return punctuation_of_texts(book.config, book.texts, reuse)


def punctuation_of_texts(config, texts: dict[str, str], reuse: CheckCache | None = None) -> list[Diagnostic]:
    """check_punctuation on the raw texts alone (all it reads, with the config's
    range mark and interpunct): callable before the book is parsed.  Each file's
    result is kept in `reuse`, keyed by everything it reads."""
    reuse = reuse if reuse is not None else CheckCache(None)
    files = {c.file for c in config.chapters}
    out: list[Diagnostic] = []
    for file, text in texts.items():
        if file in files or file.startswith("footnotes/") and file.endswith(".md"):
            key = reuse.key("punctuation", config.range, config.interpunct, file, text)
            found = reuse.diagnostics(key)
            if found is None:
                found = punctuation_diagnostics(file, text, range_mark=config.range, interpunct=config.interpunct)
                reuse.put_diagnostics(key, found)
            out += found
    return out
