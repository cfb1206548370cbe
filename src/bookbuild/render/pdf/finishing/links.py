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


# What may link on a page, by place, before any note id is looked up (the page
# cache keeps them with a text page: they follow from its layout and frame,
# drawing/layoutkeys.py): [column, kind, a, b, unit] — column an index into
# columns + note_columns; kind "toc" (a 目次 entry: from a to the column's foot,
# its foot's text the folio), "ref" (a unit of 見第N章注M: cells [a, b), unit
# its index) or "call" (a note call: the cells [a, b) of the cell before it).
Areas = list[list]


def page_links(pages: list[lt.Page], frame: Frame, known: list[Areas | None] | None = None,
               made: dict[int, Areas] | None = None) -> list[Link]:
    """目次 entries → the page with that folio; calls and 見第N章注M → the note's page.
    `known[i]`: page i's areas from the page cache; the areas found now go into `made`."""
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
        areas = known[i] if known is not None else None
        if areas is None:
            areas = link_areas(p)
            if made is not None:
                made[i] = areas
        for rect, kind, key in _resolved(p, frame.at(p), areas):
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


def link_areas(page: lt.Page) -> Areas:
    """The places on a page that may link (see Areas): a 目次 entry, the units
    of a cross reference 見第N章注M, the cell before a note call.  In column em:
    the same on every frame."""
    out: Areas = []
    for ci, col in enumerate(page.columns + page.note_columns):
        if not (col.role == lt.TOC_ENTRY and col.foot) and \
                not any(u.kind == lt.CALL or u.flags & lt.LINK for u in col.units):
            continue    # nothing links from here: skip the positions (16,000 columns in a book)
        spans = unit_spans(col)
        if col.role == lt.TOC_ENTRY and col.foot and spans:
            out.append([ci, "toc", spans[0][1], 0.0, -1])
        index = {id(u): k for k, u in enumerate(col.units)}
        out += [[ci, "ref", a, b, index[id(u)]] for u, a, b in spans if u.flags & lt.LINK]
        prev = None
        for k, u in enumerate(col.units):
            if u.kind == lt.CALL and prev is not None:
                a, b = next(((s, e) for v, s, e in spans if v is prev), (0.0, 0.0))
                out.append([ci, "call", a, b, k])
            elif u.kind != lt.CALL:
                prev = u
    return out


def _resolved(page: lt.Page, frame: Frame, areas: Areas) -> list[tuple[tuple, str, str]]:
    """(rect, kind, key) of what links, column by column as link_areas found it:
    a 目次 entry (key = the folio it names), a cross reference (its units with a
    note id as one area; key = the first one's), a note call (key = its note id)."""
    y0 = frame.top(page)
    cols = page.columns + page.note_columns
    out = []
    k = 0
    while k < len(areas):
        ci = areas[k][0]
        col = cols[ci]
        here = []
        while k < len(areas) and areas[k][0] == ci:
            here.append(areas[k])
            k += 1
        for _, kind, a, _, _ in here:
            if kind == "toc":
                out.append((_rect_p(frame, y0, col, a, frame.length / (col.size * frame.s)),
                            "folio", "".join(u.text for u in col.foot)))
        # note_at: a kept chapter's column answers without making its units (layout/kept.py)
        refs = [(a, b, col.note_at(u)) for _, kind, a, b, u in here if kind == "ref" and col.note_at(u)]
        if refs:
            out.append((_rect_p(frame, y0, col, refs[0][0], refs[-1][1]), "note", refs[0][2]))
        for _, kind, a, b, u in here:
            if kind == "call" and col.note_at(u):
                out.append((_rect_p(frame, y0, col, a, b), "note", col.note_at(u)))
    return out
