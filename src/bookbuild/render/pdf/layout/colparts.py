"""What `<edition>.layout.json` says of one column (layout_json.py puts pages together).

A column's part of the file depends on the column alone, but for where the
paginator put it (`x_em`) and where its chapter begins in the text stream: so
`parts` gives it with the offsets as they are, and `Parts.shifted` moves them.
A kept chapter (kept.py) keeps its columns' parts, and a build that restores
the chapter writes them without making the columns' units.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import accumulate, compress
from operator import attrgetter, or_

from . import layout_types as lt

# unit kind -> span kind (units that are spans on their own)
_KIND_SPANS = {lt.TCY: "tcy", lt.SIDEWAYS: "sideways", lt.UPRIGHT: "upright", lt.PAIR: "pair",
               lt.WARICHU: "warichu", lt.CALL: "call"}
# flag -> span kind (runs of units carrying the flag, split where `mark` changes)
_FLAG_SPANS = ((lt.NAME, "name"), (lt.TITLE_WAVY, "title"), (lt.EMPH, "emphasis"),
               (lt.LINK, "link"), (lt.ASIDE, "aside"))
_RUN_FLAGS = reduce(or_, (flag for flag, _ in _FLAG_SPANS))
_KINDS = frozenset(_KIND_SPANS)
_TEXT, _OFFSET, _FLAGS, _KIND = attrgetter("text"), attrgetter("offset"), attrgetter("flags"), attrgetter("kind")


@dataclass(frozen=True, slots=True)
class Parts:
    text: str              # as drawn: with a hyphenated word's "-" and the foot
    head: tuple            # the column's fields before x_em: text, foot, offset, src, role
    tail: tuple            # after x_em: indent_em … pieces
    spans: tuple           # (kind, text, offset, src, extra) each

    def column(self, x_em: float) -> dict:
        text, foot, offset, src, role = self.head
        values = dict(zip(_TAIL, self.tail))
        return {"text": text, "foot": foot, "offset": offset, "src": src, "role": role,
                "x_em": em(x_em), **values}

    def span_dicts(self, area: str, column: int) -> list[dict]:
        return [{"kind": kind, "text": text, "offset": offset, "src": src, "area": area, "column": column,
                 **extra} for kind, text, offset, src, extra in self.spans]

    def fields(self) -> tuple:
        """The four fields, as kept.py stores them (Parts(*fields) again)."""
        return (self.text, self.head, self.tail, self.spans)

    def shifted(self, d: int, d_block: int) -> Parts:
        """The same column `d` characters further on in the stream, its block `d_block` ids on."""
        if not d and not d_block:
            return self
        text, foot, offset, src, role = self.head
        head = (text, foot, None if offset is None else offset + d, src, role)
        tail = list(self.tail)
        if tail[_BLOCK]:
            tail[_BLOCK] += d_block
        tail[-1] = [[o + d, n] for o, n in tail[-1]]
        spans = tuple((k, t, o + d if o >= 0 else o, s, e) for k, t, o, s, e in self.spans)
        return Parts(self.text, head, tuple(tail), spans)


_TAIL = ("indent_em", "length_em", "size", "justified", "spacing_em", "space_extra_em", "glue_extra_em",
         "first_of_paragraph", "last_of_paragraph", "block", "note_id", "hanging", "hyphen", "pieces")
_BLOCK = _TAIL.index("block")


def parts(c: lt.Column) -> Parts:
    """The column's parts.  Each unit field is read once, by C-level maps over the
    column: half a million units in the stress book, where one Python loop per
    property (text, pieces, hyphen, each flag's runs) was most of the writer's
    time.  Columns with no span kind or span flag (most of them) skip the spans'
    loops; columns whose units are one stretch of the stream skip the pieces'."""
    units = c.units
    texts = list(map(_TEXT, units))
    offsets = list(map(_OFFSET, units))
    text = "".join(texts)
    flags = reduce(or_, map(_FLAGS, units), 0)
    hyphen = bool(flags & lt.HYPHEN) and c.hyphenated()
    foot = "".join(map(_TEXT, c.foot))
    first = offsets[0] if offsets and offsets[0] >= 0 else next((o for o in offsets if o >= 0), None)
    head = (text, foot, first, src_text(c.src), c.role)
    tail = (em(c.indent_em), em(c.length_em), em(c.size), c.justified, em(c.spacing_em),
            em(c.space_extra_em), em(c.glue_extra_em), c.first_of_paragraph, c.last_of_paragraph,
            c.block, c.note_id or None, c.hanging.text if c.hanging else None, hyphen, _pieces(texts, offsets))
    has_spans = flags & _RUN_FLAGS or not _KINDS.isdisjoint(map(_KIND, units))
    return Parts((text + "-" if hyphen else text) + foot, head, tail,
                 tuple(_spans(units, flags)) if has_spans else ())


def src_text(pos) -> str | None:
    return None if pos is None else f"{pos.file}:{pos.line}:{pos.col}"


def em(x: float) -> float:
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


def _span(kind: str, units: list[lt.Unit], **extra) -> tuple:
    return (kind, "".join(u.text for u in units), units[0].offset,
            src_text(next((u.src for u in units if u.src), None)), extra)


def _spans(units: list[lt.Unit], flags: int) -> list[tuple]:
    """Units that are spans by their kind, in order, then each flag's runs
    (_FLAG_SPANS order); the units looked at are picked by C-level filters."""
    out: list[tuple] = []
    for u in compress(units, map(_KINDS.__contains__, map(_KIND, units))):
        kind = _KIND_SPANS[u.kind]
        if kind == "warichu":
            out.append(_span(kind, [u], split=u.split))
        elif kind == "call":
            out.append(_span(kind, [u], note_id=u.note_id))
        else:
            out.append(_span(kind, [u]))
    for flag, kind in _FLAG_SPANS:
        if not flags & flag:
            continue
        for run in _runs(compress(units, map(flag.__and__, map(_FLAGS, units))), flag):
            extra = {"note_id": run[0].note_id} if flag == lt.LINK else {}
            out.append(_span(kind, run, **extra))
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
