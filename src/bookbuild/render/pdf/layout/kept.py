"""Laid-out chapters kept between builds (issue 19: the edit loop).

What `_Engine._chapter` makes of one chapter — its units, broken into the
columns of its flow and of each of its notes, with their BB7xx findings —
depends on that chapter and the notes it numbers, and on what the whole book
lends every chapter: note numbers and chapter labels (見第N章注M), citations
as the style formats them, figure numbers (to a chapter that holds or names
a figure; their pages to one that prints them: 圖三（第52頁）), the edition and
book.toml, the font files that measure Latin runs, and bookbuild's code.
Those are the key (`chapter_key`: the first group is `context`), so an edited
note re-lays out its own chapter only.  Pagination is never kept: it runs over
every chapter again (≈0.2 s), so a chapter that starts on another page is
still right.

Numbers that count through the book are kept relative to the chapter's start
and moved on restore: offsets into the text stream, block ids, and the ids
of .name/.title spans.  A chapter that holds a figure or a table, or whose
units point outside its own stretch of those counters, is not kept.

Records are stored column-wise (a list per unit field, pickled apart and read
only when a column's units are first asked for), which reads back in a
fraction of the time the units take to make; they are pickles of builtins,
`Pos` and `Diagnostic` only, read by `cache.safe_loads`.
"""
from __future__ import annotations

import hashlib
import os
import sys
from array import array
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from .... import model as m
from ....atomic import atomic_path
from ....cache import book_classes, code_stamp, safe_dumps, safe_loads
from ....fonts import find_font, machine_cache
from ....transform.notes import chapter_label
from . import colparts
from . import layout_types as lt

# kept as they are (x_em is the paginator's, set again on every page)
_COLUMN = ("role", "indent_em", "length_em", "spacing_em", "space_extra_em", "glue_extra_em", "size",
           "justified", "first_of_paragraph", "last_of_paragraph", "note_id")
FORMAT = b"bookbuild.kept-chapter/12"


def context(book: m.Book, ed, data, citations, fonts: tuple[str, ...]) -> bytes:
    """What every chapter's layout reads from outside itself (a digest)."""
    h = hashlib.sha256(FORMAT + code_stamp().encode())
    for part in (sys.version, _hyphenation(), repr(ed), repr(book.config), repr(data.numbers), repr(_font_files(fonts)),
                 repr([chapter_label(book, ch.index) for ch in book.chapters])):
        h.update(part.encode() + b"\0")
    if citations is not None:
        h.update(repr(list(citations.rendered.values())).encode())
    else:   # fallback citations print the sources' titles
        h.update(repr(book.sources).encode())
    return h.digest()


def _hyphenation() -> str:
    """pyphen's version: its patterns break the Latin words (hyphenate.py)."""
    import pyphen  # deferred on purpose: 1 ms, and only a pdf build with kept chapters asks
    return getattr(pyphen, "__version__", "?")


def _font_files(families: tuple[str, ...]) -> list:
    """The files that measure Latin runs (textprep.LatinAdvance): path, face, size, mtime."""
    out = []
    for family in families:
        try:
            ref = find_font(family, cache_dir=machine_cache())
            st = os.stat(ref.path)
        except Exception:       # no such font: the layout measures 0.5 em (and check says BB402)
            out.append((family, None))
            continue
        out.append((family, str(ref.path), ref.index, st.st_size, st.st_mtime_ns))
    return out


def chapter_key(ctx: bytes, book: m.Book, ch: m.Chapter, note_ids: list[str], figures, xref_pages: dict) -> str:
    """The chapter, its notes and `ctx`; the figure and table numbers when it holds or
    names one (a repr with `XRef(`, `Figure(` or `Table(`), and their pages when it
    prints one (圖三（第52頁）: `with_page=True`).  An author's text that happens to
    read so only adds them needlessly."""
    h = hashlib.sha256(ctx)
    own = repr(ch) + repr([book.notes[n] for n in note_ids])
    h.update(own.encode())
    if "XRef(" in own or "Figure(" in own or "Table(" in own:
        h.update(repr(figures).encode())
    if "with_page=True" in own:
        h.update(repr(sorted(xref_pages.items())).encode())
    return h.hexdigest()[:40]


# ------------------------------------------------------------ the counters

@dataclass(frozen=True, slots=True)
class Counters:
    """Where the book-wide counters stood (before or after one chapter)."""
    offset: int            # the text stream's length
    parts: int             # its pieces (Stream.parts)
    block: int
    mark: int
    index_marks: int
    diags: int
    titles: int

    @classmethod
    def of(cls, mk, diags: list, titles: dict) -> Counters:
        return cls(mk.stream.n, len(mk.stream.parts), mk._blocks, mk._marks, len(mk.index_marks),
                   len(diags), len(titles))


# ------------------------------------------------------------ record / restore

@dataclass(slots=True)
class Pending:
    """A chapter just laid out, to be kept: the counters around it and its columns.
    Its record is made (`record`) once the book is written, by the process that
    writes layout.json, which makes the columns' layout.json parts anyway."""
    before: Counters
    after: Counters
    flow: int                        # columns[:flow] are the flow, the notes' follow
    notes: list                      # (note id, first column, end column)
    columns: list[lt.Column]
    stream: str
    titles: list
    index_marks: list
    diags: list
    page_refs: bool


def pending(mk, diags: list, titles: dict, before: Counters, flow: list[lt.Column],
            notes: dict[str, list[lt.Column]], page_refs: bool) -> Pending | None:
    """What `record` will need of a chapter just made, or None when it cannot be kept."""
    after = Counters.of(mk, diags, titles)
    columns, spans = list(flow), []
    for nid, cols in notes.items():
        spans.append((nid, len(columns), len(columns) + len(cols)))
        columns += cols
    stream = "".join(mk.stream.parts[before.parts:])
    titles_added = list(titles.items())[before.titles:]
    marks = mk.index_marks[before.index_marks:]
    if len(stream) != after.offset - before.offset \
            or any(not before.block < b <= after.block for b, _ in titles_added) \
            or any(s < before.offset or e > after.offset for _, s, e in marks):
        return None
    return Pending(before, after, len(flow), spans, columns, stream, titles_added, marks,
                   diags[before.diags:], page_refs)


def record(p: Pending, parts_of) -> dict | None:
    """The chapter's record, or None when a column or unit points outside its stretch
    of the book's counters.  `parts_of(column)`: its layout.json parts (colparts)."""
    try:
        rows, units = _rows(p.columns, p.before, p.after)
        fields = _unit_fields(units, p.before, p.after)
        parts = [parts_of(c).fields() for c in p.columns]
        starts = _starts(rows, fields)
    except _NotKept:
        return None
    return {"format": FORMAT, "before": _counts(p.before), "after": _counts(p.after),
            "flow": p.flow, "notes": p.notes, "columns": rows, "units": safe_dumps(fields, book_classes()),
            "parts": safe_dumps(parts, ()),
            "starts": starts,
            "stream": p.stream, "titles": p.titles, "index_marks": p.index_marks, "diags": p.diags,
            "page_refs": p.page_refs}


def _starts(rows: list[tuple], fields: tuple[list, ...]) -> tuple[bytes, bytes]:
    """The offsets where the columns' units with text begin, sorted, and the column of
    each (unitstarts.py), as two arrays; not kept when two units begin at one offset
    (the 索引 would need their pages to choose)."""
    texts, offsets = fields[0], fields[4]
    pairs, i = [], 0
    for col, (n_units, n_foot, hanging, *_) in enumerate(rows):
        pairs += [(o, col) for t, o in zip(texts[i:i + n_units], offsets[i:i + n_units]) if o >= 0 and t]
        i += n_units + n_foot + (1 if hanging else 0)
    pairs.sort()
    if any(a[0] == b[0] for a, b in zip(pairs, pairs[1:])):
        raise _NotKept
    return array("q", [o for o, _ in pairs]).tobytes(), array("l", [c for _, c in pairs]).tobytes()


def _counts(c: Counters) -> tuple[int, int, int]:
    return (c.offset, c.block, c.mark)


class _NotKept(Exception):
    pass


def _rows(columns: list[lt.Column], before: Counters, after: Counters) -> tuple[list[tuple], list[lt.Unit]]:
    """A row per column (its fields, and what a KeptColumn answers without units);
    all units in column order (units, foot, hanging mark)."""
    rows, units = [], []
    for c in columns:
        if c.figure is not None or c.table is not None or (c.block and not before.block < c.block <= after.block):
            raise _NotKept
        units += c.units
        units += c.foot
        if c.hanging is not None:
            units.append(c.hanging)
        notes = {k: u.note_id for k, u in enumerate(c.units) if u.note_id}
        rows.append((len(c.units), len(c.foot), c.hanging is not None, c.block, c.src, c.calls(), notes,
                     c.units_digest(), c.blank_widths(), tuple(getattr(c, f) for f in _COLUMN)))
    return rows, units


_UNIT = attrgetter("text", "kind", "width_em", "anchor", "offset", "flags", "glue_before", "glue_after", "mark",
                   "note_id", "split", "delta")


def _unit_fields(units: list[lt.Unit], before: Counters, after: Counters) -> tuple[list, ...]:
    """The units as a list per field (one pickle of them reads back ~10× faster than units);
    the chapter is not kept when one points outside its stretch of the stream or its .name ids."""
    fields = tuple(map(list, zip(*map(_UNIT, units)))) if units else tuple([] for _ in range(12))
    lo, hi = before.offset, after.offset
    if any(o >= 0 and not lo <= o <= hi for o in fields[4]):
        raise _NotKept
    m0, m1 = before.mark, after.mark
    if any(x and not m0 < x <= m1 for x in fields[8]):
        raise _NotKept
    return fields


def restore(rec: dict, mk, diags: list, titles: dict) -> tuple[list[lt.Column], dict[str, list[lt.Column]]]:
    """Put a kept chapter back: its stream piece appended, counters moved on,
    its columns rebuilt (their units made when first read: `KeptColumn`);
    returns (flow, notes) as `_chapter` makes them."""
    old_offset, old_block, old_mark = rec["before"]
    end_offset, end_block, end_mark = rec["after"]
    d_off = mk.stream.add(rec["stream"]) - old_offset
    d_block, d_mark = mk._blocks - old_block, mk._marks - old_mark
    mk._blocks += end_block - old_block
    mk._marks += end_mark - old_mark
    mk.page_refs = mk.page_refs or rec["page_refs"]
    mk.index_marks += [(p, s + d_off, e + d_off) for p, s, e in rec["index_marks"]]
    diags += rec["diags"]
    for b, v in rec["titles"]:
        titles[b + d_block] = v
    units = _KeptUnits(rec["units"], rec["parts"], rec["starts"], d_off, d_mark)
    columns = _columns(rec["columns"], units, d_block)
    flow = columns[:rec["flow"]]
    return flow, {nid: columns[a:b] for nid, a, b in rec["notes"]}


class _KeptUnits:
    """A kept chapter's unit fields and layout.json parts, each read from its pickle
    when a column first needs them."""

    __slots__ = ("blob", "fields", "parts_blob", "_parts", "starts", "d_off", "d_mark")

    def __init__(self, blob: bytes, parts: bytes, starts: tuple[bytes, bytes], d_off: int, d_mark: int):
        self.blob, self.fields, self.starts, self.d_off, self.d_mark = blob, None, starts, d_off, d_mark
        self.parts_blob, self._parts = parts, None

    def parts(self) -> list:
        """Each column's layout.json parts as recorded (read when layout.json is written)."""
        if self._parts is None:
            self._parts = safe_loads(self.parts_blob, ())
        return self._parts

    def start_index(self) -> tuple[array, array]:
        """Where its units with text begin (as recorded: add d_off), sorted, and their columns."""
        offsets, cols = array("q"), array("l")
        offsets.frombytes(self.starts[0])
        cols.frombytes(self.starts[1])
        return offsets, cols

    def _fields(self) -> tuple:
        if self.fields is None:
            self.fields = safe_loads(self.blob, book_classes())
        return self.fields

    def make(self, i: int, k: int) -> list[lt.Unit]:
        t, kinds, w, anchors, off, fl, gb, ga, mk, nid, sp, de = (f[i:k] for f in self._fields())
        if self.d_off:
            d = self.d_off
            off = [o + d if o >= 0 else o for o in off]
        if self.d_mark:
            d = self.d_mark
            mk = [x + d if x else 0 for x in mk]
        return list(map(lt.Unit, t, kinds, w, anchors, off, fl, gb, ga, mk, nid, sp, de))



_SLOTS = {name: getattr(lt.Column, name) for name in ("units", "foot", "hanging")}


def _lazy(name: str) -> property:
    slot = _SLOTS[name]

    def get(self):
        try:
            return slot.__get__(self)
        except AttributeError:
            self._make_units()
            return slot.__get__(self)
    return property(get, slot.__set__)


class KeptColumn(lt.Column):
    """A restored column: its units, foot and hanging mark are made when first
    read (most pages of an edit rebuild are never drawn, their keys come from
    the record); `calls()`, `note_at()`, `units_digest()`, `blank_widths()`, `kept_parts()`
    and (for the 索引, unitstarts.py) `kept_ref()` answer without making them."""

    __slots__ = ("_units", "_at", "_index", "_calls", "_notes", "_digest", "_blanks", "_d_block")
    units = _lazy("units")
    foot = _lazy("foot")
    hanging = _lazy("hanging")

    def _make_units(self) -> None:
        i, j, k, hanging = self._at
        made = self._units.make(i, k + hanging)
        _SLOTS["units"].__set__(self, made[:j - i])
        _SLOTS["foot"].__set__(self, made[j - i:k - i])
        _SLOTS["hanging"].__set__(self, made[k - i] if hanging else None)

    def calls(self) -> tuple[str, ...]:
        return self._calls

    def note_at(self, k: int) -> str:
        return self._notes.get(k, "")

    def blank_widths(self) -> frozenset[float]:
        return self._blanks

    def kept_parts(self) -> colparts.Parts:
        """What layout.json says of the column (x_em apart), moved to where its chapter is now."""
        return colparts.Parts(*self._units.parts()[self._index]).shifted(self._units.d_off, self._d_block)

    def units_digest(self) -> bytes:
        # kept with the record's .name/.title ids: valid while they did not move
        return self._digest if not self._units.d_mark else super().units_digest()

    def kept_ref(self) -> tuple:
        return (self._units, self._index)


def _columns(rows: list, units: _KeptUnits, d_block: int) -> list[lt.Column]:
    out, i = [], 0
    new = object.__new__
    for index, (n_units, n_foot, hanging, block, src, calls, notes, digest, blanks, fields) in enumerate(rows):
        col = new(KeptColumn)
        col._index = index
        j = i + n_units
        k = j + n_foot
        col._units, col._at, col._calls, col._digest = units, (i, j, k, int(hanging)), calls, digest
        col._notes = notes
        col._blanks, col._d_block = blanks, d_block
        col.block, col.src = (block + d_block if block else 0), src
        col.figure = col.table = None
        col.x_em = 0.0
        for name, value in zip(_COLUMN, fields):
            setattr(col, name, value)
        out.append(col)
        i = k + (1 if hanging else 0)
    return out


# ------------------------------------------------------------ the folder

class KeptChapters:
    """The records of one pdf edition, a file each in `folder` (named by key).
    Read when asked for; `save()` writes the new ones and removes those this
    build did not use (a book keeps one record per chapter)."""

    def __init__(self, folder: Path | None, ctx: bytes):
        self.folder, self.ctx = folder, ctx
        self.used: set[str] = set()
        self.new: dict[str, Pending] = {}

    def get(self, key: str) -> dict | None:
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            rec = safe_loads((self.folder / f"{key}.pickle").read_bytes(), book_classes())
        except Exception:       # absent, damaged or not ours: lay the chapter out again
            return None
        return rec if isinstance(rec, dict) and rec.get("format") == FORMAT else None

    def put(self, key: str, chapter: Pending) -> None:
        self.new[key] = chapter

    def columns(self) -> list[int]:
        """The ids of the columns of the chapters to be kept (layout_json holds their parts)."""
        return [id(c) for chapter in self.new.values() for c in chapter.columns]

    def save(self, parts_of=colparts.parts) -> None:
        """Write the records of the chapters laid out in this build; `parts_of` as `record`'s."""
        if self.folder is None:
            return
        try:
            for key, chapter in self.new.items():
                rec = record(chapter, parts_of)
                if rec is not None:
                    with atomic_path(self.folder / f"{key}.pickle") as tmp:
                        tmp.write_bytes(safe_dumps(rec, book_classes()))
            for old in self.folder.glob("*.pickle"):
                if old.stem not in self.used:
                    old.unlink(missing_ok=True)
        except OSError:
            pass        # a cache: the next build lays these chapters out again
