"""Paginator: body columns and notes onto pages (VT-01, VT-07, VT-08, VT-24).

A *section* (a chapter, or a generated part such as 參考書目) is a flow of
already broken columns.  Each page takes body columns until the type area
is full; a heading-1 column takes two grid slots.  Notes:

* page mode (`notes = "page"`): a note is queued when its call's column is
  placed; the queue fills a band at the P-left of the page, one body pitch
  away from the body.  A call's column is accepted only if at least two
  columns of its note (all of a shorter note) still fit on the page; the
  rest continues on the following pages.  Once notes spill over, a page
  takes further body columns only up to MIN_BODY (so the text keeps moving
  while long notes get most of the page).
* after mode (chapter / book notes): the section's notes follow its last
  body column on the same page and fill following pages.

Then a page never ends with a heading, never starts with the last column of
a multi-column paragraph, and never ends with the lone first column of one.

Figures and tables (a FIGURE column in the flow, figures.py): one goes at
its place in the text when its slots still fit on the page (a horizontal
page: at its foot, after the page's lines); else the text goes on and the
figure waits for the start of the next page (its reading side: the P
right, or the top of a horizontal page), in the order of the text.  A
plate is a page of its own, right after the page where its reference is.
PRINT-ENGINE.md §11.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import layout_types as lt

MIN_BODY = 5
# a table's caption and header never end a page when the table goes on
_OPENERS = (lt.CAPTION, lt.TABLE_HEAD)


@dataclass
class Section:
    title: str                      # odd-page running head, 目次 entry
    chapter: int | None
    flow: list[lt.Column]
    notes: list[tuple[str, list[lt.Column]]] = field(default_factory=list)  # after mode
    opener: bool = True             # starts a new (odd) page, role chapter-open
    toc: bool = True                # listed in the 目次 (chapters without a title are not)
    role: str = lt.PAGE_BODY        # role of the pages (toc for the 目次)


def _slots(col: lt.Column) -> int:
    if col.figure is not None:
        return col.figure.slots
    return 2 if col.role == lt.HEADING[1] else 1


def _calls(col: lt.Column) -> tuple[str, ...]:
    """The notes a column calls, a figure's caption included (a caption may call a note)."""
    if col.figure is None:
        return col.calls()
    return tuple(nid for c in col.figure.caption for nid in c.calls())


class Paginator:
    def __init__(self, geo: lt.Geometry, edition, book_title: str, folio, titles: dict,
                 page_notes: dict[str, list[lt.Column]] | None):
        self.geo, self.ed, self.book_title, self.folio = geo, edition, book_title, folio
        self.titles = titles                  # block id -> (title, level) of heading blocks
        self.page_notes = page_notes          # None unless notes = "page"
        self.pages: list[lt.Page] = []
        self.queue: list[list] = []           # [note id, columns, next column index]
        self.queued: set[str] = set()
        self.waiting: list[tuple[int, lt.Column]] = []   # figures for the next page: (flow index, column)
        self.plates: list[tuple[int, lt.Column]] = []    # plates to follow the current page

    # ------------------------------------------------------------ pages
    def fixed_page(self, role: str, columns: list[lt.Column], folio: bool = True) -> lt.Page:
        n = len(self.pages) + 1
        page = lt.Page(n, role, self.folio(n) if folio else None, None, columns)
        self.pages.append(page)
        return page

    def blank(self) -> None:
        self.pages.append(lt.Page(len(self.pages) + 1, lt.PAGE_BLANK))

    def section(self, sec: Section) -> int:
        """Lay out a section; returns the number of its first page."""
        if sec.opener and self.ed.chapter_start == "odd" and len(self.pages) % 2 == 1:
            self.blank()
        first_page = len(self.pages) + 1
        flow, i, after = sec.flow, 0, list(sec.notes)
        while i < len(flow) or self.queue or after or self.waiting or self.plates:
            first = len(self.pages) + 1 == first_page
            j, body = self._fill(flow, i, first, bool(after))
            if j >= len(flow) and after:         # after mode: the notes follow the body
                self.queue += [[nid, cols, 0] for nid, cols in after]
                after = []
            elif self.page_notes is not None:
                self._enqueue(body)
            if body or self.queue or not self.plates:
                self._make_page(sec, body, first and sec.opener)
            self._make_plates(sec)
            i = j
        return first_page

    # ------------------------------------------------------------ filling
    def _fill(self, flow, i, first, notes_follow) -> tuple[int, list[lt.Column]]:
        geo = self.geo
        carried = sum(len(cols) - k for _, cols, k in self.queue)
        req = min(2, carried)
        demand, body, used, j = carried, [], 0, i
        waiting, self.waiting = self.waiting, []
        while waiting and used + _slots(waiting[0][1]) <= geo.columns:
            body.append(waiting.pop(0)[1])     # figures carried over open the page
            used += _slots(body[-1])
        self.waiting = waiting                 # (only when several do not fit on one page)
        if i < len(flow) and flow[i].role == lt.TABLE_ROW and flow[i].table is not None:
            for h in flow[i].table.header:     # a table goes on: its header again first
                body.append(replace(h))
                used += 1
        lead, where, foot = len(body), [], []
        seen: set[str] = set()
        while j < len(flow):
            col = flow[j]
            if col.figure is not None and (col.figure.plate or self.waiting or self.plates
                                           or used + _slots(col) > geo.columns):
                # no room here (or earlier figures or plates still wait): the text goes on
                (self.plates if col.figure.plate else self.waiting).append((j, col))
                j += 1
                continue
            if col.figure is not None and not self.ed.vertical:
                foot.append((j, col))          # a horizontal page: at its foot, the text goes on
                used += _slots(col)
                j += 1
                continue
            if used + _slots(col) > geo.columns and body:
                break
            if body and col.role == lt.HEADING[1] and col.first_of_paragraph:
                break                              # a level-1 heading opens a page
            ids = self._new_calls(col, seen)
            sizes = [len(self.page_notes[x]) for x in ids] if ids else []
            kmax = geo.max_note_columns(used + _slots(col))
            d = demand + sum(sizes)
            r = demand + sum(sizes[:-1]) + min(2, sizes[-1]) if ids else req
            over = demand > geo.max_note_columns(used)     # notes already spill to the next page
            if d > kmax and body and (r > kmax or over and used + _slots(col) > MIN_BODY):
                break
            body.append(col)
            where.append(j)
            seen.update(ids)
            used += _slots(col)
            demand, req, j = d, r, j + 1
        j = self._adjust(flow, j, body, notes_follow, lead, where)
        body += [c for k, c in foot if k < j]   # (a figure whose text went on goes on with it)
        return j, body

    def _new_calls(self, col, seen) -> list[str]:
        if self.page_notes is None:
            return []
        out = []
        for nid in _calls(col):
            if nid in self.page_notes and nid not in self.queued and nid not in seen and nid not in out:
                out.append(nid)
        return out

    def _adjust(self, flow, j, body, notes_follow, lead=0, where=()) -> int:
        """Headings never last; no lone paragraph column at a page start or end (VT-07, VT-08).

        `lead` figures carried over open the page; `where` holds the flow
        index of each later body column (figures that went to wait are not
        in it, so popping a column goes back to its own index)."""
        where = list(where)
        while len(body) > 1 + lead:
            last = body[-1]
            more = j < len(flow)
            heading_last = last.role in _OPENERS and more or last.role.startswith("heading") and (more or (
                notes_follow and self.geo.max_note_columns(sum(map(_slots, body))) < 2))
            lone_column_next = more and flow[j].last_of_paragraph and not flow[j].first_of_paragraph \
                and flow[j].block == last.block          # the paragraph's last column would start the next page
            # the paragraph's first column would end this page alone
            lone_column_here = more and last.first_of_paragraph and not last.last_of_paragraph
            if not (heading_last or lone_column_next or lone_column_here):
                break
            body.pop()
            j = where.pop()
        # figures sent on after the new end come back with the text that follows them
        self.waiting = [w for w in self.waiting if w[0] < j]
        self.plates = [w for w in self.plates if w[0] < j]
        while body and body[0].role == lt.BLANK_COL and j < len(flow):
            body.pop(0)                              # no blank column at a page head
        return j

    def _enqueue(self, body) -> None:
        for col in body:
            for nid in _calls(col):
                if nid in self.page_notes and nid not in self.queued:
                    self.queued.add(nid)
                    self.queue.append([nid, self.page_notes[nid], 0])

    # ------------------------------------------------------------ one page
    def _make_page(self, sec: Section, body, opener: bool) -> None:
        geo = self.geo
        n = len(self.pages) + 1
        role = lt.PAGE_CHAPTER_OPEN if opener else sec.role
        page = lt.Page(n, role, self.folio(n), None, [], chapter=sec.chapter)
        if role == lt.PAGE_BODY:
            page.running_head = sec.title if n % 2 else self.book_title
        slot = 0
        for col in body:
            if col.figure is not None:        # the image's slots, then its caption columns
                fig = col.figure
                fig.page, fig.x_em = n, slot * geo.pitch_em
                page.figures.append(fig)
                slot += fig.image_slots
                for c in fig.caption:
                    c.x_em = geo.body_x(slot)
                    slot += 1
                page.columns += fig.caption
                continue
            col.x_em = geo.body_x(slot) + (geo.pitch_em / 2 if _slots(col) == 2 else 0.0)
            slot += _slots(col)
            if col.role.startswith("heading") and col.first_of_paragraph and col.block in self.titles:
                title, level = self.titles[col.block]
                page.outline.append(lt.OutlineEntry(title, level, len(page.columns)))
            page.columns.append(col)
        self._place_notes(page, slot)
        self.pages.append(page)

    def _make_plates(self, sec: Section) -> None:
        """Each waiting plate on a page of its own: the image, its caption at the end.
        A plate that comes after a figure still waiting for a page waits too
        (figures keep the order of the text)."""
        geo = self.geo
        limit = min((j for j, _ in self.waiting), default=None)
        ready = [w for w in self.plates if limit is None or w[0] < limit]
        self.plates = [w for w in self.plates if w not in ready]
        for _, col in ready:
            if self.page_notes is not None:
                self._enqueue([col])           # a note its caption calls: on the pages that follow
            fig = col.figure
            n = len(self.pages) + 1
            page = lt.Page(n, lt.PAGE_PLATE, self.folio(n), None, list(fig.caption), chapter=sec.chapter)
            fig.page, fig.x_em = n, 0.0
            for k, c in enumerate(fig.caption):
                c.x_em = geo.body_x(fig.image_slots + k)
            page.figures.append(fig)
            self.pages.append(page)

    def _place_notes(self, page: lt.Page, slots: int) -> None:
        geo = self.geo
        k = geo.max_note_columns(slots)
        placed: list[lt.Column] = []
        while self.queue and len(placed) < k:
            item = self.queue[0]
            nid, cols, pos = item
            if nid:
                (page.notes_started if pos == 0 else page.notes_continued).append(nid)
            take = cols[pos:pos + k - len(placed)]
            placed += take
            item[2] = pos + len(take)
            if item[2] >= len(cols):
                self.queue.pop(0)
        if not placed:
            return
        body_edge = slots * geo.pitch_em - geo.gap_em if slots else -geo.pitch_em
        if self.page_notes is not None:        # band at the P-left edge
            left = geo.width_em - geo.note_size / 2
            for i, col in enumerate(placed):
                col.x_em = left - (len(placed) - 1 - i) * geo.note_pitch_em
            if slots:
                # The rule belongs to the band (VT-24, like a footnote rule):
                # half a body pitch right of the notes, however few body
                # columns the page has; max_note_columns keeps ≥ 1 pitch free.
                band_edge = placed[0].x_em - geo.note_size / 2
                page.rule_x_em = max(band_edge - geo.pitch_em / 2, (body_edge + band_edge) / 2)
        else:                                  # right after the body
            start = body_edge + geo.pitch_em + geo.note_size / 2
            for i, col in enumerate(placed):
                col.x_em = start + i * geo.note_pitch_em
        page.note_columns = placed
