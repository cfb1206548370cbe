"""What `<edition>.layout.json` says of one column (layout_json.py puts pages together).

A column's part of the file depends on the column alone, but for where the
paginator put it (`x_em`) and where its chapter begins in the text stream: so
`parts` gives it with the offsets as they are, and `Parts.shifted` moves them.
A kept chapter (kept.py) keeps its columns' parts, and a build that restores
the chapter writes them without making the columns' units.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import layout_types as lt

# unit kind -> span kind (units that are spans on their own)
_KIND_SPANS = {lt.TCY: "tcy", lt.SIDEWAYS: "sideways", lt.UPRIGHT: "upright", lt.PAIR: "pair",
               lt.WARICHU: "warichu", lt.CALL: "call"}
# flag -> span kind (runs of units carrying the flag, split where `mark` changes)
_FLAG_SPANS = ((lt.NAME, "name"), (lt.TITLE_WAVY, "title"), (lt.EMPH, "emphasis"),
               (lt.LINK, "link"), (lt.ASIDE, "aside"))


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
                "x_em": round(x_em, 6), **values}

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
    units = c.units
    first = next((u for u in units if u.offset >= 0), None)
    text = "".join(u.text for u in units)
    foot = "".join(u.text for u in c.foot)
    hyphen = c.hyphenated()
    head = (text, foot, first.offset if first else None, src_text(c.src), c.role)
    tail = (round(c.indent_em, 6), round(c.length_em, 6), round(c.size, 6), c.justified, round(c.spacing_em, 6),
            round(c.space_extra_em, 6), round(c.glue_extra_em, 6), c.first_of_paragraph, c.last_of_paragraph,
            c.block, c.note_id or None, c.hanging.text if c.hanging else None, hyphen, _pieces(units))
    return Parts(text + ("-" if hyphen else "") + foot, head, tail, tuple(_spans(units)))


def src_text(pos) -> str | None:
    return None if pos is None else f"{pos.file}:{pos.line}:{pos.col}"


def _pieces(units: list[lt.Unit]) -> list[list]:
    """Contiguous stretches of the stream that make up the column: [offset, length]."""
    out: list[list] = []
    for u in units:
        if u.offset < 0 or not u.text:
            continue
        if out and out[-1][0] + out[-1][1] == u.offset:
            out[-1][1] += len(u.text)
        else:
            out.append([u.offset, len(u.text)])
    return out


def _span(kind: str, units: list[lt.Unit], **extra) -> tuple:
    return (kind, "".join(u.text for u in units), units[0].offset,
            src_text(next((u.src for u in units if u.src), None)), extra)


def _spans(units: list[lt.Unit]) -> list[tuple]:
    out: list[tuple] = []
    for u in units:
        kind = _KIND_SPANS.get(u.kind)
        if kind == "warichu":
            out.append(_span(kind, [u], split=u.split))
        elif kind == "call":
            out.append(_span(kind, [u], note_id=u.note_id))
        elif kind:
            out.append(_span(kind, [u]))
    for flag, kind in _FLAG_SPANS:
        for run in _runs(units, flag):
            extra = {"note_id": run[0].note_id} if flag == lt.LINK else {}
            out.append(_span(kind, run, **extra))
    return out


def _runs(units: list[lt.Unit], flag: int) -> list[list[lt.Unit]]:
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
