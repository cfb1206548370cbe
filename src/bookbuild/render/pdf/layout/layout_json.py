"""`<edition>.layout.json`: what the layout put where (schema "bookbuild.layout/1").

Tests use it to know what *should* be on each page (expected text, including
generated brackets, 《》, note numbers and 見第N章注M) and never for
positions, which come from the PDF.  Every span carries the author's
file:line:col (null for generated text) and an offset into `text`, the
edition's normalized text stream: `text[offset:offset + len(span.text)] ==
span.text` for every column, span and unit listed.  A column whose last
word is hyphenated (VT-12a) has "hyphen": true: the "-" drawn after it is
in the page's body/notes "text" (what the PDF text layer holds) but not in
the column's "text" nor in the stream, which keep the word whole.

Each page also says where it begins in the author's text ("start",
pagestarts.py: what an EPUB edition's page-list is built from), and "index"
lists the 索引 as printed with the page of every occurrence (by the span's
file:line:col).
"""
from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from . import layout_types as lt
from .colparts import Parts, parts
from .colparts import src_text as _src
from .kept import KeptColumn
from .pagestarts import page_starts

SCHEMA = "bookbuild.layout/1"


def layout_json(pages, edition) -> dict:
    """The layout as a JSON-ready dict. `pages`: a LayoutResult or a list of Page."""
    head, page_list = _head(pages, edition)
    return {**head, "pages": list(_pages(page_list, {})), "index": _index(pages)}


def write_layout_json(result: lt.LayoutResult, edition, path: Path) -> None:
    """Write `<edition>.layout.json` (one line: ~11 MB for the stress book):
    json.dumps(layout_json(…)) to the byte, but each page encoded as soon as
    its dict is made.  The whole dict at once held ~100 MB more: fresh memory
    for the forked child that writes it (pdf/__init__.py), a page fault per
    4 KB.  Then the chapters laid out in this build are kept (kept.py), with
    the columns' parts just made."""
    dumps = partial(json.dumps, ensure_ascii=False)
    head, page_list = _head(result, edition)
    # the parts of the columns whose chapter is to be kept, by id (the others are not held)
    memo: dict[int, Parts | None] = dict.fromkeys(result.kept.columns() if result.kept is not None else ())
    with path.open("w", encoding="utf-8") as f:
        f.write(dumps(head)[:-1] + ', "pages": [')       # json.dumps' separators: ", " and ": "
        f.write(", ".join(map(dumps, _pages(page_list, memo))))
        f.write('], "index": ' + dumps(_index(result)) + "}")
    if result.kept is not None:
        result.kept.save(lambda c: memo.get(id(c)) or parts(c))


def _head(pages, edition) -> tuple[dict, list[lt.Page]]:
    """The document's fields before "pages", and the pages."""
    text = getattr(pages, "text", None)
    page_list = list(pages)
    if text is None:
        text = rebuild_text(page_list)
    geo = lt.Geometry.of(edition)
    return {
        "schema": SCHEMA,
        "edition": edition.name,
        "writing": edition.writing,
        "language": edition.language,
        "numerals": edition.numerals,
        "notes": edition.notes,
        "geometry": {"font_size_pt": geo.font_size_pt, "chars_per_column": geo.chars,
                     "columns_per_page": geo.columns, "pitch_em": geo.pitch_em, "gap_em": geo.gap_em,
                     "note_size_em": geo.note_size, "note_pitch_em": geo.note_pitch_em,
                     "note_chars_per_column": geo.note_chars, "type_area_width_em": geo.width_em},
        "text": text,
    }, page_list


def _pages(page_list: list[lt.Page], memo: dict):
    for p, start in zip(page_list, page_starts(page_list)):
        yield dict(_page(p, memo), start=start)


def _index(result) -> dict:
    """索引 as printed: entries with their pages, and the page of every occurrence."""
    entries = getattr(result, "index_entries", [])
    where = getattr(result, "index_pages", {})
    return {"entries": [{"group": g, "entry": e, "pages": p} for g, e, p in entries],
            "occurrences": [{"src": _src(pos), "page": n} for pos, n in where.items()]}


def rebuild_text(pages: list[lt.Page]) -> str:
    """A text stream consistent with every unit's offset (gaps become newlines)."""
    units = [u for p in pages for c in p.columns + p.note_columns
             for u in _all_units(c) if u.offset >= 0]
    size = max((u.offset + len(u.text) for u in units), default=0)
    buf = ["\n"] * size
    for u in units:
        buf[u.offset:u.offset + len(u.text)] = list(u.text)
    return "".join(buf)


def _all_units(col: lt.Column) -> list[lt.Unit]:
    return col.units + col.foot


def _page(p: lt.Page, memo: dict) -> dict:
    body = [column_parts(c, memo) for c in p.columns]
    notes = [column_parts(c, memo) for c in p.note_columns]
    return {
        "number": p.number, "role": p.role, "folio": p.folio, "running_head": p.running_head,
        "chapter": p.chapter, "rule_x_em": p.rule_x_em,
        "body": {"text": "\n".join(x.text for x in body),
                 "columns": [x.column(c.x_em) for x, c in zip(body, p.columns)]},
        "notes": {"text": "\n".join(x.text for x in notes),
                  "columns": [x.column(c.x_em) for x, c in zip(notes, p.note_columns)]},
        "spans": _spans(body, "body") + _spans(notes, "notes"),
        "outline": [{"title": o.title, "level": o.level, "column": o.column} for o in p.outline],
        "notes_started": list(p.notes_started), "notes_continued": list(p.notes_continued),
        "figures": [_figure(f) for f in p.figures] + _tables(p),
    }


def column_parts(c: lt.Column, memo: dict) -> Parts:
    """A restored column's kept parts (kept.py), or the column's own (into `memo`
    when it asks for them)."""
    if isinstance(c, KeptColumn):
        return c.kept_parts()
    made = parts(c)
    if id(c) in memo:
        memo[id(c)] = made
    return made


def _spans(columns: list[Parts], area: str) -> list[dict]:
    return [d for i, x in enumerate(columns) for d in x.span_dicts(area, i)]


def _figure(f: lt.Placed) -> dict:
    """A figure with its box in grid em: `across` from the type area's start
    edge (P right of a vertical page, top of a horizontal one), `along` from
    the column head; the caption is the page's columns listed in `caption`."""
    return {"kind": f.kind, "id": f.id or None, "label": f.label, "src": _src(f.src), "image": f.file,
            "placement": "plate" if f.plate else "columns", "turned": f.turned, "slots": f.slots,
            "box": {"across_em": round(f.x_em, 6), "across_size_em": round(f.across_em, 6),
                    "along_size_em": round(f.along_em, 6), "image_slots": f.image_slots},
            "caption": "".join(c.text() for c in f.caption), "text": f.text}


def _tables(p: lt.Page) -> list[dict]:
    """Each table (or the part of one) on the page: its row columns."""
    out: list[dict] = []
    for i, c in enumerate(p.columns):
        if c.table is None:
            continue
        if out and out[-1]["_grid"] is c.table and out[-1]["columns"][-1] == i - 1:
            out[-1]["columns"].append(i)
            continue
        out.append({"_grid": c.table, "kind": "table", "id": c.table.id or None, "label": c.table.label,
                    "src": _src(c.table.src), "columns": [i], "segments": list(c.table.segments)})
    for t in out:
        t.pop("_grid")
    return out
