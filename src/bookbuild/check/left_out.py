"""BB407: content that reaches some editions and not others, said where it is.

The pdf renderer sets text only: it does not draw a chapter's or a note's
images (render/pdf/layout/units.py), while the EPUBs carry them.  A caption
(`![caption](file)` alone in its paragraph) is text and reaches every edition.
"""
from __future__ import annotations

from .. import model as m
from ..diagnostics import Diagnostic, diag


def check_left_out(book: m.Book) -> list[Diagnostic]:
    pdfs = [e.name for e in book.config.editions if e.format == "pdf"]
    if not pdfs:
        return []
    out = []
    for blocks, title, file in ([(ch.blocks, ch.title, ch.file) for ch in book.chapters]
                                + [(n.blocks, [], n.pos.file) for n in book.notes.values()]):
        for node in [*m.walk_inlines(title), *m.walk_blocks_inlines(blocks)]:
            if isinstance(node, m.Image):
                out.append(diag("BB407", node.pos or m.Pos(file, 1, 1),
                                f"image {node.src} is not drawn in the pdf edition "
                                f"{', '.join(pdfs)} (the EPUB editions show it)",
                                "say in the text or a caption what it shows: every edition prints those"))
    return out
