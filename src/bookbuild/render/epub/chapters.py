"""One XHTML document per chapter (book.toml order), notes at its end when
`notes = "chapter"`."""
from __future__ import annotations

from ... import model as m
from ...transform.notes import chapter_title, wants_label
from .context import Context
from .document import Doc, new_document
from .elements import EPUB_TYPE, E, serialize
from .notes import notes_section
from .xhtml import Writer

_BODY_TYPE = {"front": "frontmatter", "body": "bodymatter", "back": "backmatter"}


def chapter_doc(ctx: Context, ch: m.Chapter) -> Doc:
    file = ctx.chapter_file(ch)
    title = chapter_title(ctx.book, ch)     # as the nav shows it: 第N章　title for body chapters
    html, body = new_document(ctx, file, title, _BODY_TYPE[ch.kind])
    section = E("section", {"id": ch.id, "aria-labelledby": f"{ch.id}-title"}, parent=body)
    if ch.kind == "body":
        section.set(EPUB_TYPE, "chapter")
        section.set("role", "doc-chapter")
    writer = Writer(ctx, file, ch.index)
    if ctx.pages:      # print pages that open on this chapter's heading, or have no source
        ctx.pages.emit(ctx.pages.section(f"chapter:{ch.index}") + _heading_pages(ctx, ch), file, section)
    h1 = E("h1", {"id": f"{ch.id}-title"}, parent=section)
    ctx.remember(file, ch.id, m.Pos(ch.file, 1, 1))     # the document as a whole: its file
    ctx.remember(file, h1.get("id"), _title_pos(ch))
    if wants_label(ch):
        label = E("span", {"class": "chapter-label"}, parent=h1)
        writer.runs(ctx.chapter_label(ch.index), label)
        label.tail = "\u3000" if ch.title else None
    writer.para(ch.title, h1)
    writer.blocks(ch.blocks, section)
    if not ctx.book_notes:
        ids = ctx.numbers.by_chapter.get(ch.index, [])
        if ids:
            notes_section(ctx, Writer(ctx, file, ch.index), ids, body)
    return Doc(file, title, serialize(html), writer.headings,
               "bodymatter" if ch.kind == "body" else "", ch.id)


def _title_pos(ch: m.Chapter) -> m.Pos | None:
    return next((n.pos for n in m.walk_inlines(ch.title) if isinstance(n, m.Text) and n.pos), None)


def _heading_pages(ctx: Context, ch: m.Chapter) -> list[int]:
    """Pages that begin with this chapter's heading after a generated 第N章: the
    marker goes before the heading, where the reader sees the label as in print."""
    first = next((n for n in m.walk_inlines(ch.title) if isinstance(n, m.Text) and n.pos), None)
    return ctx.pages.heading(first.pos) if first else []
