"""Figures and tables of the model → layout blocks (units.py calls these).

A figure becomes a FIGURE block whose caption ("圖三　…", the label in the
edition's numerals) is text of the stream at the figure's place, so the
caption is in the text layer in reading order.  A table becomes a TABLE
block: its caption, then every cell's units, row by row (header rows first),
which tables.py sets on the grid.  engine.py breaks both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .... import model as m
from . import layout_types as lt

CAPTION_GAP = "\u3000"        # between the label and the caption text
CAPTION_INDENT = 1.0           # body em: a caption column starts one cell down


@dataclass
class FigurePayload:
    """What a FIGURE block carries to the breaker and the paginator."""
    block: m.Figure | m.Table
    kind: str                  # "figure" | "table"
    label: str                 # 圖三, in the edition's numerals ("" for a table without caption)
    caption: object = None     # the caption Block (units.Block) or None
    rows: list[list[list[lt.Unit]]] = field(default_factory=list)   # tables: rows → cells → units
    header_rows: int = 0


def label_of(mk, b: m.Figure | m.Table) -> str:
    """圖三 / 表二 in the edition's numerals, "" when the block is not numbered."""
    num = mk.figures.of(b) if mk.figures is not None else None
    return mk.prep.numerals(num.label, positional=True) if num else ""


def xref_text(mk, target: str, with_page: bool) -> str:
    """圖三, or 圖三（第五二頁） with the page of the figure when asked (a print
    edition's second pass knows it, engine.py; until then 第?頁 keeps the room)."""
    num = mk.figures.by_id.get(target) if mk.figures is not None else None
    if num is None:
        return ""
    label = mk.prep.numerals(num.label, positional=True)
    if not with_page:
        return label
    mk.page_refs = True
    page = mk.xref_pages.get(target)
    folio = mk.prep.folio(page) if page else "?"
    return f"{label}（第{folio}頁）"


def caption_block(mk, label: str, caption: list[m.Inline], pos, chapter):
    """The caption as a block: the label, an ideographic space, the caption text."""
    mk._start()
    if label:
        mk.generated(label + (CAPTION_GAP if caption else ""))
    mk.inlines(caption, mk.context(chapter))
    return mk._new_block(lt.CAPTION, mk._finish(), pos, chapter,
                         indent_first=CAPTION_INDENT, indent_rest=CAPTION_INDENT)


def figure_block(mk, b: m.Figure, chapter):
    label = label_of(mk, b)
    cap = caption_block(mk, label, b.caption, b.pos, chapter)
    blk = mk._new_block(lt.FIGURE, [[]], b.pos, chapter)
    blk.payload = FigurePayload(b, "figure", label, cap)
    return blk


def table_block(mk, b: m.Table, chapter):
    """Caption first (it opens the table in reading order), then the cells."""
    label = label_of(mk, b)
    caption = getattr(b, "caption", [])
    cap = caption_block(mk, label, caption, b.pos, chapter) if (label or caption) else None
    rows = []
    for row in b.header + b.rows:
        cells = []
        for cell in row:
            mk._start()
            mk.inlines(cell, mk.context(chapter))
            lines = mk._finish()
            cells.append([u for line in lines for u in line])
        rows.append(cells)
    blk = mk._new_block(lt.FIGURE, [[]], b.pos, chapter)
    blk.payload = FigurePayload(b, "table", label, cap, rows, len(b.header))
    return blk
