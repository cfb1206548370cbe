"""索引: text/index.xhtml in the EPUB Indexes markup.

`section epub:type="index"` with one `index-group` per reading group
(pinyin initial, zhuyin symbol or stroke count), an `index-entry-list` of
`index-entry` items: the `index-term`, then one `index-locator` link per
place.  The writer gave every indexed span its occurrence id (xhtml.py
`index_target`), so each link lands on the span itself.

A locator reads as the print page (from the `page_source` edition's
layout) when there is one, else as the chapter (第三章, 〈後記〉); places
with the same label share one link (the first).
"""
from __future__ import annotations

from ...transform.bookindex import Entry
from .context import Context
from .document import Doc, backmatter_document
from .elements import E, add_text, serialize
from .xhtml import Writer

INDEX_TITLE = "索引"
FILE = "text/index.xhtml"
ENTRY_GAP = "\u3000"
SEPARATOR = "、"


def index_doc(ctx: Context) -> Doc:
    html, section = backmatter_document(ctx, FILE, INDEX_TITLE, "index", "doc-index", "index")
    writer = Writer(ctx, FILE, None)
    for n, (group, entries) in enumerate(ctx.index.groups(), 1):
        rows = [(e, _locators(ctx, e)) for e in entries]
        rows = [(e, locs) for e, locs in rows if locs]
        if not rows:
            continue
        sub = E("section", {"epub:type": "index-group", "id": f"ix-group-{n}",
                            "aria-labelledby": f"ix-group-{n}-title"}, parent=section)
        if ctx.pages:      # a print page that begins with this group's heading
            ctx.pages.emit([p for p, first in _pages(ctx, rows[0][0]) if first], FILE, sub)
        # through runs(): a pinyin initial stands upright in a vertical edition
        writer.runs(group, E("h2", {"id": f"ix-group-{n}-title"}, parent=sub))
        ul = E("ul", {"epub:type": "index-entry-list", "class": "index"}, parent=sub)
        for entry, locators in rows:
            _entry(ctx, writer, entry, locators, E("li", {"epub:type": "index-entry"}, parent=ul))
    # The letter groups stay out of the table of contents (too many, too small).
    return Doc(FILE, INDEX_TITLE, serialize(html), [], "index", "index")


def _entry(ctx: Context, writer: Writer, entry: Entry, locators, li) -> None:
    if ctx.pages:
        ctx.pages.emit([p for p, _ in _pages(ctx, entry)], FILE, li)
    writer.runs(entry.text, E("span", {"epub:type": "index-term"}, parent=li))
    add_text(li, ENTRY_GAP)
    for i, (label, file, ident) in enumerate(locators):
        if i:
            add_text(li, SEPARATOR)
        a = E("a", {"epub:type": "index-locator", "href": ctx.href(FILE, file, ident)}, parent=li)
        writer.runs(label, a)


def _locators(ctx: Context, entry: Entry) -> list[tuple[str, str, str]]:
    """(label, package file, id) of each place the entry is found, one per label."""
    out, seen = [], set()
    for occ in entry.occurrences:
        file = ctx.index_files.get(occ.id)
        if file is None:         # not in this edition's text
            continue
        page = ctx.pages.occurrence_page(occ.pos) if ctx.pages else None
        label = str(page) if page is not None else ctx.chapter_label(occ.chapter)
        if label not in seen:
            seen.add(label)
            out.append((label, file, occ.id))
    if ctx.pages:            # page order, as in print
        out.sort(key=lambda loc: int(loc[0]) if loc[0].isdigit() else 0)
    return out


def _pages(ctx: Context, entry: Entry) -> list[tuple[int, bool]]:
    """Print pages that begin inside this entry (the print entry's source is its
    first occurrence)."""
    return ctx.pages.block(entry.occurrences[0].pos)
