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
from collections.abc import Iterable
from functools import lru_cache, partial, reduce
from itertools import accumulate, compress
from operator import attrgetter, or_
from pathlib import Path

from . import layout_types as lt
from .pagestarts import page_starts

SCHEMA = "bookbuild.layout/1"

# unit kind -> span kind (units that are spans on their own)
_KIND_SPANS = {lt.TCY: "tcy", lt.SIDEWAYS: "sideways", lt.UPRIGHT: "upright", lt.PAIR: "pair",
               lt.WARICHU: "warichu", lt.CALL: "call"}
# flag -> span kind (runs of units carrying the flag, split where `mark` changes)
_FLAG_SPANS = ((lt.NAME, "name"), (lt.TITLE_WAVY, "title"), (lt.EMPH, "emphasis"),
               (lt.LINK, "link"), (lt.ASIDE, "aside"))
_RUN_FLAGS = reduce(or_, (flag for flag, _ in _FLAG_SPANS))
_KINDS = frozenset(_KIND_SPANS)
_TEXT, _OFFSET, _FLAGS, _KIND = attrgetter("text"), attrgetter("offset"), attrgetter("flags"), attrgetter("kind")


def layout_json(pages, edition) -> dict:
    """The layout as a JSON-ready dict. `pages`: a LayoutResult or a list of Page."""
    head, page_list = _head(pages, edition)
    return {**head, "pages": list(_pages(page_list)), "index": _index(pages)}


def write_layout_json(result: lt.LayoutResult, edition, path: Path) -> None:
    """Write `<edition>.layout.json` (one line: ~11 MB for the stress book):
    json.dumps(layout_json(…)) to the byte, but each page encoded as soon as
    its dict is made.  The whole dict at once held ~100 MB more: fresh memory
    for the forked child that writes it (pdf/__init__.py), a page fault per
    4 KB."""
    dumps = partial(json.dumps, ensure_ascii=False)
    head, page_list = _head(result, edition)
    with path.open("w", encoding="utf-8") as f:
        f.write(dumps(head)[:-1] + ', "pages": [')       # json.dumps' separators: ", " and ": "
        f.write(", ".join(map(dumps, _pages(page_list))))
        f.write('], "index": ' + dumps(_index(result)) + "}")


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


def _pages(page_list: list[lt.Page]):
    for p, start in zip(page_list, page_starts(page_list)):
        yield dict(_page(p), start=start)


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


def _src(pos) -> str | None:
    return None if pos is None else f"{pos.file}:{pos.line}:{pos.col}"


def _page(p: lt.Page) -> dict:
    body = [_Col(c, "body", i) for i, c in enumerate(p.columns)]
    notes = [_Col(c, "notes", i) for i, c in enumerate(p.note_columns)]
    return {
        "number": p.number, "role": p.role, "folio": p.folio, "running_head": p.running_head,
        "chapter": p.chapter, "rule_x_em": p.rule_x_em,
        "body": {"text": "\n".join(c.drawn for c in body), "columns": [c.out for c in body]},
        "notes": {"text": "\n".join(c.drawn for c in notes), "columns": [c.out for c in notes]},
        "spans": [s for c in body for s in c.spans] + [s for c in notes for s in c.spans],
        "outline": [{"title": o.title, "level": o.level, "column": o.column} for o in p.outline],
        "notes_started": list(p.notes_started), "notes_continued": list(p.notes_continued),
        "figures": [_figure(f) for f in p.figures] + _tables(p),
    }


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


class _Col:
    """One column's JSON: its dict (`out`), its text as drawn (`drawn`: with the
    hyphen of a hyphenated word and the foot, Column.text) and its spans.

    Each unit field is read once, by C-level maps over the column: half a
    million units in the stress book, where one Python loop per property
    (text, pieces, hyphen, each flag's runs) was most of the writer's time.
    Columns with no span kind or span flag (most of them) skip the spans'
    loops; columns whose units are one contiguous stretch of the stream skip
    the pieces' loop."""
    __slots__ = ("out", "drawn", "spans")

    def __init__(self, c: lt.Column, area: str, i: int):
        units = c.units
        texts = list(map(_TEXT, units))
        offsets = list(map(_OFFSET, units))
        text = "".join(texts)
        flags = reduce(or_, map(_FLAGS, units), 0)
        hyphen = bool(flags & lt.HYPHEN) and c.hyphenated()
        foot = "".join(map(_TEXT, c.foot))
        self.drawn = (text + "-" if hyphen else text) + foot
        self.spans = _spans(c, area, i, flags) if flags & _RUN_FLAGS or not _KINDS.isdisjoint(map(_KIND, units)) \
            else []
        first = offsets[0] if offsets and offsets[0] >= 0 else next((o for o in offsets if o >= 0), None)
        self.out = {
            "text": text, "foot": foot, "offset": first, "src": _src(c.src),
            "role": c.role, "x_em": _em(c.x_em), "indent_em": _em(c.indent_em),
            "length_em": _em(c.length_em), "size": _em(c.size),
            "justified": c.justified, "spacing_em": _em(c.spacing_em),
            "space_extra_em": _em(c.space_extra_em), "glue_extra_em": _em(c.glue_extra_em),
            "first_of_paragraph": c.first_of_paragraph, "last_of_paragraph": c.last_of_paragraph,
            "block": c.block, "note_id": c.note_id or None,
            "hanging": c.hanging.text if c.hanging else None,
            "hyphen": hyphen,     # a "-" drawn after "text": in the area's text, not in the stream
            "pieces": _pieces(texts, offsets),
        }


def _em(x: float) -> float:
    """round(x, 6), remembered: a book's columns share a few dozen lengths."""
    return _round6(x) if x else x       # zeros as they are: 0.0 and -0.0 are one key


# typed: 1 and 1.0 are one key otherwise, and round keeps the type (JSON 1 vs 1.0)
_round6 = lru_cache(maxsize=4096, typed=True)(lambda x: round(x, 6))


def _pieces(texts: list[str], offsets: list[int]) -> list[list]:
    """Contiguous stretches of the stream that make up the column: [offset, length]."""
    if not offsets:
        return []
    lengths = list(map(len, texts))
    ends = list(accumulate(lengths, initial=offsets[0]))
    if offsets[0] >= 0 and ends[:-1] == offsets:       # one stretch (empty units add nothing)
        return [[offsets[0], ends[-1] - offsets[0]]] if ends[-1] > offsets[0] else []
    out: list[list] = []
    for offset, n in zip(offsets, lengths):
        if offset < 0 or not n:
            continue
        if out and out[-1][0] + out[-1][1] == offset:
            out[-1][1] += n
        else:
            out.append([offset, n])
    return out


def _span(kind, units, area, col, **extra) -> dict:
    u0 = units[0]
    return {"kind": kind, "text": "".join(u.text for u in units), "offset": u0.offset,
            "src": _src(next((u.src for u in units if u.src), None)), "area": area, "column": col,
            **extra}


def _spans(c: lt.Column, area: str, i: int, flags: int) -> list[dict]:
    """The column's spans: units that are spans by their kind, in order, then
    each flag's runs (_FLAG_SPANS order).  The units looked at are picked by
    C-level filters (compress): a column has a few span units among many."""
    units = c.units
    out: list[dict] = []
    for u in compress(units, map(_KINDS.__contains__, map(_KIND, units))):
        kind = _KIND_SPANS[u.kind]
        span = {"kind": kind, "text": u.text, "offset": u.offset, "src": _src(u.src), "area": area, "column": i}
        if kind == "warichu":
            span["split"] = u.split
        elif kind == "call":
            span["note_id"] = u.note_id
        out.append(span)
    for flag, kind in _FLAG_SPANS:
        if not flags & flag:
            continue
        for run in _runs(compress(units, map(flag.__and__, map(_FLAGS, units))), flag):
            extra = {"note_id": run[0].note_id} if flag == lt.LINK else {}
            out.append(_span(kind, run, area, i, **extra))
    return out


def _runs(units: Iterable[lt.Unit], flag: int) -> list[list[lt.Unit]]:
    """Maximal runs of units with `flag`, contiguous in the stream and of one mark."""
    runs: list[list[lt.Unit]] = []
    for u in units:
        if not (u.flags & flag) or u.offset < 0:
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and last.mark == u.mark and last.offset + len(last.text) == u.offset:
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs
