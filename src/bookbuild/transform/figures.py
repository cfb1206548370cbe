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

import re
from dataclasses import dataclass, field

from .. import model as m
from ..config import MM, EditionConfig

FIGURE, TABLE = "figure", "table"


@dataclass(frozen=True, slots=True)
class Numbered:
    kind: str            # FIGURE | TABLE
    id: str              # "" when the author gave none (then nothing can refer to it)
    number: int
    chapter: int         # chapter index (0-based) in reading order
    label: str           # "圖3", digits as written: the renderer applies the edition's numerals
    pos: m.Pos           # the block's (the key renderers find it by)
    where: m.Pos         # where the id is written: a figure's `![`, a table's caption
    caption: str = ""    # the caption's plain text (a list of figures)


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
            where = b.pos if kind == FIGURE else next(
                (n.pos for n in m.walk_inlines(b.caption) if getattr(n, "pos", None)), b.pos)
            num = Numbered(kind, b.id, counts[kind], ch.index, label, b.pos, where, m.plain_text(b.caption).strip())
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


# ------------------------------------------------------------ placed size
# The rule the check judges resolution and fit by (BB902, BB903), and the size the
# print layout starts from.  Sizes in pt, in the reading frame (width across the
# columns of a vertical page), aspect = height / width of the image.
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(%|mm|cm|in|pt|px|em)\s*")
MIN_PPI = 300


def requested_width(width: str, ed: EditionConfig) -> float | None:
    """The `width` attribute in pt: a percentage of the type area's width, or a
    length (px at 96 per inch, em of the body font); None when absent or unreadable."""
    mt = _LENGTH.fullmatch(width or "")
    if mt is None:
        return None
    value, unit = float(mt.group(1)), mt.group(2)
    if unit == "%":
        return value / 100 * ed.type_area_pt()[0]
    return value * {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "px": 0.75, "em": ed.font_size}[unit]


def placed_size(ed: EditionConfig, classes, attrs: dict[str, str], aspect: float,
                natural_width: float | None = None) -> tuple[float, float]:
    """(width, height) in pt a figure is placed at in print edition `ed` — the print
    layout's rule (render/pdf/layout/figures.py): the `width` attribute, else the
    image's natural width (its pixels at its own dpi, else 96 per inch), never
    enlarged past the natural width, shrunk to fit the type area (a `.landscape`
    figure: turned, its width along the type area's height).  An explicit width
    larger than the page is kept, so that `fits_page` can say it does not fit.
    Print may draw a figure smaller still (its caption takes columns; a wide figure
    is turned as a plate): judged at this size, the resolution check errs on the safe side."""
    ta_w, ta_h = ed.type_area_pt()
    box_w, box_h = (ta_h, ta_w) if "landscape" in classes else (ta_w, ta_h)
    w = requested_width(attrs.get("width", ""), ed)
    if w is not None:
        return w, w * aspect
    w = min(box_w, box_h / aspect) if aspect > 0 else box_w
    if natural_width:
        w = min(w, natural_width)
    return w, w * aspect


def fits_page(ed: EditionConfig, size: tuple[float, float]) -> bool:
    """A placed size fits the type area upright or turned (as a landscape plate)."""
    ta_w, ta_h = ed.type_area_pt()
    w, h = size[0] - 0.01, size[1] - 0.01     # a figure sized to the type area exactly fits
    return (w <= ta_w and h <= ta_h) or (w <= ta_h and h <= ta_w)


def pixels_needed(size: tuple[float, float]) -> tuple[int, int]:
    """The pixel size MIN_PPI asks for at a placed size."""
    return tuple(-int(-v / 72 * MIN_PPI // 1) for v in size)     # ceil
