"""參考書目: the cited works from citeproc, grouped 中文 / 日文 / 西文 and
sorted per `bibliography_sort` (transform/citeproc.py did both)."""
from __future__ import annotations

from ...transform.sortkeys import source_group
from .context import Context
from .document import Doc, backmatter_document
from .elements import XML_LANG, E, serialize
from .xhtml import Writer

BIBLIOGRAPHY_TITLE = "參考書目"
FILE = "text/bibliography.xhtml"
_GROUP_LANG = {"日文": "ja"}


def bibliography_doc(ctx: Context) -> Doc:
    html, section = backmatter_document(ctx, FILE, BIBLIOGRAPHY_TITLE, "bibliography", "doc-bibliography",
                                        "bibliography")
    writer = Writer(ctx, FILE, None)
    sections = []
    for n, (group, entries) in enumerate(ctx.cites.bibliography, 1):
        sub = E("section", {"id": f"bib-group-{n}", "aria-labelledby": f"bib-group-{n}-title"},
                parent=section)
        if ctx.pages and entries:   # a print page that begins with this group's heading
            ctx.pages.emit([p for p, first in _pages(ctx, entries[0]) if first], FILE, sub)
        E("h2", {"id": f"bib-group-{n}-title"}, parent=sub, text=group)
        sections.append((f"bib-group-{n}", group))
        ul = E("ul", {"class": "bibliography"}, parent=sub)
        for entry in entries:
            li = E("li", {"epub:type": "biblioentry", "id": f"bib-{n}-{entries.index(entry) + 1}"},
                   parent=ul)
            if ctx.pages:
                ctx.pages.emit([p for p, _ in _pages(ctx, entry)], FILE, li)
            lang = _entry_lang(entry.csl)
            if lang:
                li.set("lang", lang)
                li.set(XML_LANG, lang)
            writer.protected(entry.inlines, li)
    return Doc(FILE, BIBLIOGRAPHY_TITLE, serialize(html), sections, "bibliography", "bibliography")


def _pages(ctx: Context, entry) -> list[tuple[int, bool]]:
    """Print pages that begin inside this entry (block starts at its source)."""
    src = ctx.book.sources.get(entry.key)
    return ctx.pages.block(src.pos) if src else []


def _entry_lang(csl: dict) -> str:
    group = source_group(csl)
    if group == "西文":
        return str(csl.get("language") or "en")
    return _GROUP_LANG.get(group, "")
