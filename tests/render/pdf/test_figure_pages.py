"""The paginator's figure placement at the layout level (PRINT-ENGINE.md §10), on random books.

No drawing: layout_book alone, many seeds.  Invariants: every figure on
exactly one page, in the order of the text; no page holds more grid slots
than it has (columns, figure slots and the note band together); no text is
lost or repeated around a figure that waits; a plate's page holds nothing
but its figure and caption.
"""
from __future__ import annotations

import io
import random
from dataclasses import replace

import pytest
from PIL import Image

from bookbuild import model as m
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.render.pdf.layout.engine import layout_book
from bookbuild.render.pdf.layout.textprep import fixed_advance
from bookbuild.transform.build_data import prepare
from helpers.model import model_book, random_text, ref

SIZES = [(40, 40), (120, 300), (400, 200), (300, 300), (1200, 1700), (600, 120), (90, 240)]


HORIZONTAL = {"writing": "horizontal", "chars_per_column": 30, "columns_per_page": 24,
              "note_chars_per_column": 36, "margin_head": 25, "margin_gutter": 20}


def _book(tmp_path, seed: int, **edition):
    rnd = random.Random(seed)
    for i, (w, h) in enumerate(SIZES):
        buf = io.BytesIO()
        Image.new("RGB", (w, h), "white").save(buf, "PNG")
        (tmp_path / f"f{i}.png").write_bytes(buf.getvalue())
    notes, chapters, n = {}, [], 0
    for k in range(2):
        blocks = []
        for i in range(30):
            pos = m.Pos(f"manuscript/{k + 1:02d}.md", i * 3 + 2, 1)
            inl = [m.Text(random_text(rnd, rnd.randint(20, 300)), pos)]
            if rnd.random() < 0.3:
                nid = f"n{k}-{i}"
                notes[nid] = random_text(rnd, rnd.randint(20, 200))
                inl += [ref(nid), m.Text("。")]
            blocks.append(m.Para(inl, pos))
            if rnd.random() < 0.5:
                n += 1
                fpos = m.Pos(pos.file, pos.line + 1, 1)
                img = m.Image(f"f{rnd.randrange(len(SIZES))}.png", [], fpos)
                classes = ("plate",) if rnd.random() < 0.1 else ()
                caption = [m.Text(random_text(rnd, rnd.randint(2, 60)), fpos)]
                if rnd.random() < 0.3:                  # a caption may call a note too
                    nid = f"c{k}-{i}"
                    notes[nid] = random_text(rnd, rnd.randint(20, 200))
                    caption += [ref(nid)]
                blocks.append(m.Figure(img, caption, f"fig-{n}", classes, {}, fpos))
        chapters.append(blocks)
    book = model_book(chapters, note_texts=notes, notes="page", **edition)
    return replace(book, root=tmp_path)


@pytest.mark.parametrize("seed,writing", [(s, "vertical") for s in range(5)] + [(s, "horizontal") for s in range(3)])
def test_figures_on_the_grid_in_order_nothing_lost(tmp_path, seed, writing):
    book = _book(tmp_path, seed, **(HORIZONTAL if writing == "horizontal" else {}))
    ed = book.config.edition("print")
    result, diags = layout_book(book, ed, prepare(book), advance=fixed_advance(0.5))
    assert not [d for d in diags if d.severity == "error"], diags
    geo = result.geometry
    placed = [(p.number, f) for p in result.pages for f in p.figures]
    ids = [f.id for _, f in placed]
    want = [f"fig-{i}" for i in range(1, len(ids) + 1)]
    assert sorted(ids, key=lambda s: int(s[4:])) == want, "each figure once"
    assert ids == want, "in the order of the text"
    for p in result.pages:
        slots = sum(f.slots for f in p.figures) + sum(1 for c in p.columns if not any(
            c in f.caption for f in p.figures)) + sum(1 for c in p.columns if c.role == lt.HEADING[1])
        assert slots <= geo.columns, p.number
        if p.note_columns:
            assert geo.max_note_columns(slots) >= len(p.note_columns), p.number
        if p.role == lt.PAGE_PLATE:
            assert len(p.figures) == 1 and p.columns == p.figures[0].caption
        elif writing == "horizontal":     # at the head (carried over) or the foot, never between lines
            lines = [c.x_em for c in p.columns if not any(c in f.caption for f in p.figures)]
            for f in p.figures:
                assert not lines or f.x_em < min(lines) or f.x_em > max(lines), p.number
    seen = [0] * len(result.text)
    for p in result.pages:
        for c in p.columns + p.note_columns:
            for u in c.units + c.foot:
                for i in range(u.offset, u.offset + len(u.text)):
                    seen[i] += 1
    assert max(seen) <= 1, "no text twice"
    lost = [i for i, ch in enumerate(result.text) if ch.strip() and not seen[i]]
    assert not lost, result.text[lost[0] - 5:lost[0] + 5]
