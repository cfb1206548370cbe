"""The derived faces a laid-out book needs: every character that reaches its
pages (VT-28), and BB402 where the edition's font cannot draw one.
"""
from __future__ import annotations

import re
from pathlib import Path

from pikepdf import Pdf

from ....booktoml import KeyIndex
from ....config import EditionConfig
from ....diagnostics import Diagnostic
from ....fontchain import fallback_families
from ....fonts import FontNotFound
from ....model import Book
from ..layout import layout_types as lt
from ..layout.frame import BLANKS
from .derived import DerivedFonts, build_derived_fonts
from .subsets import font_problems


def book_faces(result: lt.LayoutResult, ed: EditionConfig, font_cache: Path, book: Book,
               known: list[PageChars | None] | None = None,
               made: dict[int, PageChars] | None = None) -> tuple[DerivedFonts | None, list[Diagnostic]]:
    """Derived faces for every character that reaches the page (VT-28); None
    when the edition's font is not installed.  `known`, `made`: see page_chars."""
    chars, bold, tcy, calls = page_chars(result.pages, known, made)
    blanks = blank_chars(result.pages, known, made)
    # The horizontal face draws only folios and running heads (a third of the
    # font build when it held every character of the book).
    heads = {ch for p in result.pages for ch in (p.folio or "") + (p.running_head or "")}
    # an SVG figure's text is drawn in the horizontal face (drawing/svgtext.py)
    svg = {ch for p in result.pages for f in p.figures for ch in f.text}
    heads |= svg
    if not ed.vertical:
        chars |= svg
    try:
        fonts = build_derived_fonts(chars | bold | blanks, tcy, ed.font, font_cache,
                                    call_numbers=calls, bold_chars=bold, horizontal_chars=heads,
                                    vertical=ed.vertical, fallback=fallback_families(ed)[0],
                                    sequences=variation_sequences(result.text))
    except FontNotFound as e:
        return None, [Diagnostic("BB402", f"font {ed.font!r} is not installed: {e}", book.config.path,
                                 1, 1, "install the font or set the edition's font to an installed family")]
    diags = []
    for ch in sorted(fonts.missing - blanks):     # a missing blank is drawn as a margin
        pos = result.source_of(ch)
        # text bookbuild generates (目次, 第一章, the colophon's labels) has no
        # source: point at the edition's font, the thing to change
        file, line, col = (pos.file, pos.line, pos.col) if pos else (book.config.path, *_font_key(book, ed))
        tried = ", ".join((ed.font, *fallback_families(ed)[0]))
        diags.append(Diagnostic("BB402", f"character {ch!r} (U+{ord(ch):04X}) is in no font of the chain ({tried})",
                                file, line, col, "replace the character or add a font that has it to font_fallback"))
    return fonts, diags


def fallback_fonts(pdf: Pdf, fonts: DerivedFonts, book: Book, ed: EditionConfig) -> list[Diagnostic]:
    """BB402 for every font in the merged document that is not a derived face
    (a fallback font is a wrong book: the caller keeps the previous PDF)."""
    families = {fonts.upright_family, fonts.horizontal_family, fonts.bold_family}
    return [Diagnostic("BB402", p, book.config.path, *_font_key(book, ed),
                       "a character reached the page that the derived faces lack")
            for p in font_problems(pdf, families)]


def _font_key(book: Book, ed: EditionConfig) -> tuple[int, int]:
    """Line and column of the edition's `font =` in book.toml (else its table header)."""
    return KeyIndex(book.texts.get(book.config.path, "")).key(f"editions.{ed.name}", "font")


# A base and its variation selector (fontchain.is_selector's two ranges)
_SEQUENCE = re.compile("[^\ufe00-\ufe0f\U000e0100-\U000e01ef][\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def variation_sequences(text: str) -> set[str]:
    """Base + variation selector pairs of the layout's text stream (every unit's
    text, LayoutResult.text; a unit keeps the selector with its base,
    units.py), drawn with the variant glyph (cmap 14).  One regex pass: a book
    has half a million units."""
    return set(_SEQUENCE.findall(text))


def blank_chars(pages: list[lt.Page], known: list[PageChars | None] | None = None,
                made: dict[int, PageChars] | None = None) -> set[str]:
    """Space characters the HTML draws fixed blanks with (layout/frame.py BLANKS).
    `known`, `made`: as page_chars left them (every page in one or the other),
    whose entries hold each page's blank widths; else the units are read."""
    if known is None or made is None:
        widths = {w for p in pages for w in _blank_widths(p)}
    else:
        widths = {w for i, k in enumerate(known) for w in (k if k is not None else made[i])[4]}
    return {BLANKS[w] for w in widths if w in BLANKS}


def _blank_widths(page: lt.Page) -> list[float]:
    return sorted({w for c in page.note_columns + page.columns for w in c.blank_widths()})


# The characters of a page's columns (its folio and running head apart):
# [upright, bold — each its distinct characters, sorted, as one string —,
# tcy runs, call numbers, the widths of its fixed blanks (blank_chars: widths,
# not characters, so that the entry does not depend on frame.BLANKS)].
# drawing/pagecache.PageChars keeps them between builds by the columns'
# digest (layoutkeys.column_digests).
PageChars = list


def page_chars(pages: list[lt.Page], known: list[PageChars | None] | None = None,
               made: dict[int, PageChars] | None = None):
    """(upright chars, bold chars, tcy runs, call numbers).

    Everything that reaches the page: text, notes, generated text, heads and
    folios; a character missing here would be drawn by a fallback font.
    `known[i]`: page i's column_chars from an earlier build (None: found now,
    and put into `made`).
    """
    chars, bold, tcy, calls = set(), set(), set(), set()
    for i, page in enumerate(pages):
        chars.update(page.folio or "", page.running_head or "")
        found = known[i] if known is not None else None
        if found is None:
            found = column_chars(page)
            if made is not None:
                made[i] = found
        up, strong, runs, numbers, _ = found
        chars.update(up)
        bold.update(strong)
        tcy.update(runs)
        calls.update(numbers)
    return chars, bold, tcy, calls


def column_chars(page: lt.Page) -> PageChars:
    """The characters of one page's columns (see PageChars)."""
    chars, bold, tcy, calls = set(), set(), set(), set()
    for col in page.columns + page.note_columns:
        units = col.units + col.foot + ([col.hanging] if col.hanging else [])
        (bold if col.role in lt.BOLD_ROLES else chars).update("".join(u.text for u in units)
                                                              + ("-" if col.hyphenated() else ""))
        for u in units:
            if u.kind == lt.TCY:
                tcy.add(u.text)
            elif u.kind == lt.CALL and u.text.isdigit() and len(u.text) <= 3:
                calls.add(u.text)
    return ["".join(sorted(chars)), "".join(sorted(bold)), sorted(tcy), sorted(calls), _blank_widths(page)]
