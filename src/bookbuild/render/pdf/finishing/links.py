"""Links over the merged document: 目次 entries → their page, note calls and 見第N章注M → the note.

Made after the merge: a link's target may lie in a page range another
worker drew (or another build), so WeasyPrint cannot make them.
"""
from __future__ import annotations

from dataclasses import dataclass

from pikepdf import Array, Dictionary, Name, Pdf

from ..layout import layout_types as lt
from ..layout.frame import Frame
from ..layout.positions import unit_spans


@dataclass(frozen=True, slots=True)
class Link:
    page: int                                   # 0-based page holding the link
    rect: tuple[float, float, float, float]     # P frame, PDF user space (y up)
    target: int                                 # 0-based destination page


def add_links(pdf: Pdf, links: list[Link]) -> None:
    """Link annotations over the whole merged document (targets may lie in
    another part, so WeasyPrint cannot make them)."""
    objs = [p.obj for p in pdf.pages]     # one lookup per page, not per link
    by_page: dict[int, list] = {}
    for link in links:
        if not (0 <= link.page < len(objs) and 0 <= link.target < len(objs)):
            continue
        by_page.setdefault(link.page, []).append(pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([round(v, 3) for v in link.rect]),
            Border=Array([0, 0, 0]), Dest=Array([objs[link.target], Name.Fit]))))
    for i, annots in by_page.items():
        page = objs[i]
        if "/Annots" in page:
            page.Annots.extend(annots)
        else:
            page.Annots = Array(annots)


def page_links(pages: list[lt.Page], frame: Frame) -> list[Link]:
    """目次 entries → the page with that folio; calls and 見第N章注M → the note's page."""
    by_folio: dict[str, int] = {}
    by_note: dict[str, int] = {}
    for i, p in enumerate(pages):
        if p.folio:
            by_folio.setdefault(p.folio, i)
        for c in p.columns + p.note_columns:
            if c.note_id:
                by_note.setdefault(c.note_id, i)
        for nid in p.notes_started:
            by_note.setdefault(nid, i)
    out = []
    for i, p in enumerate(pages):
        for rect, kind, key in _link_areas(p, frame.at(p)):
            target = (by_folio if kind == "folio" else by_note).get(key)
            if target is not None:
                out.append(Link(i, rect, target))
    return out


def _rect_p(frame: Frame, y0: float, col: lt.Column, a: float, b: float) -> tuple[float, float, float, float]:
    """Cells [a, b) (column em) of a column as a P-frame PDF rectangle (y up)."""
    em = col.size * frame.s
    yc = y0 + col.x_em * frame.s
    xl0, xl1 = frame.x0 + a * em, frame.x0 + b * em
    # L (x, y-down) → P top-down (height − y, x) → PDF y-up (height − y, width − x),
    # all shifted by the bleed WeasyPrint puts around the trimmed page.
    b = frame.bleed
    if frame.horizontal:    # drawn on P itself: only y flips
        return (xl0, frame.height - (yc + em / 2), xl1, frame.height - (yc - em / 2))
    return (b + frame.height - (yc + em / 2), b + frame.width - xl1,
            b + frame.height - (yc - em / 2), b + frame.width - xl0)


def _link_areas(page: lt.Page, frame: Frame) -> list[tuple[tuple, str, str]]:
    """(rect, kind, key) of what should link: a 目次 entry (key = the folio it
    names), a cross reference 見第N章注M (key = note id), a note call."""
    y0 = frame.top(page)
    out = []
    for col in page.columns + page.note_columns:
        if not (col.role == lt.TOC_ENTRY and col.foot) and \
                not any(u.kind == lt.CALL or u.flags & lt.LINK for u in col.units):
            continue    # nothing links from here: skip the positions (16,000 columns in a book)
        spans = unit_spans(col)
        if col.role == lt.TOC_ENTRY and col.foot and spans:
            out.append((_rect_p(frame, y0, col, spans[0][1], frame.length / (col.size * frame.s)),
                        "folio", "".join(u.text for u in col.foot)))
        link_spans = [(a, b, u.note_id) for u, a, b in spans if u.flags & lt.LINK and u.note_id]
        if link_spans:
            a, b = link_spans[0][0], link_spans[-1][1]
            out.append((_rect_p(frame, y0, col, a, b), "note", link_spans[0][2]))
        prev = None
        for u in col.units:
            if u.kind == lt.CALL and u.note_id and prev is not None:
                a, b = next(((s, e) for v, s, e in spans if v is prev), (0.0, 0.0))
                out.append((_rect_p(frame, y0, col, a, b), "note", u.note_id))
            elif u.kind != lt.CALL:
                prev = u
    return out
