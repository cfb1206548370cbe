"""Laid-out chapters kept between builds (issue 19: the edit loop).

What `_Engine._chapter` makes of one chapter — its units, broken into the
columns of its flow and of each of its notes, with their BB7xx findings —
depends on that chapter and the notes it numbers, and on what the whole book
lends every chapter: note numbers and chapter labels (見第N章注M), citations
as the style formats them, figure numbers and pages, the edition and
book.toml, the font files that measure Latin runs, and bookbuild's code.
Those are the key (`chapter_key`: the first group is `context`), so an edited
note re-lays out its own chapter only.  Pagination is never kept: it runs over
every chapter again (≈0.2 s), so a chapter that starts on another page is
still right.

Numbers that count through the book are kept relative to the chapter's start
and moved on restore: offsets into the text stream, block ids, and the ids
of .name/.title spans.  A chapter that holds a figure or a table, or whose
units point outside its own stretch of those counters, is not kept.

Records are stored column-wise (a list per unit field), which reads back in
a fraction of the time the units take to make; they are pickles of builtins,
`Pos` and `Diagnostic` only, read by `cache.safe_loads`.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .... import model as m
from ....atomic import atomic_path
from ....cache import book_classes, code_stamp, safe_dumps, safe_loads
from ....fonts import find_font, machine_cache
from ....transform.notes import chapter_label
from . import colparts
from . import layout_types as lt

_COLUMN = ("role", "indent_em", "length_em", "spacing_em", "space_extra_em", "glue_extra_em", "size",
           "justified", "first_of_paragraph", "last_of_paragraph", "x_em", "note_id")
FORMAT = b"bookbuild.kept-chapter/5"


def context(book: m.Book, ed, data, citations, xref_pages: dict, fonts: tuple[str, ...]) -> bytes:
    """What every chapter's layout reads from outside itself (a digest)."""
    h = hashlib.sha256(FORMAT + code_stamp().encode())
    for part in (repr(ed), repr(book.config), repr(data.numbers), repr(data.figures),
                 repr(sorted(xref_pages.items())), repr(_font_files(fonts)),
                 repr([chapter_label(book, ch.index) for ch in book.chapters])):
        h.update(part.encode() + b"\0")
    if citations is not None:
        h.update(repr(list(citations.rendered.values())).encode())
    else:   # fallback citations print the sources' titles
        h.update(repr(book.sources).encode())
    return h.digest()


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


def chapter_key(ctx: bytes, book: m.Book, ch: m.Chapter, note_ids: list[str]) -> str:
    h = hashlib.sha256(ctx)
    h.update(repr(ch).encode())
    h.update(repr([book.notes[n] for n in note_ids]).encode())
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

def record(mk, diags: list, titles: dict, before: Counters, flow: list[lt.Column],
           notes: dict[str, list[lt.Column]], page_refs: bool) -> dict | None:
    """One chapter's columns and side effects as a record, or None when it cannot be kept."""
    after = Counters.of(mk, diags, titles)
    columns = list(flow)
    spans = []
    for nid, cols in notes.items():
        spans.append((nid, len(columns), len(columns) + len(cols)))
        columns += cols
    table = _Table(before, after)
    try:
        cols = [table.column(c) for c in columns]
    except _NotKept:
        return None
    stream = "".join(mk.stream.parts[before.parts:])
    if len(stream) != after.offset - before.offset:
        return None
    titles_added = list(titles.items())[before.titles:]
    if any(not before.block < b <= after.block for b, _ in titles_added):
        return None
    marks = mk.index_marks[before.index_marks:]
    if any(s < before.offset or e > after.offset for _, s, e in marks):
        return None
    return {"format": FORMAT, "before": _counts(before), "after": _counts(after),
            "flow": len(flow), "notes": spans, "columns": cols, "units": safe_dumps(table.units, ()),
            "positions": table.positions, "stream": stream, "titles": titles_added,
            "index_marks": marks, "diags": diags[before.diags:], "page_refs": page_refs}


def _counts(c: Counters) -> tuple[int, int, int]:
    return (c.offset, c.block, c.mark)


class _NotKept(Exception):
    pass


class _Table:
    """Columns and units as lists of fields, counters made relative to the chapter."""

    def __init__(self, before: Counters, after: Counters):
        self.before, self.after = before, after
        self.units: tuple[list, ...] = tuple([] for _ in range(12))
        self.positions: list = [None]
        self._pos_index: dict = {None: 0}

    def pos(self, p) -> int:
        i = self._pos_index.get(p)
        if i is None:
            i = self._pos_index[p] = len(self.positions)
            self.positions.append(p)
        return i

    def column(self, c: lt.Column) -> tuple:
        if c.figure is not None or c.table is not None:
            raise _NotKept
        b, a = self.before, self.after
        if c.block and not b.block < c.block <= a.block:
            raise _NotKept
        for u in c.units:
            self.unit(u)
        for u in c.foot:
            self.unit(u)
        if c.hanging is not None:
            self.unit(c.hanging)
        return (len(c.units), len(c.foot), c.hanging is not None, c.block, self.pos(c.src), c.calls(),
                c.units_digest(), c.blank_widths(), colparts.parts(c).fields(), tuple(getattr(c, f) for f in _COLUMN))

    def unit(self, u: lt.Unit) -> None:
        b, a = self.before, self.after
        if u.offset >= 0 and not b.offset <= u.offset <= a.offset:
            raise _NotKept
        if u.mark and not b.mark < u.mark <= a.mark:
            raise _NotKept
        t, k, w, anc, off, fl, gb, ga, mk, nid, sp, de = self.units
        t.append(u.text)
        k.append(u.kind)
        w.append(u.width_em)
        anc.append(self.pos(u.anchor))
        off.append(u.offset)
        fl.append(u.flags)
        gb.append(u.glue_before)
        ga.append(u.glue_after)
        mk.append(u.mark)
        nid.append(u.note_id)
        sp.append(u.split)
        de.append(u.delta)


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
    units = _KeptUnits(rec["units"], rec["positions"], d_off, d_mark)
    columns = _columns(rec["columns"], units, rec["positions"], d_block)
    flow = columns[:rec["flow"]]
    return flow, {nid: columns[a:b] for nid, a, b in rec["notes"]}


class _KeptUnits:
    """A kept chapter's unit fields, read from their pickle when a column first needs them."""

    __slots__ = ("blob", "fields", "positions", "d_off", "d_mark")

    def __init__(self, blob: bytes, positions: list, d_off: int, d_mark: int):
        self.blob, self.fields, self.positions, self.d_off, self.d_mark = blob, None, positions, d_off, d_mark

    def _fields(self) -> tuple:
        if self.fields is None:
            self.fields = safe_loads(self.blob, ())
        return self.fields

    def make(self, i: int, k: int) -> list[lt.Unit]:
        t, kinds, w, anc, off, fl, gb, ga, mk, nid, sp, de = (f[i:k] for f in self._fields())
        anchors = list(map(self.positions.__getitem__, anc))
        if self.d_off:
            d = self.d_off
            off = [o + d if o >= 0 else o for o in off]
        if self.d_mark:
            d = self.d_mark
            mk = [x + d if x else 0 for x in mk]
        return list(map(lt.Unit, t, kinds, w, anchors, off, fl, gb, ga, mk, nid, sp, de))

    def starts(self, i: int, j: int) -> list[int]:
        fields = self._fields()
        d = self.d_off
        return [o + d for t, o in zip(fields[0][i:j], fields[4][i:j]) if o >= 0 and t]


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
    the record); `calls()` and `text_starts()` answer without making them."""

    __slots__ = ("_units", "_at", "_calls", "_digest", "_blanks", "_parts", "_d_block")
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

    def blank_widths(self) -> frozenset[float]:
        return self._blanks

    def kept_parts(self) -> colparts.Parts:
        """What layout.json says of the column (x_em apart), moved to where its chapter is now."""
        return colparts.Parts(*self._parts).shifted(self._units.d_off, self._d_block)

    def units_digest(self) -> bytes:
        # kept with the record's .name/.title ids: valid while they did not move
        return self._digest if not self._units.d_mark else super().units_digest()

    def text_starts(self) -> list[int]:
        i, j, k, _ = self._at
        return self._units.starts(i, j)


def _columns(rows: list, units: _KeptUnits, positions: list, d_block: int) -> list[lt.Column]:
    out, i = [], 0
    new = object.__new__
    for n_units, n_foot, hanging, block, src, calls, digest, blanks, parts, fields in rows:
        col = new(KeptColumn)
        j = i + n_units
        k = j + n_foot
        col._units, col._at, col._calls, col._digest = units, (i, j, k, int(hanging)), calls, digest
        col._blanks, col._parts, col._d_block = blanks, parts, d_block
        col.block, col.src = (block + d_block if block else 0), positions[src]
        col.figure = col.table = None
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
        self.new: dict[str, dict] = {}

    def get(self, key: str) -> dict | None:
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            rec = safe_loads((self.folder / f"{key}.pickle").read_bytes(), book_classes())
        except Exception:       # absent, damaged or not ours: lay the chapter out again
            return None
        return rec if isinstance(rec, dict) and rec.get("format") == FORMAT else None

    def put(self, key: str, rec: dict) -> None:
        self.new[key] = rec

    def save(self) -> None:
        if self.folder is None:
            return
        try:
            for key, rec in self.new.items():
                with atomic_path(self.folder / f"{key}.pickle") as tmp:
                    tmp.write_bytes(safe_dumps(rec, book_classes()))
            for old in self.folder.glob("*.pickle"):
                if old.stem not in self.used:
                    old.unlink(missing_ok=True)
        except OSError:
            pass        # a cache: the next build lays these chapters out again
