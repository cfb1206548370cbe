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
  overlays at positions computed here, since every cell's place is known
  arithmetic (WeasyPrint has no text-emphasis, and text-decoration cannot
  keep two adjacent names apart);
* folios and running heads are horizontal in P: a block in the horizontal
  face turned with `rotate(-90deg)`, which the page turn brings upright.
"""
from __future__ import annotations

import unicodedata
from html import escape

from ....config import EditionConfig
from ..layout import layout_types as lt
from ..layout.frame import HEAD_SIZE, Frame, css_pt
from ..layout.positions import unit_spans
from .column_html import column_html
from .figure_html import figure_html, table_rules_html

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

def _is_punct(text: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PS" for ch in text)


def marks_html(col: lt.Column, frame: Frame, y0: float) -> str:
    """專名號, wavy 書名號 and emphasis dots for one column (VT-20..22)."""
    em = col.size * frame.s
    yc = y0 + col.x_em * frame.s
    spans = unit_spans(col)
    out: list[str] = []
    called = {id(u) for u, nxt in zip(col.units, col.units[1:]) if nxt.kind == lt.CALL}
    for flag, cls in ((lt.NAME, "pn"), (lt.TITLE_WAVY, "title-a")):
        runs: list[list[tuple]] = []
        prev = None
        for s in spans:
            if s[0].flags & flag:
                if prev is not None and runs and prev[0].flags & flag and prev[0].mark == s[0].mark:
                    runs[-1].append(s)
                else:
                    runs.append([s])
            prev = s
        for r in runs:
            x = frame.x0 + (r[0][1] + 0.06) * em
            w = (r[-1][2] - r[0][1] - 0.12) * em
            out.append(_line(cls, x, yc + em / 2, w, em))
    for u, a, b in spans:
        if u.flags & lt.EMPH and u.kind in (lt.HAN, lt.TCY, lt.UPRIGHT) \
                and not _is_punct(u.text) and id(u) not in called:
            d = 0.16 * em
            side = 1 if frame.horizontal else -1    # under a horizontal line (clreq), else right
            cx, cy = frame.x0 + (a + b) / 2 * em, yc + side * (em / 2 + 0.22 * em)
            out.append(f'<div class="em-dot" style="left:{css_pt(cx - d / 2)};top:{css_pt(cy - d / 2)};'
                       f'width:{css_pt(d)};height:{css_pt(d)}"></div>')
    return "".join(out)


def _line(cls: str, x: float, y: float, w: float, em: float) -> str:
    """A straight or wavy line in the gap left of the column (below it in L)."""
    if cls == "pn":
        t = max(0.4, 0.05 * em)
        return (f'<div class="pn" style="left:{css_pt(x)};top:{css_pt(y + 0.08 * em)};'
                f'width:{css_pt(w)};height:{css_pt(t)}"></div>')
    amp, wave = 0.06 * em, 0.5 * em
    h = 4 * amp
    d = [f"M0 {h / 2:.3f}"]
    n = max(1, round(w / wave))
    step = w / n
    for i in range(n):
        sign = -1 if i % 2 == 0 else 1
        d.append(f"q {step / 2:.3f} {sign * 2 * amp:.3f} {step:.3f} 0")
    return (f'<svg class="title-a" style="left:{css_pt(x)};top:{css_pt(y + 0.14 * em - h / 2)}" '
            f'width="{w:.3f}pt" height="{h:.3f}pt" viewBox="0 0 {w:.3f} {h:.3f}">'
            f'<path d="{" ".join(d)}" fill="none" stroke="black" stroke-width="{0.045 * em:.3f}"/></svg>')


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
            if any(u.flags & (lt.NAME | lt.TITLE_WAVY | lt.EMPH) for u in c.units):
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


def document_html(pages: list[lt.Page], frame: Frame, ed: EditionConfig, geo: lt.Geometry,
                  css: str) -> str:
    return wrap_pages([page_html(p, frame, ed, geo) for p in pages], ed, css)


def wrap_pages(page_htmls: list[str], ed: EditionConfig, css: str) -> str:
    """One document of pages made by page_html (the page cache keys them one by one)."""
    body = "\n".join(page_htmls)
    lang = escape(ed.language)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<style>{css}</style></head><body>\n{body}\n</body></html>")
