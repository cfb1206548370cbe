"""BB407: content that reaches some editions and not others, said where it is.

A figure (an image alone in its paragraph, `![caption](file)`) is drawn by
every edition, the pdf ones included (render/pdf/layout/figures.py).  An
image inside running text is not: the print layout sets it as nothing (a
line of text has no room for a picture), while the EPUBs carry it.
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
        drawn = {id(f.image) for f in _figures(blocks)}
        for node in [*m.walk_inlines(title), *m.walk_blocks_inlines(blocks)]:
            if isinstance(node, m.Image) and id(node) not in drawn:
                out.append(diag("BB407", node.pos or m.Pos(file, 1, 1),
                                f"image {node.src} inside running text is not drawn in the pdf edition "
                                f"{', '.join(pdfs)} (the EPUB editions show it)",
                                "put the image alone in its paragraph with a caption: a figure is "
                                "drawn in every edition"))
    return out


def _figures(blocks: list[m.Block]):
    """Every Figure block, inside quotes and lists too."""
    for b in blocks:
        if isinstance(b, m.Figure):
            yield b
        elif isinstance(b, m.BlockQuote):
            yield from _figures(b.blocks)
        elif isinstance(b, m.ListBlock):
            for item in b.items:
                yield from _figures(item)
