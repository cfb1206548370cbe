"""Figures, numbered tables and cross-references in XHTML.

    <figure id="fig-siege" class="figure plate">
      <img src="../images/001.svg" alt="…"/>
      <figcaption><span class="fig-label">圖1</span>　caption</figcaption>
    </figure>
    <div class="table-wrap"><table id="tbl-forces">
      <caption><span class="fig-label">表1</span>　caption</caption> <thead><tr><th scope="col">…

The alt text is the `alt=` attribute, else the caption's text (docs/FORMAT.md,
Figures).  A wide table scrolls inside its wrapper instead of overflowing the
page; in the vertical edition the table inherits `writing-mode` and reads in
columns like the text.  `[](#fig-siege)` becomes a link to the figure's id in
its chapter's document, with the label as its text.
"""
from __future__ import annotations

import re

from ... import model as m
from ...transform.figures import FIGURE, Numbered
from .elements import E, add_text

_AUTHOR_ID = re.compile(r"(fig|tbl)-[A-Za-z0-9_-]+")
# A length the `width` attribute may hold (CSS units a reading system knows).
_WIDTH = re.compile(r"[0-9]+(\.[0-9]+)?(%|em|px|mm|cm|in)")


def anchor(num: Numbered) -> str:
    """The element id: the author's when it is `fig-…`/`tbl-…` (no clash with the
    ids this renderer makes: sec-, fn-, ix-, bib-…), else one made from the number."""
    if _AUTHOR_ID.fullmatch(num.id):
        return num.id
    return f"bb{'fig' if num.kind == FIGURE else 'tbl'}-{num.chapter + 1}-{num.number}"


def figure(w, b: m.Figure, parent) -> None:
    """`w`: the xhtml Writer of the document."""
    num = w.ctx.figures.of(b) if w.ctx.figures else None
    classes = ["figure"] + [c for c in b.classes if c in ("plate", "landscape")]
    fig = E("figure", {"class": " ".join(classes)}, parent=parent)
    if num:
        fig.set("id", anchor(num))
        w.ctx.remember(w.doc, fig.get("id"), b.pos)
    href = w.image_href(b.src)
    if href is None:      # refused (check/assets.py said why): the text stands in
        add_text(E("p", parent=fig), b.alt)
    else:
        attrs = {"src": href, "alt": b.alt}
        width = b.attrs.get("width", "")
        if _WIDTH.fullmatch(width):
            attrs["style"] = f"width:{width}"
        E("img", attrs, parent=fig)
    caption(w, num, b.caption, E("figcaption", parent=fig))


def table(w, t: m.Table, parent) -> None:
    num = w.ctx.figures.of(t) if w.ctx.figures and t.caption else None
    wrap = E("div", {"class": "table-wrap"}, parent=parent)
    tbl = E("table", parent=wrap)
    if num:
        tbl.set("id", anchor(num))
        w.ctx.remember(w.doc, tbl.get("id"), t.pos)
    if t.caption:
        caption(w, num, t.caption, E("caption", parent=tbl))
    # Header cells say what they head (WCAG 1.3.1): the header rows' cells head
    # their columns, a body row's first cell in a table with no header its row.
    for rows, group in ((t.header, "thead"), (t.rows, "tbody")):
        if not rows:
            continue
        sect = E(group, parent=tbl)
        for row in rows:
            tr = E("tr", parent=sect)
            for inlines in row:
                cell = E("th", {"scope": "col"}, parent=tr) if group == "thead" else E("td", parent=tr)
                w.para(inlines, cell)


def caption(w, num: Numbered | None, inlines: list[m.Inline], parent) -> None:
    if num:
        w.runs(w.ctx.text.numbers(num.label, positional=True), E("span", {"class": "fig-label"}, parent=parent))
        add_text(parent, "\u3000")
    w.para(inlines, parent)


def xref(w, node: m.XRef, parent) -> None:
    """圖3 linked to the figure (the page is print's: an EPUB has none)."""
    num = w.ctx.figures.by_id.get(node.target) if w.ctx.figures else None
    if num is None:       # BB… reported by check: nothing to link to
        return
    target = w.ctx.chapter_file(w.ctx.book.chapters[num.chapter])
    a = E("a", {"href": w.ctx.href(w.doc, target, anchor(num)), "class": "xref"}, parent=parent)
    w.runs(w.ctx.text.numbers(num.label, positional=True), a)
