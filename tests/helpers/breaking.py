"""Break a model book's chapter into columns, as the layout does, with a fixed Latin advance."""
from __future__ import annotations

from bookbuild import model as m
from bookbuild.render.pdf.layout.breaker import Rules, break_block
from bookbuild.render.pdf.layout.textprep import TextPrep, fixed_advance
from bookbuild.render.pdf.layout.units import UnitMaker
from bookbuild.transform.notes import number_notes


def maker(book: m.Book, edition: str = "print") -> UnitMaker:
    ed = book.config.edition(edition)
    return UnitMaker(ed, TextPrep(ed, book.config), fixed_advance(0.5), number_notes(book), None, book)


def break_chapter(book: m.Book, blocks=None, edition: str = "print"):
    """Break every block of chapter 0 (or `blocks`): (columns per block, diagnostics)."""
    ed = book.config.edition(edition)
    out, diags = [], []
    for b in maker(book, edition).blocks(blocks if blocks is not None else book.chapters[0].blocks, 0):
        cols, d = break_block(b, ed.chars_per_column, Rules.of(ed), fixed_advance(0.5))
        out.append(cols)
        diags += d
    return out, diags
