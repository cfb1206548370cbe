"""Figure and table numbers (圖3, 表2), computed once for every edition.

A pure transform of the book: every Figure, and every Table with a caption, gets
a number in reading order, per book or per chapter (`[book] figure_numbering`),
and a label from `[book] figure_label` / `table_label` ("圖{n}", "表{chapter}-{n}").
Labels keep ASCII digits: a renderer writes them in its edition's numerals
(`EditionText.numbers(label, positional=True)`: 圖3 → 圖三 under
`numerals = "chinese"`), as it does note numbers.

Blocks are found again by their position: transforms (normalization, the
Simplified copy) make new blocks but keep every `pos`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import model as m

FIGURE, TABLE = "figure", "table"


@dataclass(frozen=True, slots=True)
class Numbered:
    kind: str            # FIGURE | TABLE
    id: str              # "" when the author gave none (then nothing can refer to it)
    number: int
    chapter: int         # chapter index (0-based) in reading order
    label: str           # "圖3", digits as written: the renderer applies the edition's numerals
    pos: m.Pos


@dataclass
class FigureNumbers:
    by_pos: dict[m.Pos, Numbered] = field(default_factory=dict)
    by_id: dict[str, Numbered] = field(default_factory=dict)     # the first definition of each id
    duplicates: list[tuple[Numbered, Numbered]] = field(default_factory=list)   # (again, first)

    def of(self, block: m.Figure | m.Table) -> Numbered | None:
        """The number of a figure or captioned table (None for a table without caption)."""
        return self.by_pos.get(block.pos)

    def ordered(self, kind: str) -> list[Numbered]:
        """Every figure (or table) in reading order: for a list of figures."""
        return [n for n in self.by_pos.values() if n.kind == kind]


def numbered_blocks(blocks: list[m.Block]):
    """Figures and captioned tables in document order, inside quotes and lists too."""
    for b in blocks:
        if isinstance(b, m.Figure) or isinstance(b, m.Table) and b.caption:
            yield b
        elif isinstance(b, m.BlockQuote):
            yield from numbered_blocks(b.blocks)
        elif isinstance(b, m.ListBlock):
            for item in b.items:
                yield from numbered_blocks(item)


def number_figures(book: m.Book) -> FigureNumbers:
    """Number the figures and tables of the chapters (notes hold none: a note is text)."""
    cfg = book.config
    per_chapter = cfg.figure_numbering == "chapter"
    out = FigureNumbers()
    counts = {FIGURE: 0, TABLE: 0}
    for ch in book.chapters:
        if per_chapter:
            counts = {FIGURE: 0, TABLE: 0}
        for b in numbered_blocks(ch.blocks):
            kind = FIGURE if isinstance(b, m.Figure) else TABLE
            counts[kind] += 1
            template = cfg.figure_label if kind == FIGURE else cfg.table_label
            chapter = ch.number if ch.number is not None else ch.index + 1
            label = template.replace("{chapter}", str(chapter)).replace("{n}", str(counts[kind]))
            num = Numbered(kind, b.id, counts[kind], ch.index, label, b.pos)
            out.by_pos[b.pos] = num
            if not b.id:
                continue
            if b.id in out.by_id:
                out.duplicates.append((num, out.by_id[b.id]))
            else:
                out.by_id[b.id] = num
    return out


def xref_text(label: str, page: str | None = None) -> str:
    """A cross-reference's text: 圖3, or 圖3（第52頁） with the print page."""
    return f"{label}（第{page}頁）" if page else label
