"""Laid-out pages → HTML for WeasyPrint (docs/PRINT-ENGINE.md §3 "Emission", §6).

Every page is one fixed-size `<section>` on the landscape page L (page
width and height swapped); finishing/turn.py later turns it into the portrait page P.
An L line is a P column.  All breaks are already decided (layout_types), so
this module only places things:

* consecutive columns that sit on one pitch and share their indent become
  one absolutely positioned `<p>` with `white-space: pre`, one line per
  column (`\\n` between), `line-height` = the column pitch in pt; the
  text of each column comes from column_html.py;
* interlinear marks (專名號, wavy 書名號, emphasis dots) are drawn as
  overlays at the positions overlays.py computes;
* folios and running heads are horizontal in P: a block in the horizontal
  face turned with `rotate(-90deg)`, which the page turn brings upright.
"""
from __future__ import annotations

from html import escape

from ....config import EditionConfig
from ..layout import layout_types as lt
from ..layout.frame import HEAD_SIZE, Frame, css_pt
from .column_html import column_html
from .figure_html import figure_html, table_rules_html
from .overlays import column_marks, mark_html, marked

# ------------------------------------------------------------ grouping

def role_class(role: str) -> str:
    if role.startswith("heading"):
        return "h" + role[-1]
    return {lt.BODY: "b", lt.QUOTE: "q", lt.NOTE: "n"}.get(role, role)


def _groups(cols: list[lt.Column]) -> list[list[lt.Column]]:
    """Runs of columns that one `<p>` can draw: same role and size, one pitch
    between neighbours, and one indent for every column after the first."""
    groups: list[list[lt.Column]] = []
    for c in cols:
        g = groups[-1] if groups else None
        if g and g[-1].role == c.role and g[-1].size == c.size and not g[-1].foot \
                and (len(g) == 1 or c.indent_em == g[1].indent_em) \
                and (len(g) == 1 or abs((c.x_em - g[-1].x_em) - (g[1].x_em - g[0].x_em)) < 1e-6):
            g.append(c)
        else:
            groups.append([c])
    return groups


def _group_html(g: list[lt.Column], frame: Frame, y0: float, pitch: float) -> str:
    first = g[0]
    em = first.size * frame.s
    step = (g[1].x_em - g[0].x_em) if len(g) > 1 else pitch
    lh = step * frame.s
    top = y0 + first.x_em * frame.s - lh / 2
    rest = g[1].indent_em if len(g) > 1 else first.indent_em
    left = frame.x0 + rest * em
    # An explicit width: shrink-to-fit on an absolute box lays its text out
    # twice more (min/max-content), which tripled the drawing time.
    style = [f"top:{css_pt(top)}", f"left:{css_pt(left)}", f"width:{css_pt(frame.x0 + frame.length - left)}",
             f"font-size:{css_pt(em)}", f"line-height:{css_pt(lh)}"]
    if first.indent_em != rest:
        style.append(f"text-indent:{css_pt((first.indent_em - rest) * em)}")
    lines = "\n".join(column_html(c, em, frame) for c in g)
    return f'<p class="{role_class(first.role)}" style="{";".join(style)}">{lines}</p>'


# ------------------------------------------------------------ overlays

def marks_html(col: lt.Column, frame: Frame, y0: float) -> str:
    """專名號, wavy 書名號 and emphasis dots for one column (VT-20..22)."""
    return "".join(mark_html(m) for m in column_marks(col, frame, y0))


# ------------------------------------------------------------ heads

def _turned(cls: str, text: str, x: float, y: float, width: float, size: float, align: str) -> str:
    """Text horizontal in P: written in L, then rotated -90°, starting at L (x, y)
    and running upwards (P left → right) over `width`."""
    return (f'<div class="{cls}" style="left:{css_pt(x)};top:{css_pt(y)};width:{css_pt(width)};'
            f'font-size:{css_pt(size)};line-height:{css_pt(size)};text-align:{align}">'
            f'{escape(text, quote=False)}</div>')


def _flat_heads(page: lt.Page, frame: Frame, size: float) -> str:
    """Horizontal edition: folio 1 em below, running head 1 em above the type
    area, flush with its outer side (the right on odd pages of an ltr book)."""
    y0, out = frame.top(page), []
    align = "right" if page.odd else "left"
    for cls, text, y in (("rh-h", page.running_head, y0 - frame.s - size),
                         ("folio-h", page.folio, y0 + frame.across + frame.s)):
        if text:
            out.append(f'<div class="{cls}" style="position:absolute;white-space:pre;left:{css_pt(frame.x0)};'
                       f'top:{css_pt(y)};width:{css_pt(frame.length)};font-size:{css_pt(size)};'
                       f'line-height:{css_pt(size)};text-align:{align}">{escape(text, quote=False)}</div>')
    return "".join(out)


def heads_html(page: lt.Page, frame: Frame, ed: EditionConfig) -> str:
    y0 = frame.top(page)
    size = HEAD_SIZE * frame.s
    if frame.horizontal:
        return _flat_heads(page, frame, size)
    out = []
    align = "left" if page.odd else "right"   # outer side: P-left on odd pages
    fore_y = y0 + frame.across + 1.0 * frame.s if page.odd else y0 - 1.0 * frame.s - size
    if page.folio:
        if ed.folio == "hanzi-vertical":
            x = frame.x0 + frame.length - len(page.folio) * size
            out.append(f'<div class="folio-v" style="left:{css_pt(x)};top:{css_pt(fore_y)};'
                       f'font-size:{css_pt(size)};line-height:{css_pt(size)}">{escape(page.folio)}</div>')
        else:  # VT-26: 1 em below TA.bottom, flush with the outer TA side
            out.append(_turned("folio", page.folio, frame.x0 + frame.length + frame.s,
                               y0 + frame.across, frame.across, size, align))
    if page.running_head:
        if ed.running_head == "fore-edge":
            out.append(f'<div class="rh-v" style="left:{css_pt(frame.x0 + 4 * frame.s)};top:{css_pt(fore_y)};'
                       f'font-size:{css_pt(size)};line-height:{css_pt(size)}">{escape(page.running_head)}</div>')
        else:  # VT-27: 1 em above TA.top, outer side
            out.append(_turned("rh", page.running_head, frame.x0 - frame.s - size,
                               y0 + frame.across, frame.across, size, align))
    return "".join(out)


# ------------------------------------------------------------ pages

def page_html(page: lt.Page, frame: Frame, ed: EditionConfig, geo: lt.Geometry) -> str:
    frame = frame.at(page)
    y0 = frame.top(page)
    parts = [f'<section class="page {"odd" if page.odd else "even"} pg-{page.role}">']
    for cols, pitch in ((page.columns, geo.pitch_em), (page.note_columns, geo.note_pitch_em)):
        cols = [c for c in cols if c.role != lt.BLANK_COL and (c.units or c.foot)]
        for g in _groups(cols):
            parts.append(_group_html(g, frame, y0, pitch))
        for c in cols:
            if marked(c):
                parts.append(marks_html(c, frame, y0))
    parts += [figure_html(f, frame, y0, geo) for f in page.figures]
    if any(c.table is not None for c in page.columns):
        parts.append(table_rules_html(page.columns, frame, y0, geo))
    if page.rule_x_em is not None and page.note_columns:
        parts.append(f'<div class="rule" style="left:{css_pt(frame.x0)};top:{css_pt(y0 + page.rule_x_em * frame.s)};'
                     f'width:{css_pt(frame.length)}"></div>')
    parts.append(heads_html(page, frame, ed))
    parts.append("</section>")
    return "".join(parts)


class PageHtmls:
    """Each page's HTML, written when first asked for: a page whose key comes
    from its layout (layoutkeys.py) and that the cache holds needs none."""

    def __init__(self, pages: list[lt.Page], frame: Frame, ed: EditionConfig, geo: lt.Geometry):
        self.pages, self.frame, self.ed, self.geo = pages, frame, ed, geo
        self._made: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.pages)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.pages)))]
        html = self._made.get(i)
        if html is None:
            html = self._made[i] = page_html(self.pages[i], self.frame, self.ed, self.geo)
        return html


def document_html(pages: list[lt.Page], frame: Frame, ed: EditionConfig, geo: lt.Geometry,
                  css: str) -> str:
    return wrap_pages([page_html(p, frame, ed, geo) for p in pages], ed, css)


def wrap_pages(page_htmls: list[str], ed: EditionConfig, css: str) -> str:
    """One document of pages made by page_html (the page cache keys them one by one)."""
    body = "\n".join(page_htmls)
    lang = escape(ed.language)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<style>{css}</style></head><body>\n{body}\n</body></html>")
