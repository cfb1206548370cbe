"""Note texts (VT-35): asides at a chapter's end, or all in notes.xhtml.

Each note is `<aside epub:type="footnote" role="doc-footnote" id="fn-…">`
whose first paragraph starts with a `role="doc-backlink"` link to its call.
Only notes that are called are written, so every note is referenced.
"""
from __future__ import annotations

from ... import model as m
from ...transform.notes import chapter_title
from .context import Context
from .document import Doc, new_document
from .elements import E, serialize
from .xhtml import Writer

NOTES_TITLE = "注釋"


def notes_section(ctx: Context, writer: Writer, note_ids: list[str], parent, heading: str = NOTES_TITLE):
    section = E("section", {"class": "notes", "aria-label": heading}, parent=parent)
    writer.runs(heading, E("h2", {"class": "notes-title"}, parent=section))
    for nid in note_ids:
        note_aside(ctx, writer, ctx.book.notes[nid], section)
    return section


def note_aside(ctx: Context, writer: Writer, note: m.Note, parent) -> None:
    aside = E("aside", {"epub:type": "footnote", "role": "doc-footnote",
                        "id": ctx.fn_id(note.id)}, parent=parent)
    home = ctx.book.chapters[ctx.numbers.chapter_of(note.id)]
    back = ctx.href(writer.doc, ctx.chapter_file(home), ctx.nr_id(note.id))
    blocks = list(note.blocks)
    first = blocks.pop(0) if blocks and isinstance(blocks[0], m.Para) else None
    p = E("p", parent=aside)
    a = E("a", {"role": "doc-backlink", "href": back, "class": "note-num"}, parent=p)
    writer.runs(writer.number_text(ctx.numbers.number(note.id)), a)
    a.tail = "\u3000"
    if first is not None:
        writer.para(first.inlines, p)
    writer.blocks(blocks, aside)


def notes_doc(ctx: Context) -> Doc:
    """notes.xhtml for `notes = "book"`: one section per chapter that has notes."""
    file = "text/notes.xhtml"
    html, body = new_document(ctx, file, NOTES_TITLE, "backmatter")
    outer = E("section", {"id": "notes", "aria-labelledby": "notes-title"}, parent=body)
    if ctx.pages:      # the print 注釋 section's first page
        ctx.pages.emit(ctx.pages.section("notes"), file, outer)
    E("h1", {"id": "notes-title"}, parent=outer, text=NOTES_TITLE)
    sections = []
    for ch in ctx.book.chapters:
        ids = ctx.numbers.by_chapter.get(ch.index, [])
        if not ids:
            continue
        title = chapter_title(ctx.book, ch)
        sec = notes_section(ctx, Writer(ctx, file, ch.index), ids, outer, title)
        sec.set("id", f"notes-{ch.id}")
        sections.append((f"notes-{ch.id}", title))
    return Doc(file, NOTES_TITLE, serialize(html), sections, "", "notes")
