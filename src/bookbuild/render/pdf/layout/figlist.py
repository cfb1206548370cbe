"""圖目次 and 表目次 of a pdf edition (`list_of_figures = true`): after the 目次,
one entry per figure (per numbered table), its label and caption, the page
it is printed on at the foot of the entry's last column (filled in once
every page is known, like the 目次's: frontmatter.fill_toc)."""
from __future__ import annotations

from .... import model as m
from ....transform.figures import FIGURE, TABLE, numbered_blocks
from . import layout_types as lt

LIST_TITLES = {FIGURE: "圖目次", TABLE: "表目次"}


def figure_lists(book: m.Book, numbers, numerals) -> list[tuple[str, list[tuple[str, m.Pos]]]]:
    """[(title, [(entry text, block pos)])] for the kinds the book has, figures first.
    `numerals(label)` writes a label in the edition's numerals."""
    if numbers is None:
        return []
    captions = {b.pos: m.plain_text(b.caption).strip() for ch in book.chapters
                for b in numbered_blocks(ch.blocks)}
    out = []
    for kind in (FIGURE, TABLE):
        items = [(numerals(n.label) + ("\u3000" + captions[n.pos] if captions.get(n.pos) else ""), n.pos)
                 for n in numbers.ordered(kind)]
        if items:
            out.append((LIST_TITLES[kind], items))
    return out


def placed_pages(pages: list[lt.Page]) -> dict[m.Pos, int]:
    """A figure's or table's position in the source -> the page it is printed on (a table: where it starts)."""
    out: dict[m.Pos, int] = {}
    for p in pages:
        for f in p.figures:
            if f.src is not None:
                out.setdefault(f.src, p.number)
        for c in p.columns:
            if c.table is not None and c.table.src is not None:
                out.setdefault(c.table.src, p.number)
    return out
