"""Note texts (VT-35): endnote lists at a chapter's end, or all in notes.xhtml.

The markup (docs/EPUB-NOTES.md): `<section epub:type="endnotes"
role="doc-endnotes">` holding an `<ol>` of `<li epub:type="endnote"
id="fn-…">` — visible in the reading flow of every reading system (Apple Books
and Readium hide `aside` footnotes), still a pop-up where the system has them.
A note's first paragraph starts with its number, a `role="doc-backlink"` link
to its call; a note called more than once has one back-link per call (a b c).
Only notes that are called are written, so every note is referenced.
"""
from __future__ import annotations

from string import ascii_lowercase

from ... import model as m
from ...transform.notes import chapter_title
from .context import Context
from .document import Doc, new_document
from .elements import E, serialize
from .xhtml import Writer

NOTES_TITLE = "注釋"


def notes_section(ctx: Context, writer: Writer, note_ids: list[str], parent, heading: str = NOTES_TITLE,
                  endnotes: bool = True):
    """A heading and the list of notes; `endnotes`: this section is the
    collection (a chapter's end), not a part of notes.xhtml's."""
    attrs = {"class": "notes", "aria-label": heading}
    if endnotes:
        attrs.update({"epub:type": "endnotes", "role": "doc-endnotes"})
    section = E("section", attrs, parent=parent)
    writer.runs(heading, E("h2", {"class": "notes-title"}, parent=section))
    ol = E("ol", {"class": "notes-list"}, parent=section)
    for nid in note_ids:
        note_item(ctx, writer, ctx.book.notes[nid], ol)
    return section


def note_item(ctx: Context, writer: Writer, note: m.Note, parent) -> None:
    li = E("li", {"epub:type": "endnote", "id": ctx.fn_id(note.id)}, parent=parent)
    blocks = list(note.blocks)
    first = blocks.pop(0) if blocks and isinstance(blocks[0], m.Para) else None
    p = E("p", parent=li)
    backlinks(ctx, writer, note.id, p)
    if first is not None:
        writer.para(first.inlines, p)
    writer.blocks(blocks, li)


def backlinks(ctx: Context, writer: Writer, note_id: str, p) -> None:
    """The number links back to the one call; with several calls the number
    is plain and each call gets its own link, a b c, as print references do."""
    calls = ctx.calls.get(note_id) or [(ctx.note_file(note_id), ctx.nr_id(note_id))]
    number = writer.number_text(ctx.numbers.number(note_id))
    if len(calls) == 1:
        file, call = calls[0]
        a = E("a", {"role": "doc-backlink", "href": ctx.href(writer.doc, file, call), "class": "note-num"},
              parent=p)
        writer.runs(number, a)
        a.tail = "\u3000"
        return
    num = E("span", {"class": "note-num"}, parent=p)
    writer.runs(number, num)
    links = E("span", {"class": "backlinks"}, parent=p)
    for k, (file, call) in enumerate(calls):
        label = ascii_lowercase[k] if k < len(ascii_lowercase) else str(k + 1)
        a = E("a", {"role": "doc-backlink", "href": ctx.href(writer.doc, file, call)}, parent=links)
        a.text = label
        a.tail = " " if k + 1 < len(calls) else None
    links.tail = "\u3000"


def notes_doc(ctx: Context) -> Doc:
    """notes.xhtml for `notes = "book"`: one section per chapter that has notes."""
    file = "text/notes.xhtml"
    html, body = new_document(ctx, file, NOTES_TITLE, "backmatter")
    outer = E("section", {"id": "notes", "aria-labelledby": "notes-title", "epub:type": "endnotes",
                          "role": "doc-endnotes"}, parent=body)
    if ctx.pages:      # the print 注釋 section's first page
        ctx.pages.emit(ctx.pages.section("notes"), file, outer)
    E("h1", {"id": "notes-title"}, parent=outer, text=NOTES_TITLE)
    sections = []
    for ch in ctx.book.chapters:
        ids = ctx.numbers.by_chapter.get(ch.index, [])
        if not ids:
            continue
        title = chapter_title(ctx.book, ch)
        sec = notes_section(ctx, Writer(ctx, file, ch.index), ids, outer, title, endnotes=False)
        sec.set("id", f"notes-{ch.id}")
        sections.append((f"notes-{ch.id}", title))
    return Doc(file, NOTES_TITLE, serialize(html), sections, "", "notes")
