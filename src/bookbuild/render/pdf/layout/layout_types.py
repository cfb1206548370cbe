"""Pure data of the print layout: units → columns → pages (no drawing).

The layout engine (units.py, breaker.py, paginator.py) produces these
objects; the drawing side (HTML emission, WeasyPrint) only reads them.

Conventions
-----------
* Lengths are in **em**.  A unit's `width_em` is in the em of the column
  it sits in (`Column.size`, 1.0 for body text); positions across the page
  (`Column.x_em`, `Page.rule_x_em`) are in **body** em.
* "Along" = the column direction (top→bottom in the vertical reading frame,
  left→right on the landscape layout page; a line in a horizontal edition).
* `x_em` is the distance of a column's *centre* from the right edge of the
  type area (P frame), i.e. from the L top edge for the turned page.  Body
  column k (0 = rightmost) has x_em = 0.5 + k · pitch.  A horizontal edition
  is not turned (L = P): its lines stack down from the type area's top edge
  by the same numbers, and its note band is at the page foot.
* `offset` indexes the edition's *normalized text stream*: the exact
  characters of every unit in creation order, blocks separated by "\\n"
  (generated text — brackets, 《》, note numbers, 見第N章注M, folios of the
  目次 — included).  `stream[u.offset:u.offset + len(u.text)] == u.text`
  for every unit; `LayoutResult.text` holds the stream.
* Column invariant (VT-06): for a justified column
  `natural_em() + spacing_em·gaps() + space_extra_em·spaces() +
  glue_extra_em·glues() == length_em` (to float precision).
"""
from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from operator import attrgetter

from ....config import EditionConfig
from ....model import Pos

# ----------------------------------------------------------- unit kinds
HAN = "han"              # 1-em cell: Han, centred TC punctuation, brackets, ·, ～, single — …
PAIR = "pair"            # 2-em unbreakable ——, ……, ⋯⋯ (also ⸺ as one code point)
TCY = "tcy"              # 1–3 digits in one 1-em cell (font ligature, no span needed)
SIDEWAYS = "sideways"    # Latin word / long digit run lying sideways; width from hmtx advances
SPACE = "space"          # Latin word space: breakable and stretchable (≤ 0.5 em extra)
CALL = "call"            # zero-advance note call; text = the label digits; glued to previous unit
WARICHU = "warichu"      # piece of a 割注: two half-size sub-columns, see Unit.split
UPRIGHT = "upright-latin"  # acronym letter or upright digit, 1 em
BLANK = "blank"          # fixed empty advance with no text (e.g. after a note number)
KINDS = (HAN, PAIR, TCY, SIDEWAYS, SPACE, CALL, WARICHU, UPRIGHT, BLANK)

# ---------------------------------------------------------- unit flags
EMPH = 1                 # 着重號: a dot right of each non-punctuation cell (VT-22)
NAME = 2                 # 專名號: straight line left of the span (VT-20); group by Unit.mark
TITLE_WAVY = 4           # 書名號 type A: wavy line left of the span (VT-21); group by Unit.mark
NOBREAK_BEFORE = 8       # never break a column before this unit (VT-18)
GENERATED = 16           # text made by bookbuild, not typed by the author
LINK = 32                # part of a 見第N章注M cross reference; Unit.note_id is the target
ASIDE = 64               # inside an .aside (brackets included)
STRONG = 128             # **strong**: the drawing side may use the bold face
CODE = 256               # `code`: never hyphenated (layout/hyphenate.py)
HYPHEN = 512             # the head of a hyphenated word: a "-" is drawn after it, at the column end

# ------------------------------------------------------------ column roles
BODY, QUOTE, NOTE, BLANK_COL = "body", "quote", "note", "blank"
HEADING = {1: "heading1", 2: "heading2", 3: "heading3"}
# front matter / generated columns
TITLE, SUBTITLE, AUTHOR, PUBLISHER = "title", "subtitle", "author", "publisher"
TOC_ENTRY, COLOPHON, NOTE_HEADING = "toc-entry", "colophon", "note-heading"
# figures and tables (figures.py, tables.py): a FIGURE column is the flow's
# placeholder of one figure or table; CAPTION columns are its caption,
# TABLE_HEAD / TABLE_ROW columns the rows of a table set on the grid
FIGURE, CAPTION, TABLE_HEAD, TABLE_ROW = "figure", "caption", "table-head", "table-row"
# roles set in the bold face
BOLD_ROLES = frozenset({HEADING[1], HEADING[2], HEADING[3], TITLE, NOTE_HEADING, TABLE_HEAD})

# ------------------------------------------------------------- page roles
PAGE_TITLE, PAGE_TOC, PAGE_COLOPHON = "title", "toc", "colophon"
PAGE_BLANK, PAGE_CHAPTER_OPEN, PAGE_BODY = "blank", "chapter-open", "body"
PAGE_PLATE = "plate"     # a figure or table on a page of its own (no body text)


# The fields of a unit that the drawing reads (all but its source position and
# note id, which no drawing shows): what a page's key hashes (Column.units_digest).
DRAWN_UNIT = attrgetter("text", "kind", "width_em", "flags", "glue_before", "glue_after", "mark", "split")


@dataclass(slots=True)
class Unit:
    """The smallest thing the breaker places: one cell, pair, run or call.

    `text` is exactly what goes into the PDF text layer (original code
    points; tcy and pairs are one unit with several characters).
    """
    text: str
    kind: str
    width_em: float                 # advance along the column, glue excluded
    anchor: Pos | None = None       # position of the author's text run this unit comes from
    offset: int = -1                # into the edition's normalized text stream
    flags: int = 0                  # EMPH | NAME | TITLE_WAVY | NOBREAK_BEFORE | ...
    glue_before: float = 0.0        # ¼ em Han–Latin space before (VT-12); 0 at a column head
    glue_after: float = 0.0         # same, after; 0 at a column foot
    mark: int = 0                   # id of the .name/.title span (adjacent spans differ)
    note_id: str = ""               # CALL: the note called; LINK: the note referred to
    split: int = 0                  # WARICHU: chars in the right (first) sub-column
    delta: int = 0                  # columns after `anchor` (Pos objects are made on demand)

    @property
    def src(self) -> Pos | None:
        """Author's file:line:col of the unit's first char (None for generated text)."""
        a = self.anchor
        if a is None or not self.delta:
            return a
        return Pos(a.file, a.line, a.col + self.delta)


@dataclass(slots=True)
class Column:
    """One column (one text line on the landscape page)."""
    units: list[Unit]
    role: str = BODY
    indent_em: float = 0.0          # empty space at the head, column em (= body em ÷ size; VT-05, VT-08)
    length_em: float = 0.0          # target length of text after the indent (N − indent)
    spacing_em: float = 0.0         # extra space per gap between units (VT-06 letter-spacing)
    space_extra_em: float = 0.0     # extra width added to each Latin SPACE unit (≤ 0.5)
    glue_extra_em: float = 0.0      # extra added to each Han–Latin glue (¼ → ½ em)
    size: float = 1.0               # font size in body em (notes: TA length ÷ note_chars_per_column)
    justified: bool = False         # True: foot flush at indent + length_em
    first_of_paragraph: bool = True
    last_of_paragraph: bool = True
    block: int = 0                  # id of the paragraph / heading / note paragraph
    src: Pos | None = None          # position of the column's first unit (or its block)
    x_em: float = 0.0               # centre, from the type area's right edge, body em (paginator)
    foot: list[Unit] = field(default_factory=list)  # units set flush to the foot (目次 numbers)
    note_id: str = ""               # NOTE columns: the note this column belongs to
    hanging: Unit | None = None     # VT-19 hanging mark below the foot (hanging = true)
    figure: Placed | None = None    # FIGURE columns: the figure this placeholder stands for
    table: object = None            # TABLE_HEAD / TABLE_ROW columns: their tables.TableGrid

    def text(self) -> str:
        """The column's characters as the text layer has them: a hyphen drawn at
        the foot of a hyphenated word (HYPHEN) is included, though it is not
        in the stream (offsets index the author's word unbroken)."""
        text = "".join(u.text for u in self.units)
        return text + "-" if self.hyphenated() else text

    def calls(self) -> tuple[str, ...]:
        """The notes the column calls, in order (kept.KeptColumn answers without its units)."""
        return tuple(u.note_id for u in self.units if u.kind == CALL)

    def blank_widths(self) -> frozenset[float]:
        """Widths of the fixed blanks (BLANK units) among the column's units."""
        return frozenset(u.width_em for u in self.units if u.kind == BLANK)

    def units_digest(self) -> bytes:
        """The drawn fields of the column's units, foot and hanging mark, hashed
        (drawing/layoutkeys.py makes page keys of it; kept.KeptColumn has it kept)."""
        hanging = DRAWN_UNIT(self.hanging) if self.hanging is not None else None
        fields = (list(map(DRAWN_UNIT, self.units)), list(map(DRAWN_UNIT, self.foot)), hanging)
        # marshal format 2: no references, so equal values give equal bytes
        return hashlib.sha256(marshal.dumps(fields, 2)).digest()

    def note_at(self, k: int) -> str:
        """The note id of the column's unit k (a call, a 見第N章注M unit; "" for others)."""
        return self.units[k].note_id

    def kept_ref(self) -> tuple | None:
        """(its kept chapter, its index there) for a restored column (kept.KeptColumn), else None."""
        return None

    def text_starts(self) -> list[int]:
        """Stream offsets where the column's units with text begin."""
        return [u.offset for u in self.units if u.offset >= 0 and u.text]

    def hyphenated(self) -> bool:
        vis = self.visible()
        return bool(vis) and bool(vis[-1].flags & HYPHEN)

    def visible(self) -> list[Unit]:
        """Units that take a cell (calls are zero-advance and glued)."""
        return [u for u in self.units if u.kind != CALL]

    def natural_em(self) -> float:
        """Length without justification: widths plus inner Han–Latin glue.

        Glue at the column head/foot and a trailing breakable space count 0.
        """
        vis = _trim_space(self.visible())
        if not vis:
            return 0.0
        total = sum(u.width_em for u in vis)
        total += sum(u.glue_before for u in vis[1:]) + sum(u.glue_after for u in vis[:-1])
        return total

    def gaps(self) -> int:
        return max(0, len(_trim_space(self.visible())) - 1)

    def spaces(self) -> int:
        return sum(1 for u in _trim_space(self.visible()) if u.kind == SPACE)

    def glues(self) -> int:
        vis = _trim_space(self.visible())
        return sum(1 for u in vis[1:] if u.glue_before) + sum(1 for u in vis[:-1] if u.glue_after)

    def used_em(self) -> float:
        """Length actually occupied after justification (column em, indent excluded)."""
        return (self.natural_em() + self.spacing_em * self.gaps()
                + self.space_extra_em * self.spaces() + self.glue_extra_em * self.glues())


def _trim_space(units: list[Unit]) -> list[Unit]:
    """A breakable space at a column end takes no length (it hangs, invisible)."""
    end = len(units)
    while end and units[end - 1].kind == SPACE:
        end -= 1
    return units[:end]


@dataclass(slots=True)
class Placed:
    """A figure or table as the paginator places it (figures.py makes it).

    Sizes are in body em.  "Across" is the direction in which columns follow
    each other (P right→left in a vertical edition, lines downwards in a
    horizontal one), "along" the column direction.  The figure takes `slots`
    whole grid slots across, caption columns included (VT grid: a figure
    never breaks a column off the grid); its image is `across_em` ×
    `along_em` as drawn (a turned plate: the image's own width lies along).
    """
    kind: str                       # "figure" | "table"
    id: str                         # the author's #id ("" when none)
    label: str                      # 圖一 / 表二 as printed
    src: Pos | None                 # the block's file:line:col
    image: str = ""                 # file URL of the image (figures), what the drawing fetches
    file: str = ""                  # the image as the author wrote it (layout.json: no absolute path)
    across_em: float = 0.0          # drawn image extent across the columns
    along_em: float = 0.0           # drawn image extent along the columns
    image_slots: int = 0            # grid slots the image takes (caption excluded)
    caption: list[Column] = field(default_factory=list)   # caption (and table row) columns
    plate: bool = False             # a page of its own
    turned: bool = False            # a landscape plate, drawn turned 90° (PRINT-ENGINE.md §11)
    page: int = 0                   # set by the paginator
    x_em: float = 0.0               # image slots' first edge from the type area's start (across)
    digest: str = ""                # the image file's hash (page-cache key: the HTML names it)
    text: str = ""                  # an SVG's own text (drawn in the derived face, in the text layer)

    @property
    def slots(self) -> int:
        return self.image_slots + len(self.caption)


@dataclass(slots=True)
class OutlineEntry:
    title: str
    level: int                      # 1 = chapter / generated section, 2–3 = headings
    column: int = 0                 # index into Page.columns of the heading column


@dataclass(slots=True)
class Page:
    number: int                     # 1-based physical page number (odd = left-hand page)
    role: str = PAGE_BODY           # title | toc | colophon | blank | chapter-open | body
    folio: str | None = None        # text of the folio, None on blank/title pages
    running_head: str | None = None  # None on chapter openers, blank and front-matter pages
    columns: list[Column] = field(default_factory=list)       # body, reading order right→left
    note_columns: list[Column] = field(default_factory=list)  # note band (P-left), reading order
    chapter: int | None = None      # Chapter.index the page belongs to (None: generated)
    outline: list[OutlineEntry] = field(default_factory=list)  # headings starting on this page
    notes_started: list[str] = field(default_factory=list)     # note ids whose first column is here
    notes_continued: list[str] = field(default_factory=list)   # note ids continued from before
    rule_x_em: float | None = None  # centre of the vertical rule between body and note band
    figures: list[Placed] = field(default_factory=list)       # figures and tables placed here

    @property
    def odd(self) -> bool:
        return self.number % 2 == 1

    def body_text(self) -> str:
        return "".join(c.text() + "".join(u.text for u in c.foot) for c in self.columns)

    def note_text(self) -> str:
        return "".join(c.text() for c in self.note_columns)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Grid numbers derived from an edition, in body em unless noted."""
    font_size_pt: float
    chars: int                      # N, cells per full column
    columns: int                    # body columns per page
    pitch_em: float                 # 1 + column_gap
    gap_em: float
    note_size: float                # note font size in body em
    note_pitch_em: float            # 1.5 × note size
    note_chars: int

    @classmethod
    def of(cls, ed: EditionConfig) -> Geometry:
        ns = ed.chars_per_column / ed.note_chars_per_column
        return cls(ed.font_size, ed.chars_per_column, ed.columns_per_page, ed.pitch_em,
                   ed.column_gap, ns, 1.5 * ns, ed.note_chars_per_column)

    @property
    def width_em(self) -> float:
        """Type-area extent across the columns."""
        return self.columns * self.pitch_em - self.gap_em

    def body_x(self, k: int) -> float:
        return 0.5 + k * self.pitch_em

    def max_note_columns(self, body_columns: int) -> int:
        """Note columns that fit beside `body_columns` body columns.

        The band is separated from the body by one body pitch (VT-24), the
        rule sits in the middle of that separation.
        """
        used = 0.0 if body_columns == 0 else body_columns * self.pitch_em - self.gap_em + self.pitch_em
        free = self.width_em - used
        return max(0, int((free + 0.5 * self.note_size) / self.note_pitch_em + 1e-9))


@dataclass(slots=True)
class LayoutResult:
    """What `layout_book` returns; also usable as the sequence of its pages."""
    pages: list[Page]
    text: str                       # the edition's normalized text stream (see module doc)
    geometry: Geometry
    index_pages: dict[Pos, int] = field(default_factory=dict)  # 索引 occurrence (span pos) -> page
    index_entries: list = field(default_factory=list)          # 索引 (group, entry, pages) as printed
    kept: object = None             # kept.KeptChapters: the chapters laid out, kept once written

    def __iter__(self):
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)

    def __getitem__(self, i):
        return self.pages[i]

    def source_of(self, text: str) -> Pos | None:
        """The author's position of the first unit holding a character of `text`
        (None: only generated text has it)."""
        for page in self.pages:
            for col in page.columns + page.note_columns:
                for u in col.units:
                    if u.src is not None and any(ch in u.text for ch in text):
                        return u.src
        return None
