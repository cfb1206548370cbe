"""One column's text as HTML: runs of cells, spans only where a cell needs one.

All breaks are already decided (layout/), so this only writes text:
consecutive plain cells are one run; spans appear only where needed:
letter-spacing of a justified column (Pango adds it after each glyph, so a
Latin word takes it as a margin instead; a pair or tcy run is one ligature
glyph), the ¼ em Han–Latin glue (margins), note calls (`.call`, ss19, .5em),
割注 and upright acronym letters.  The cells land where
layout/positions.py says they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..layout import layout_types as lt
from ..layout.frame import BLANKS, Frame, css_pt
from ..layout.positions import unit_spans, visible_units

# Units of several glyphs: Pango spaces after every glyph, so their spacing
# goes into a margin.  A pair (——, ……) is one ligature glyph of the derived
# font and a tcy run one rlig glyph: letter-spacing adds once after those.
_MULTI_GLYPH = (lt.SIDEWAYS, lt.SPACE)


@dataclass(slots=True)
class _Piece:
    text: str
    cls: str = ""
    ls: float = 0.0          # letter-spacing, pt
    ml: float = 0.0          # margin-left, pt
    mr: float = 0.0          # margin-right, pt
    style: str = ""          # own declarations (warichu); never merged with others


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
        if u.flags & lt.HYPHEN:     # VT-12a: the head of a hyphenated word, at the column end
            text += "-"
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
    style = (f"width:{css_pt(u.width_em * em)};line-height:{css_pt(em / 2)};"
             f"vertical-align:{css_pt(-0.06 * em)}")
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
            style.append(f"letter-spacing:{css_pt(first.ls)}")
        if first.ml:
            style.append(f"margin-left:{css_pt(first.ml)}")
        if lastp.mr:
            style.append(f"margin-right:{css_pt(lastp.mr)}")
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
        text += f'<span style="margin-left:{css_pt(max(gap, 0) * em)}">{foot}</span>'
    # A hanging mark (VT-19) is the column's last unit, already drawn above.
    return text
