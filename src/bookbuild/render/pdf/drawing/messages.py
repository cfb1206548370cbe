"""WeasyPrint's messages and the fetcher's refusals → diagnostics at the author's file.

    part_diagnostics(parts, book, edition, base_url) -> list[Diagnostic]
    notdef_diagnostics(parts, result, book) -> list[Diagnostic]

`parts` are draw.PartResult (from worker processes too).  A refused URL
becomes BB508/509/510 at the url() in styles/all.css or styles/<edition>.css
that named it; another WeasyPrint warning (CSS it ignores, an image it could
not decode) becomes BB604, at the stylesheet line holding the declaration it
quotes when there is one, else at book.toml.  A .notdef WeasyPrint drew is
BB703 at the first unit holding the character.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin

from ....check.assets import css_refs
from ....diagnostics import Diagnostic
from ....model import Book
from ..layout import layout_types as lt

# 'Ignored `foo: bar` at 1:117, unknown property.'
_QUOTED = re.compile(r"`([^`]+)`")
_AT = re.compile(r"\s+at \d+:\d+")


def part_diagnostics(parts, book: Book, edition: str, base_url: str) -> list[Diagnostic]:
    sheets = _sheets(book, edition)
    out: dict[tuple, Diagnostic] = {}
    for part in parts:
        for url, code, reason in getattr(part, "refusals", ()):
            file, line, col = _where_url(url, sheets, base_url) or (book.config.path, 1, 1)
            d = Diagnostic(code, f"url() {url}: {reason}; not drawn", file, line, col,
                           "refer only to images inside the book folder (e.g. assets/)")
            out.setdefault((code, file, line, col), d)
        for text in getattr(part, "messages", ()):
            file, line, col = _where_text(text, sheets) or (book.config.path, 1, 1)
            message = "WeasyPrint: " + _AT.sub("", text.strip())
            out.setdefault(("BB604", file, line, message),
                           Diagnostic("BB604", message, file, line, col,
                                      "the print renderer ignored this; check the stylesheet"))
    return list(out.values())


def _sheets(book: Book, edition: str) -> list[tuple[str, str]]:
    """(file relative to the book root, text) of the book's stylesheets for the edition."""
    out = []
    for name in ("all.css", f"{edition}.css"):
        path = Path(book.root) / "styles" / name
        try:
            out.append((f"styles/{name}", path.read_text("utf-8", errors="replace")))
        except OSError:
            continue
    return out


def _where_url(url: str, sheets, base_url: str):
    wanted = _norm(url)
    for file, text in sheets:
        for ref, line, col in css_refs(text):
            if _norm(urljoin(base_url, ref.strip())) == wanted:
                return file, line, col
    return None


def _norm(url: str) -> str:
    return unquote(url.split("#", 1)[0]).replace("file://localhost/", "file:///")


def _where_text(text: str, sheets):
    """The stylesheet position of the declaration a message quotes."""
    m = _QUOTED.search(text)
    if not m:
        return None
    quoted = m.group(1).strip()
    name = quoted.split(":", 1)[0].strip()
    for needle in (quoted, name + ":"):
        for file, css in sheets:
            i = css.find(needle)
            if i >= 0 and needle != ":":
                line = css.count("\n", 0, i) + 1
                return file, line, i - (css.rfind("\n", 0, i) + 1) + 1
    return None


# WeasyPrint: '.notdef glyph rendered for Unicode string unsupported by fonts: "x" (U+0078)'
_NOTDEF = re.compile(r"\(U\+([0-9A-Fa-f]{4,6})\)\s*$")


def notdef_diagnostics(parts, result: lt.LayoutResult, book: Book) -> list[Diagnostic]:
    """BB703 for each .notdef WeasyPrint logged, at the first unit holding the text."""
    seen, out = set(), []
    for part in parts:
        for msg in part.notdef:
            m = _NOTDEF.search(msg)
            text = chr(int(m.group(1), 16)) if m else msg.rsplit(":", 1)[-1].strip()
            if text in seen:
                continue
            seen.add(text)
            pos = result.source_of(text)
            file, line, col = (pos.file, pos.line, pos.col) if pos else (book.config.path, 1, 1)
            out.append(Diagnostic("BB703", f"glyph drawn as .notdef for {text!r} (U+{ord(text[0]):04X})",
                                  file, line, col,
                                  "the derived font lacks this character; replace it or change the font"))
    return out
