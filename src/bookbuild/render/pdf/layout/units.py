"""Model → units (docs/PRINT-ENGINE.md §3): what the column breaker places.

One `UnitMaker` per edition walks chapters and notes and turns each block
into a `Block` of units.  Widths: Han/punctuation cell 1 em, ——/…… 2 em,
tcy run 1 em, sideways run = its hmtx advance (+ ¼ em glue on a side that
touches Han), Latin space = its advance, note call 0 and glued to the unit
before it.  Every unit's text is appended to the edition's text stream
(`Stream`), which is the "normalized text" that layout.json offsets index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .... import model as m
from ....charclass import AFTER_DIGIT, cell_starts
from ....model import Pos
from . import layout_types as lt
from .figblocks import figure_block, table_block, xref_text
from .line_finish import Stream, call_after_first_cell, finish_line
from .textprep import Advance, TextPrep

# A pair unit, a Latin-ish run (letters, digits, ASCII punctuation), spaces, or one char.
_SPECIAL = re.compile(
    r"(——|……|⋯⋯|！！|？？|！？|？！|⸺|⸻)"
    r"|([0-9A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF!-/:-@\[-`{-~\u2018\u2019\u201C\u201D]+)"
    r"|( +)"
    r"|([\n％‰℃°\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F\u3099\u309A"
    r"\uFE00-\uFE0F\u200D\U000E0100-\U000E01EF])")
_PAIR_WIDTH = {"⸺": 2.0, "⸻": 3.0}
STACKED = ("！！", "？？", "！？", "？！")   # VT-15: one 1-em cell in vertical setting (font ligature)
HEADING_SIZE = {1: 1.2, 2: 1.15, 3: 1.1}
INDEX_KINDS = ("name", "term", "index")        # spans that make 索引 entries (transform/bookindex.py)
HEADING_INDENT = {1: 2.0, 2: 4.0, 3: 6.0}     # body em from TA top (VT-08)


@dataclass(slots=True)
class Block:
    """One paragraph-like item; `lines` are split at forced line breaks."""
    role: str
    lines: list[list[lt.Unit]]
    src: Pos | None
    id: int = 0
    size: float = 1.0            # font size in body em
    indent_first: float = 0.0    # body em
    indent_rest: float = 0.0
    level: int = 0               # heading level
    note_id: str = ""
    chapter: int | None = None
    title: str = ""              # heading: plain text (outline, running heads)
    payload: object = None       # FIGURE: figblocks.FigurePayload


@dataclass
class _Ctx:
    chapter: int | None
    flags: int = 0
    mark: int = 0
    raw: bool = False            # citeproc output: no punctuation normalization
    title_depth: int = 0


@dataclass
class UnitMaker:
    edition: object              # EditionConfig
    prep: TextPrep
    advance: Advance
    numbers: object = None       # NoteNumbers
    citations: object = None     # Citations or None
    book: m.Book | None = None
    chapter_label: object = None  # callable(chapter index) -> "第N章"
    figures: object = None       # FigureNumbers (transform/figures.py)
    xref_pages: dict = field(default_factory=dict)   # figure/table id -> page (second pass)
    page_refs: bool = False      # some cross-reference asked for a page (figblocks.xref_text)
    stream: Stream = field(default_factory=Stream)
    _marks: int = 0
    _blocks: int = 0
    _cur: list = field(default_factory=list)
    _lines: list = field(default_factory=list)
    index_marks: list = field(default_factory=list)   # 索引: (span pos, first offset, end offset)

    # ------------------------------------------------------------ blocks
    def blocks(self, blocks: list[m.Block], chapter: int | None, quote: bool = False) -> list[Block]:
        out: list[Block] = []
        for b in blocks:
            if isinstance(b, m.Para):
                out.append(self.para(b.inlines, b.pos, chapter, "quote" if quote else "body"))
            elif isinstance(b, m.Heading):
                out.append(self.heading(b.inlines, b.level, b.pos, chapter))
            elif isinstance(b, m.BlockQuote):
                out += self.blocks(b.blocks, chapter, quote=True)
            elif isinstance(b, m.ListBlock):
                out += self._list(b, chapter, quote)
            elif isinstance(b, m.Figure):
                out.append(figure_block(self, b, chapter))
            elif isinstance(b, m.Table):
                out.append(table_block(self, b, chapter))
            elif isinstance(b, m.CodeBlock):
                lines = [[m.Code(line)] for line in b.text.split("\n")]
                inl: list[m.Inline] = []
                for i, ln in enumerate(lines):
                    inl += ([m.LineBreak()] if i else []) + ln
                out.append(self.para(inl, b.pos, chapter, "quote"))
            elif isinstance(b, m.Rule):
                out.append(self._new_block(lt.BLANK_COL, [[]], b.pos, chapter))
        return out

    def _list(self, b: m.ListBlock, chapter, quote) -> list[Block]:
        out = []
        for n, item in enumerate(b.items, 1):
            for k, blk in enumerate(item):
                if k == 0 and isinstance(blk, m.Para):   # the label is generated text
                    out.append(self.para(blk.inlines, blk.pos, chapter, "quote" if quote else "body",
                                         prefix=f"{n}、" if b.ordered else "・"))
                else:
                    out += self.blocks([blk], chapter, quote)
        return out

    def para(self, inlines, pos, chapter, role="body", prefix="") -> Block:
        self._start()
        if prefix:
            self.generated(prefix)
        self.inlines(inlines, _Ctx(chapter))
        return self._new_block(role, self._finish(), pos, chapter, indent_first=2.0,
                               indent_rest=2.0 if role == "quote" else 0.0)

    def heading(self, inlines, level, pos, chapter, prefix: str = "") -> Block:
        """A heading; `prefix` is generated text before it (第N章 and an ideographic space)."""
        level = min(max(level, 1), 3)
        self._start()
        if prefix:
            self.generated(prefix + ("\u3000" if inlines else ""), 0)
        self.inlines(inlines, _Ctx(chapter))
        ind = HEADING_INDENT[level]
        blk = self._new_block(lt.HEADING[level], self._finish(), pos, chapter, size=HEADING_SIZE[level],
                              indent_first=ind, indent_rest=ind, level=level)
        blk.title = (prefix + "\u3000" if prefix and inlines else prefix) + m.plain_text(inlines).strip()
        return blk

    def generated_block(self, text: str, role: str, chapter=None, size=1.0, indent=0.0,
                        level=0, flags=0) -> Block:
        """A block of text made by bookbuild (title page, 目次, headings of sections)."""
        self._start()
        self.generated(text, flags)
        blk = self._new_block(role, self._finish(), None, chapter, size=size,
                              indent_first=indent, indent_rest=indent, level=level)
        blk.title = text
        return blk

    def note(self, note: m.Note, label: str, chapter, note_size: float) -> list[Block]:
        """A note's paragraphs at note size; the first starts with its number."""
        out = []
        for i, b in enumerate(note.blocks or [m.Para([], note.pos)]):
            self._start()
            if i == 0:
                self.text(self.prep.numerals(label, positional=True), None, lt.GENERATED, 0)
                self._cur.append(lt.Unit("", lt.BLANK, 0.5, flags=lt.GENERATED | lt.NOBREAK_BEFORE,
                                         offset=self.stream.n))
            for inl in m.block_inlines(b):
                self.inlines(inl, _Ctx(chapter))
            if isinstance(b, (m.CodeBlock,)):
                self.inlines([m.Code(b.text)], _Ctx(chapter))
            blk = self._new_block("note", self._finish(), getattr(b, "pos", note.pos), chapter,
                                  size=note_size, indent_first=0.0 if i == 0 else note_size)
            blk.note_id = note.id
            out.append(blk)
        return out

    # ----------------------------------------------------------- plumbing
    def _start(self) -> None:
        self._cur, self._lines = [], []

    def _finish(self) -> list[list[lt.Unit]]:
        self._lines.append(self._cur)
        self.stream.add("\n")
        lines = [finish_line(line, self.advance) for line in self._lines]
        for line in lines:
            call_after_first_cell(line, self.stream)
        self._cur, self._lines = [], []
        return lines

    def _new_block(self, role, lines, pos, chapter, **kw) -> Block:
        self._blocks += 1
        return Block(role, lines, pos, self._blocks, chapter=chapter, **kw)

    def context(self, chapter) -> _Ctx:
        """A fresh inline context (figblocks.py sets captions and table cells with it)."""
        return _Ctx(chapter)

    def generated(self, text: str, flags: int = 0) -> None:
        self.text(self.prep.numerals(text), None, flags | lt.GENERATED, 0)

    # ----------------------------------------------------------- inlines
    def inlines(self, inlines: list[m.Inline], ctx: _Ctx) -> None:
        for node in inlines:
            if isinstance(node, m.Text):
                text = node.text if ctx.raw else self.prep.normalize(node.text)
                self.text(text, node.pos, ctx.flags, ctx.mark, len(node.text))
            elif isinstance(node, m.Space):
                self._unit(" ", lt.SPACE, self.advance(" "), node.pos, ctx.flags)
            elif isinstance(node, m.LineBreak):
                self._lines.append(self._cur)
                self._cur = []
            elif isinstance(node, m.NoteRef):
                self._noteref(node, ctx)
            elif isinstance(node, m.Citation):
                self._citation(node, ctx)
            elif isinstance(node, m.Span):
                self._span(node, ctx)
            elif isinstance(node, (m.Emph, m.Strong)):
                flag = lt.EMPH if isinstance(node, m.Emph) else lt.STRONG
                self.inlines(node.children, replace(ctx, flags=ctx.flags | flag))
            elif isinstance(node, m.Code):
                self.text(node.text, node.pos, ctx.flags | lt.CODE, ctx.mark)
            elif isinstance(node, m.Link):
                self.inlines(node.children, ctx)
            elif isinstance(node, m.XRef):
                self.text(xref_text(self, node.target, node.with_page), node.pos, ctx.flags | lt.GENERATED, ctx.mark)
            # An image inside running text (not alone in its paragraph) is no
            # figure: check/left_out.py reports it; figures are figblocks.py's.

    def _noteref(self, node: m.NoteRef, ctx: _Ctx) -> None:
        nn = self.numbers
        if nn is None or node.id not in nn.numbers:
            return
        label = nn.label(node.id, ctx.chapter, self.chapter_label)
        if label.isdigit():
            self._unit(self.prep.numerals(label, positional=True), lt.CALL, 0.0, node.pos,
                       lt.NOBREAK_BEFORE | lt.GENERATED, note_id=node.id)
        else:   # 見第N章注M: a cross reference in running text
            self.text(self.prep.numerals(label, positional=True), node.pos, ctx.flags | lt.GENERATED | lt.LINK, 0,
                      note_id=node.id)

    def _citation(self, node: m.Citation, ctx: _Ctx) -> None:
        if self.citations is not None and id(node) in getattr(self.citations, "rendered", {}):
            self.inlines(self.citations.formatted(node), replace(ctx, raw=True))
            return
        for i, item in enumerate(node.items):   # fallback: prefix, title, locator
            src = self.book.sources.get(item.key) if self.book else None
            title = src.title if src else item.key
            text = ("；" if i else "") + item.prefix + title + ("，" + item.locator if item.locator else "")
            self.text(self.prep.normalize(text), node.pos, ctx.flags, ctx.mark)

    def _span(self, node: m.Span, ctx: _Ctx) -> None:
        ed, start = self.edition, self.stream.n
        if "citation" in node.classes:
            self.inlines(node.children, replace(ctx, raw=True))
        elif node.kind == "aside":
            self._aside(node, ctx)
        elif node.kind == "name" and ed.name_marks:
            self._marks += 1
            self.inlines(node.children, replace(ctx, flags=ctx.flags | lt.NAME, mark=self._marks))
        elif node.kind == "title":
            self._title(node, ctx)
        else:
            self.inlines(node.children, ctx)
        if node.kind in INDEX_KINDS:
            self.index_marks.append((node.pos, start, self.stream.n))

    def _title(self, node: m.Span, ctx: _Ctx) -> None:
        if self.edition.title_marks == "wavy":
            self._marks += 1
            self.inlines(node.children, replace(ctx, flags=ctx.flags | lt.TITLE_WAVY, mark=self._marks))
            return
        inner = m.plain_text(node.children).strip()
        nested = ctx.title_depth > 0 or _open_title(self._cur)
        o, c = ("〈", "〉") if node.attrs.get("kind") == "article" or nested else ("《", "》")
        typed = inner[:1] in "《〈" and inner[-1:] in "》〉"
        if not typed:
            self._unit(o, lt.HAN, 1.0, node.pos, ctx.flags | lt.GENERATED)
        self.inlines(node.children, replace(ctx, title_depth=ctx.title_depth + 1))
        if not typed:
            self._unit(c, lt.HAN, 1.0, node.pos, ctx.flags | lt.GENERATED)

    def _aside(self, node: m.Span, ctx: _Ctx) -> None:
        """（…） full size around warichu pieces (VT-25); a note call splits the piece."""
        o, c = self.edition.aside_brackets[0], self.edition.aside_brackets[1]
        flags = ctx.flags | lt.ASIDE
        self._unit(o, lt.HAN, 1.0, node.pos, flags | lt.GENERATED)
        buf: list[str] = []
        first = True

        def flush():
            nonlocal first
            text = self.prep.normalize("".join(buf)).replace("\n", "")
            if text:
                half, split = warichu_split(text)     # cells, not code points: a VS stays on its base
                self._unit(text, lt.WARICHU, half * 0.5,
                           _shift(node.pos, 1), flags | (lt.NOBREAK_BEFORE if first else 0),
                           split=split)
                first = False
            buf.clear()

        for leaf in m.walk_inlines(node.children):
            if isinstance(leaf, m.NoteRef):
                flush()
                self._noteref(leaf, ctx)
            elif isinstance(leaf, m.Span) and leaf.kind in INDEX_KINDS:
                # inside a 割注 piece: the page of the piece that will hold it
                self.index_marks.append((leaf.pos, self.stream.n, self.stream.n + 1))
            elif isinstance(leaf, (m.Text, m.Code)):
                buf.append(leaf.text)
            elif isinstance(leaf, m.Space):
                buf.append(" ")
        flush()
        self._unit(c, lt.HAN, 1.0, node.pos, flags | lt.GENERATED)

    # -------------------------------------------------------------- text
    def text(self, text: str, pos: Pos | None, flags: int, mark: int, orig_len: int | None = None,
             note_id: str = "") -> None:
        """Tokenize normalized `text` into units; positions map proportionally
        when normalization changed the length."""
        if not text:
            return
        scale = (orig_len / len(text)) if orig_len and orig_len != len(text) else 1.0
        i = 0
        for mt in _SPECIAL.finditer(text):
            if mt.start() > i:      # plain 1-em cells: the common case, done in bulk
                self._plain(text[i:mt.start()], i, pos, scale, flags, mark, note_id)
            i = mt.end()
            p = _shift(pos, int(mt.start() * scale)) if pos else None
            pair, latin, spaces, ch = mt.groups()
            if pair:
                width = 1.0 if pair in STACKED and self.edition.vertical else _PAIR_WIDTH.get(pair, 2.0)
                self._unit(pair, lt.PAIR, width, p, flags, mark, note_id)
            elif latin:
                self._latin(latin, p, flags, mark, note_id)
            elif spaces:
                self._unit(" ", lt.SPACE, self.advance(" "), p, flags, mark)
            elif ch == "\n":
                continue
            elif ch in AFTER_DIGIT or not self._cur:
                nb = lt.NOBREAK_BEFORE if _ends_digit(self._cur) else 0
                self._unit(ch, lt.HAN, 1.0, p, flags | nb, mark, note_id)
            else:                   # combining mark, variation selector: part of the cell before
                self._attach(ch)
        if i < len(text):
            self._plain(text[i:], i, pos, scale, flags, mark, note_id)

    def _plain(self, s: str, i0: int, pos, scale, flags, mark, note_id) -> None:
        base = self.stream.add(s)
        cur, unit, han = self._cur, lt.Unit, lt.HAN
        if pos is None:
            cur.extend(unit(ch, han, 1.0, None, base + k, flags, 0.0, 0.0, mark, note_id)
                       for k, ch in enumerate(s))
            return
        if scale == 1.0:
            cur.extend(unit(ch, han, 1.0, pos, base + k, flags, 0.0, 0.0, mark, note_id, 0, i0 + k)
                       for k, ch in enumerate(s))
        else:
            cur.extend(unit(ch, han, 1.0, pos, base + k, flags, 0.0, 0.0, mark, note_id, 0,
                            int((i0 + k) * scale)) for k, ch in enumerate(s))

    def _latin(self, tok: str, pos, flags, mark=0, note_id="") -> None:
        """A Latin/digit run: tcy, upright cells, or one sideways unit (VT-12, VT-13)."""
        kind = self.prep.latin_kind(tok)
        if kind == lt.TCY:
            self._unit(tok, lt.TCY, 1.0, pos, flags, mark, note_id)
        elif kind == lt.UPRIGHT:
            for i, ch in enumerate(tok):
                self._unit(ch, lt.UPRIGHT, 1.0, _shift(pos, i), flags | (lt.NOBREAK_BEFORE if i else 0),
                           mark, note_id)
        else:
            self._unit(tok, lt.SIDEWAYS, self.advance(tok), pos, flags, mark, note_id)

    def _unit(self, text, kind, width, pos, flags, mark=0, note_id="", split=0) -> None:
        self._cur.append(lt.Unit(text, kind, width, pos, self.stream.add(text), flags, 0.0, 0.0,
                                 mark, note_id, split))

    def _attach(self, ch: str) -> None:
        """Combining mark / variation selector: part of the previous unit's text."""
        u = self._cur[-1]
        self.stream.add(ch)
        u.text += ch


def warichu_split(text: str) -> tuple[int, int]:
    """(cells per sub-column, offset of the second): half the cells, rounded up, on a cell boundary."""
    starts = cell_starts(text)
    half = -(-len(starts) // 2)
    return half, (starts[half] if half < len(starts) else len(text))


def _shift(pos: Pos | None, delta: int) -> Pos | None:
    if pos is None or delta == 0:
        return pos
    return Pos(pos.file, pos.line, pos.col + delta)


def _ends_digit(units: list[lt.Unit]) -> bool:
    return bool(units) and units[-1].text[-1:].isdigit()


def _open_title(units: list[lt.Unit]) -> bool:
    """Inside a 《…》 the author typed (then a nested title gets 〈〉)."""
    depth = 0
    for u in units:
        if u.text == "《":
            depth += 1
        elif u.text == "》":
            depth = max(0, depth - 1)
    return depth > 0
