"""索引 of a pdf edition: the page of every occurrence, then the section itself.

The index is the last section of the book, so once every other section is
paginated the page numbers it prints are final: no second pass is needed
for it (only the 目次 entry pointing at it is filled in afterwards, with the
others).  An occurrence's page is the page of its first unit (a name split
across a page turn counts on the page where it starts); a span inside a 割注
counts on the page of its piece.
"""
from __future__ import annotations

from .... import model as m
from ....transform.bookindex import BookIndex, collapse
from . import layout_types as lt
from .units import Block, UnitMaker
from .unitstarts import UnitStarts

INDEX_TITLE = "索引"
ENTRY_GAP = "\u3000"      # between the entry and its page numbers
PAGE_SEPARATOR = "、"


def occurrence_pages(pages: list[lt.Page], marks: list[tuple[m.Pos, int, int]]) -> dict[m.Pos, int]:
    """Page number of each index mark (span pos, first offset, end offset): the page of
    the first unit that starts inside the span, else (a span starting inside a longer
    unit, a 割注 piece) the page of the unit it starts in."""
    if not marks:
        return {}
    starts = UnitStarts(pages)
    out: dict[m.Pos, int] = {}
    for pos, start, end in marks:
        page = starts.first_from(start, max(end, start + 1))
        if page is None and start < end:
            page = starts.last_before(start)
        if page is not None:
            out.setdefault(pos, page)
    return out


def entry_pages(index: BookIndex, page_of: dict[m.Pos, int]) -> list[tuple[str, str, list[int]]]:
    """(group, entry, sorted pages) of every entry that reached a page."""
    out = []
    for entry in index.entries:
        pages = sorted({page_of[o.pos] for o in entry.occurrences if o.pos in page_of})
        if pages:
            out.append((entry.group, entry.text, pages))
    return out


def index_blocks(index: BookIndex, page_of: dict[m.Pos, int], mk: UnitMaker,
                 connector: str) -> list[Block]:
    """The 索引 heading, a heading per reading group, one paragraph per entry:
    `entry　12、14～16` with a hanging indent."""
    rows = entry_pages(index, page_of)
    if not rows:
        return []
    first_pos = {e.text: e.occurrences[0].pos for e in index.entries}
    out = [mk.generated_block(INDEX_TITLE, lt.HEADING[1], size=1.2, indent=2.0, level=1)]
    group = None
    for name, text, pages in rows:
        if name != group:
            group = name
            # level 0: a group letter is no outline entry
            out.append(mk.generated_block(name, lt.HEADING[2], size=1.15, indent=4.0))
        mk._start()
        mk.text(mk.prep.normalize(text), None, lt.GENERATED, 0)
        mk.generated(ENTRY_GAP + PAGE_SEPARATOR.join(collapse(pages, connector)))
        blk = mk._new_block(lt.BODY, mk._finish(), first_pos[text], None,
                            indent_first=0.0, indent_rest=2.0)
        blk.title = text
        out.append(blk)
    return out
