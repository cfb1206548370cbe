"""Laid-out pages → HTML for WeasyPrint (vertical-pdf-design.md §3 "Emission", §6).

Every page is one fixed-size `<section>` on the landscape page L (page
width and height swapped); turn.py later turns it into the portrait page P.
An L line is a P column.  All breaks are already decided (layout_types), so
this module only places things:

* consecutive columns that sit on one pitch and share their indent become
  one absolutely positioned `<p>` with `white-space: pre`, one line per
  column (`\\n` between), `line-height` = the column pitch in pt;
* spans appear only where needed: letter-spacing of a justified column
  (Pango adds it after each glyph, so a Latin word takes it as a margin
  instead; a pair or tcy run is one ligature glyph), the ¼ em
  Han–Latin glue (margins), note calls (`.call`, ss19, .5em);
* interlinear marks (專名號, wavy 書名號, emphasis dots) are drawn as
  overlays at positions computed here, since every cell's place is known
  arithmetic (WeasyPrint has no text-emphasis, and text-decoration cannot
  keep two adjacent names apart);
* folios and running heads are horizontal in P: a block in the horizontal
  face turned with `rotate(-90deg)`, which the page turn brings upright.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from html import escape

from ...config import MM, EditionConfig
from . import layout_types as lt

# Units of several glyphs: Pango spaces after every glyph, so their spacing
# goes into a margin.  A pair (——, ……) is one ligature glyph of the derived
# font and a tcy run one rlig glyph: letter-spacing adds once after those.
_MULTI_GLYPH = (lt.SIDEWAYS, lt.SPACE)
_BOLD_ROLES = {lt.HEADING[1], lt.HEADING[2], lt.HEADING[3], lt.TITLE, lt.NOTE_HEADING}
HEAD_SIZE = 0.8   # folio and running head size, body em (VT-26)


@dataclass(frozen=True, slots=True)
class Faces:
    """CSS family names of the derived faces (VT-28: nothing else may appear)."""
    upright: str
    horizontal: str
    bold: str


@dataclass(frozen=True, slots=True)
class Frame:
    """The type area on the landscape page L, in pt (y grows downwards)."""
    s: float            # body size S
    width: float        # L trim width  = P trim height
    height: float       # L trim height = P trim width
    bleed: float        # added by WeasyPrint on every side (@page bleed)
    x0: float           # L left of the type area = P top
    length: float       # along the column: N × S
    across: float       # across the columns (type-area width in P)
    y_odd: float        # L top of the type area on odd pages (gutter on P-right = L top)
    y_even: float       # same on even pages (gutter on P-left = L bottom)
    # A horizontal edition is drawn on P itself (no turn): L = P, a line is a
    # line, and the gutter (left on odd pages, an ltr book) moves x0 instead.
    horizontal: bool = False
    x0_even: float = 0.0
    # Fixed blanks (BLANKS) drawn as space characters: the derived face has them.
    blanks: bool = False

    @classmethod
    def of(cls, ed: EditionConfig) -> "Frame":
        pw, ph = ed.page_size_pt()
        b = ed.bleed * MM
        gutter = ed.margin_gutter * MM
        if not ed.vertical:
            length, across = ed.type_area_pt()
            head = ed.margin_head * MM
            return cls(ed.font_size, pw, ph, b, gutter, length, across, head, head, True,
                       pw - gutter - length)
        across, length = ed.type_area_pt()
        return cls(ed.font_size, ph, pw, b, ed.margin_head * MM, length, across, gutter,
                   pw - gutter - across)

    def at(self, page: lt.Page) -> "Frame":
        """The frame of one page (a horizontal even page has its type area further right)."""
        return replace(self, x0=self.x0_even) if self.horizontal and not page.odd else self

    def top(self, page: lt.Page) -> float:
        return self.y_odd if page.odd else self.y_even

    def ta_p(self, odd: bool) -> dict[str, float]:
        """The type area in the P frame as pdfplumber reports it (top-down,
        from the media box corner, i.e. bleed included)."""
        y, b = (self.y_odd if odd else self.y_even), self.bleed
        if self.horizontal:
            x = b + (self.x0 if odd else self.x0_even)
            return {"top": b + y, "bottom": b + y + self.across, "left": x, "right": x + self.length}
        return {"top": b + self.x0, "bottom": b + self.x0 + self.length,
                "left": b + self.height - (y + self.across), "right": b + self.height - y}


def _pt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") + "pt"


# ------------------------------------------------------------ unit positions

def visible_units(col: lt.Column) -> list[lt.Unit]:
    vis = col.visible()
    end = len(vis)
    while end and vis[end - 1].kind == lt.SPACE:
        end -= 1
    return vis[:end]


def _glue(col: lt.Column, vis: list[lt.Unit], i: int) -> tuple[float, float]:
    """(before, after) Han–Latin glue of unit i; none at the column head/foot."""
    u = vis[i]
    before = u.glue_before + col.glue_extra_em if i > 0 and u.glue_before else 0.0
    after = u.glue_after + col.glue_extra_em if i < len(vis) - 1 and u.glue_after else 0.0
    return before, after


def unit_spans(col: lt.Column) -> list[tuple[lt.Unit, float, float]]:
    """(unit, start, end) along the column in column em from the column head.

    Mirrors the emission below, so overlays land on the drawn cells.
    """
    vis = visible_units(col)
    pos, out = col.indent_em, []
    for i, u in enumerate(vis):
        before, after = _glue(col, vis, i)
        pos += before
        out.append((u, pos, pos + u.width_em))
        pos += u.width_em + after
        if i < len(vis) - 1:
            pos += col.spacing_em
            if vis[i + 1].kind == lt.SPACE:
                pos += col.space_extra_em
    return out


# ------------------------------------------------------------ column text

@dataclass(slots=True)
class _Piece:
    text: str
    cls: str = ""
    ls: float = 0.0          # letter-spacing, pt
    ml: float = 0.0          # margin-left, pt
    mr: float = 0.0          # margin-right, pt
    style: str = ""          # own declarations (warichu); never merged with others


# A fixed blank (½ em after a note number, 1 em between table cells) as a
# space character of exactly its width, where the derived face has it
# (Frame.blanks): no margin, so no span of its own.  Spacing after it then
# falls as the layout counts it (one gap after the blank, too).
BLANKS = {0.5: "\u2002", 1.0: "\u3000"}


def _pieces(col: lt.Column, em: float, blanks: bool = False) -> list[_Piece]:
    vis = visible_units(col)
    n = len(vis)
    calls: dict[int, list[lt.Unit]] = {}
    out: list[_Piece] = []
    if n != len(col.units):     # calls, or a trailing space
        last = None
        shown = {id(u) for u in vis}
        for u in col.units:
            if u.kind != lt.CALL and id(u) not in shown:
                continue    # a trailing space takes no room; a call after it joins the last cell
            if u.kind == lt.CALL and last is None:
                # A call before any cell (VT-23 says the breaker never makes one,
                # but its text must not be lost): drawn at the column head.
                out.append(_Piece(u.text, "call"))
            elif u.kind == lt.CALL:
                calls.setdefault(id(last), []).append(u)
            else:
                last = u
    col_ls, space_extra, glue_extra = col.spacing_em * em, col.space_extra_em * em, col.glue_extra_em
    last_free = not col.foot and col.hanging is None
    if not out and n == len(col.units) and (last_free or not col_ls):
        text = _plain_text(vis)      # most columns: one run of plain cells, one piece
        if text is not None:
            return [_Piece(text, ls=col_ls)] if text else []
    for i, u in enumerate(vis):
        kind, text = u.kind, u.text
        ml = (u.glue_before + glue_extra) * em if i > 0 and u.glue_before else 0.0
        mr = (u.glue_after + glue_extra) * em if i < n - 1 and u.glue_after else 0.0
        # The last unit carries the spacing too (it falls beyond the foot,
        # unseen): one span for the whole column, because Pango shifts glyphs
        # slightly at the end of a letter-spaced span (≈ 0.01 em after a
        # ligature).  Not when something must follow the last cell exactly.
        ls = col_ls if i < n - 1 or last_free else 0.0
        if i < n - 1 and vis[i + 1].kind == lt.SPACE:
            mr += space_extra
        tail = calls.get(id(u))
        if kind == lt.BLANK and blanks and u.width_em in BLANKS and not tail:
            _add_plain(out, BLANKS[u.width_em], ls, ml, mr)
            continue
        if not tail and kind not in _SPECIAL and not (kind in _MULTI_GLYPH and len(text) > 1):
            _add_plain(out, text, ls, ml, mr)
            continue
        if kind == lt.BLANK:
            text = ""
            mr += u.width_em * em
        tail = [_Piece(c.text, "call") for c in tail or ()]
        if tail:  # the call sits at the cell end; spacing and glue come after it
            tail[-1].ls, tail[-1].mr = ls, mr
            ls = mr = 0.0
        if kind == lt.WARICHU:
            out.append(_warichu(u, em, ml, mr + ls))
        elif kind == lt.UPRIGHT:
            # ss18: the font's upright A–Z/0–9, one per 1-em cell (VT-12 acronyms,
            # upright long numbers); without it the letter lies sideways, narrow.
            out.append(_Piece(text, "up", ls=ls, ml=ml, mr=mr))
        else:
            if kind in _MULTI_GLYPH and len(text) > 1:
                # Never space inside a Latin word (VT-06): its spacing becomes a
                # margin.  Nor split it into spans: a span boundary cuts the
                # shaping context, and the font's tcy rule would then take the
                # "9" of "B-29" for a lone digit (a 1 em tcy cell).
                mr, ls = mr + ls, 0.0
            _add_plain(out, text, ls, ml, mr)
        out.extend(tail)
    return out


_SPECIAL = (lt.BLANK, lt.WARICHU, lt.UPRIGHT)
_NOT_PLAIN = _SPECIAL + (lt.SPACE,)


def _plain_text(vis: list[lt.Unit]) -> str | None:
    """The column's text when every cell is plain (no glue, no margins, no
    class): what the loop below would make, one piece; else None."""
    for u in vis:
        if u.glue_before or u.glue_after or u.kind in _NOT_PLAIN or (u.kind in _MULTI_GLYPH and len(u.text) > 1):
            return None
    return "".join(u.text for u in vis)


def _add_plain(out: list[_Piece], text: str, ls: float, ml: float, mr: float) -> None:
    """Append a class-less piece, or extend the previous one when `_emit`
    would put both in one run anyway (fewer pieces: page_html is per page
    of every build, the page cache keys pages by it)."""
    if out and not ml:
        prev = out[-1]
        if not prev.cls and not prev.style and prev.ls == ls and not prev.mr:
            prev.text += text
            prev.mr = mr
            return
    out.append(_Piece(text, ls=ls, ml=ml, mr=mr))


def _warichu(u: lt.Unit, em: float, ml: float, mr: float) -> _Piece:
    """割注 (VT-25): two half-size sub-columns in one cell row, right one first.

    An inline-block of two lines at half size whose line height is half a
    cell: the first line (P right) fills the L-upper half of the cells, the
    second the lower half.  Its baseline is that of the second line, 0.06 em
    below the body baseline (ascent 0.88 of a half-size face below the
    middle), hence the vertical-align.
    """
    text = u.text[:u.split] + "\n" + u.text[u.split:]
    style = (f"width:{_pt(u.width_em * em)};line-height:{_pt(em / 2)};"
             f"vertical-align:{_pt(-0.06 * em)}")
    return _Piece(text, "wari", ml=ml, mr=mr, style=style)


def _emit(pieces: list[_Piece]) -> str:
    """Merge pieces into as few spans as possible; bare text where no style."""
    html: list[str] = []
    run: list[_Piece] = []

    def flush():
        if not run:
            return
        text = escape("".join(p.text for p in run), quote=False)
        style = []
        first, lastp = run[0], run[-1]
        if first.style:
            style.append(first.style)
        if first.ls:
            style.append(f"letter-spacing:{_pt(first.ls)}")
        if first.ml:
            style.append(f"margin-left:{_pt(first.ml)}")
        if lastp.mr:
            style.append(f"margin-right:{_pt(lastp.mr)}")
        cls = f' class="{first.cls}"' if first.cls else ""
        if style or cls:
            st = f' style="{";".join(style)}"' if style else ""
            html.append(f"<span{cls}{st}>{text}</span>")
        else:
            html.append(text)
        run.clear()

    for p in pieces:
        if not p.text and not (p.ml or p.mr):
            continue
        if run and (p.cls != run[0].cls or p.ls != run[0].ls or p.ml or run[-1].mr
                    or p.style or run[0].style):
            flush()
        run.append(p)
    flush()
    return "".join(html)


def column_html(col: lt.Column, em: float, frame: Frame) -> str:
    text = _emit(_pieces(col, em, frame.blanks))
    if col.foot:
        used = max((e for _, _, e in unit_spans(col)), default=col.indent_em)
        foot_w = sum(u.width_em for u in col.foot)
        gap = frame.length / em - foot_w - used
        foot = escape("".join(u.text for u in col.foot), quote=False)
        text += f'<span style="margin-left:{_pt(max(gap, 0) * em)}">{foot}</span>'
    # A hanging mark (VT-19) is the column's last unit, already drawn above.
    return text


# ------------------------------------------------------------ grouping

def _cls(role: str) -> str:
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
    style = [f"top:{_pt(top)}", f"left:{_pt(left)}", f"width:{_pt(frame.x0 + frame.length - left)}",
             f"font-size:{_pt(em)}", f"line-height:{_pt(lh)}"]
    if first.indent_em != rest:
        style.append(f"text-indent:{_pt((first.indent_em - rest) * em)}")
    lines = "\n".join(column_html(c, em, frame) for c in g)
    return f'<p class="{_cls(first.role)}" style="{";".join(style)}">{lines}</p>'


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
            out.append(f'<div class="em-dot" style="left:{_pt(cx - d / 2)};top:{_pt(cy - d / 2)};'
                       f'width:{_pt(d)};height:{_pt(d)}"></div>')
    return "".join(out)


def _line(cls: str, x: float, y: float, w: float, em: float) -> str:
    """A straight or wavy line in the gap left of the column (below it in L)."""
    if cls == "pn":
        t = max(0.4, 0.05 * em)
        return (f'<div class="pn" style="left:{_pt(x)};top:{_pt(y + 0.08 * em)};'
                f'width:{_pt(w)};height:{_pt(t)}"></div>')
    amp, wave = 0.06 * em, 0.5 * em
    h = 4 * amp
    d = [f"M0 {h / 2:.3f}"]
    n = max(1, round(w / wave))
    step = w / n
    for i in range(n):
        sign = -1 if i % 2 == 0 else 1
        d.append(f"q {step / 2:.3f} {sign * 2 * amp:.3f} {step:.3f} 0")
    return (f'<svg class="title-a" style="left:{_pt(x)};top:{_pt(y + 0.14 * em - h / 2)}" '
            f'width="{w:.3f}pt" height="{h:.3f}pt" viewBox="0 0 {w:.3f} {h:.3f}">'
            f'<path d="{" ".join(d)}" fill="none" stroke="black" stroke-width="{0.045 * em:.3f}"/></svg>')


# ------------------------------------------------------------ heads

def _turned(cls: str, text: str, x: float, y: float, width: float, size: float, align: str) -> str:
    """Text horizontal in P: written in L, then rotated -90°, starting at L (x, y)
    and running upwards (P left → right) over `width`."""
    return (f'<div class="{cls}" style="left:{_pt(x)};top:{_pt(y)};width:{_pt(width)};'
            f'font-size:{_pt(size)};line-height:{_pt(size)};text-align:{align}">'
            f'{escape(text, quote=False)}</div>')


def _flat_heads(page: lt.Page, frame: Frame, size: float) -> str:
    """Horizontal edition: folio 1 em below, running head 1 em above the type
    area, flush with its outer side (the right on odd pages of an ltr book)."""
    y0, out = frame.top(page), []
    align = "right" if page.odd else "left"
    for cls, text, y in (("rh-h", page.running_head, y0 - frame.s - size),
                         ("folio-h", page.folio, y0 + frame.across + frame.s)):
        if text:
            out.append(f'<div class="{cls}" style="position:absolute;white-space:pre;left:{_pt(frame.x0)};'
                       f'top:{_pt(y)};width:{_pt(frame.length)};font-size:{_pt(size)};'
                       f'line-height:{_pt(size)};text-align:{align}">{escape(text, quote=False)}</div>')
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
            out.append(f'<div class="folio-v" style="left:{_pt(x)};top:{_pt(fore_y)};'
                       f'font-size:{_pt(size)};line-height:{_pt(size)}">{escape(page.folio)}</div>')
        else:  # VT-26: 1 em below TA.bottom, flush with the outer TA side
            out.append(_turned("folio", page.folio, frame.x0 + frame.length + frame.s,
                               y0 + frame.across, frame.across, size, align))
    if page.running_head:
        if ed.running_head == "fore-edge":
            out.append(f'<div class="rh-v" style="left:{_pt(frame.x0 + 4 * frame.s)};top:{_pt(fore_y)};'
                       f'font-size:{_pt(size)};line-height:{_pt(size)}">{escape(page.running_head)}</div>')
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
    if page.rule_x_em is not None and page.note_columns:
        parts.append(f'<div class="rule" style="left:{_pt(frame.x0)};top:{_pt(y0 + page.rule_x_em * frame.s)};'
                     f'width:{_pt(frame.length)}"></div>')
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
