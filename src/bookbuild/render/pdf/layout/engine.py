"""`layout_book`: the one entry of the layout engine (model → pages).

Order of a pdf edition: title page (1), 版權頁 (2), 目次 (3…), the chapters
(each on an odd page with chapter_start = "odd"), 注釋 (notes = "book"),
參考書目, 詞彙表, 索引 (backindex.py).  Pure Python; no drawing.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

from .... import model as m
from ....config import EditionConfig
from ....diagnostics import Diagnostic
from ....fontchain import fallback_families
from ....transform.build_data import BuildData
from ....transform.notes import chapter_label, chapter_title, wants_label
from . import frontmatter as fm
from . import kept
from . import layout_types as lt
from .backindex import INDEX_TITLE, entry_pages, index_blocks, occurrence_pages
from .breaker import Rules, break_block
from .figlist import figure_lists, placed_pages
from .figplace import place_block
from .kept import Counters, KeptChapters
from .paginator import Paginator, Section
from .textprep import Advance, TextPrep, latin_advance
from .units import HEADING_INDENT, HEADING_SIZE, Block, UnitMaker


def layout_book(book: m.Book, ed: EditionConfig, data: BuildData, *,
                advance: Advance | None = None,
                kept_in: Path | None = None) -> tuple[lt.LayoutResult, list[Diagnostic]]:
    """Lay out a pdf edition of `book` with the build's shared data.

    Returns the pages (a `LayoutResult`: a sequence of `Page` that also carries
    the normalized text stream and the geometry) and BB7xx diagnostics.
    `advance` gives a Latin run's width in em (default: the hmtx of the edition's font chain).
    A bad CSL style (`data.citation_errors`) is reported here, and citations
    fall back to key + locator.  `kept_in`: a folder where each chapter's
    columns are kept for the next build (kept.py; not with a given `advance`).
    """
    diags = list(data.citation_errors) if book.sources else []
    citations = data.citations if book.sources and not data.citation_errors else None
    # what every chapter borrows from the book: the same in every pass (the pages are per chapter)
    ctx = kept.context(book, ed, data, citations, (ed.font, *fallback_families(ed)[0])) \
        if kept_in is not None and advance is None else None
    advance = advance or latin_advance(ed.font, fallback_families(ed)[0])
    pages_of: dict[str, int] = {}
    # 圖三（第52頁）: the page is known once the book is laid out, so a book that
    # asks for one is laid out again with the pages of the pass before, until
    # they hold (the 索引 needs no second pass: it comes last, backindex.py).
    for _ in range(XREF_PASSES):
        eng = _Engine(book, ed, advance, data, citations, pages_of)
        if ctx is not None:
            eng.kept = KeptChapters(kept_in, ctx)
        with _no_gc():
            pages = eng.run()
        found = figure_pages(pages)
        if not eng.mk.page_refs or found == pages_of:
            break
        pages_of = found
    return (lt.LayoutResult(pages, eng.mk.stream.text(), eng.geo, eng.index_pages, eng.index_entries, eng.kept),
            diags + eng.diags)


@contextmanager
def _no_gc():
    """Pause the cyclic GC: a book makes ~10⁶ small acyclic objects (units), and the
    collector's repeated passes over them cost more than the layout itself (2.3 s → 1.3 s
    CPU for 440k characters).  On the way out they are frozen (gc.freeze) before the GC
    resumes, or its first pass would be a full one over all of them (≈0.1 s); being
    acyclic, they are still freed by their reference counts, and render/pdf unfreezes
    at the end of its build."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


XREF_PASSES = 3


def figure_pages(pages: list[lt.Page]) -> dict[str, int]:
    """Figure or table id -> the page it is placed on (a table: where it starts)."""
    out: dict[str, int] = {}
    for p in pages:
        for fig in p.figures:
            if fig.id:
                out.setdefault(fig.id, p.number)
        for c in p.columns:
            if c.table is not None and c.table.id:
                out.setdefault(c.table.id, p.number)
    return out


class _Engine:
    def __init__(self, book, ed, advance, data: BuildData, citations, pages_of=None):
        numbers = data.numbers
        self.book, self.ed, self.numbers, self.citations, self.index = book, ed, numbers, citations, data.index
        self.geo = lt.Geometry.of(ed)
        self.rules = Rules.of(ed)
        self.advance = advance
        self.prep = TextPrep(ed, book.config)
        self.mk = UnitMaker(ed, self.prep, advance, numbers, citations, book, self._chapter_label,
                            figures=getattr(data, "figures", None), xref_pages=dict(pages_of or {}))
        self.diags: list[Diagnostic] = []
        self.titles: dict[int, tuple[str, int]] = {}
        self.index_pages: dict[m.Pos, int] = {}
        self.index_entries: list = []
        self.kept: KeptChapters | None = None

    def _chapter_label(self, index: int) -> str:
        return chapter_label(self.book, index)

    def _break(self, blocks: list[Block], chars: int | None = None) -> list[lt.Column]:
        out: list[lt.Column] = []
        for b in blocks:
            if b.role == lt.FIGURE:
                cols, d = place_block(b, self)
                self.diags += d
                out += cols
                continue
            if b.level:
                self.titles[b.id] = (b.title, b.level)
            cols, d = break_block(b, chars or self.geo.chars, self.rules, self.advance)
            self.diags += d
            out += cols
        return out

    # ------------------------------------------------------------ run
    def run(self) -> list[lt.Page]:
        book, ed = self.book, self.ed
        page_mode = ed.notes == "page"
        sections, page_notes, book_notes = [], {}, []
        for ch in book.chapters:
            sec, notes = self._chapter(ch)
            if page_mode:
                page_notes.update(notes)
            elif ed.notes == "chapter" and notes:
                head = self.mk.generated_block("注釋", lt.HEADING[2], ch.index, HEADING_SIZE[2],
                                               HEADING_INDENT[2], level=2)
                sec.flow += self._break([head])
                sec.notes = list(notes.items())
            elif notes:
                book_notes.append((ch, notes))
            sections.append(sec)
        sections += self._back_sections(book_notes)
        pg = Paginator(self.geo, ed, book.config.title, self.prep.folio, self.titles,
                       page_notes if page_mode else None)
        pg.fixed_page(lt.PAGE_TITLE, fm.title_page(book, self.mk, self.geo, self.rules), folio=False)
        pg.fixed_page(lt.PAGE_COLOPHON, fm.colophon_page(book, self.mk, self.geo, self.rules))
        index = self.index
        entries = [(s.title, 1) for s in sections if s.toc] + ([(INDEX_TITLE, 1)] if index else [])
        toc, per_entry = fm.toc_flow(entries, self.mk, self.geo, self.rules)
        self.titles[toc[0].block] = ("目次", 1)
        pg.section(Section("目次", None, toc, opener=False, role=lt.PAGE_TOC))
        lists = self._figure_lists(pg) if ed.list_of_figures else []
        starts = []
        for sec in sections:
            first = pg.section(sec)
            if sec.toc:
                starts.append(first)
        if index:   # last: every page number it prints is final by now
            self.index_pages = occurrence_pages(pg.pages, self.mk.index_marks)
            self.index_entries = entry_pages(index, self.index_pages)
            blocks = index_blocks(index, self.index_pages, self.mk, book.config.range)
            starts.append(pg.section(Section(INDEX_TITLE, None, self._break(blocks))))
        fm.fill_toc(per_entry, starts, self.mk)
        page_of = placed_pages(pg.pages)
        for per, where in lists:
            fm.fill_toc(per, [page_of.get(pos, 0) for pos in where], self.mk)
        return pg.pages

    def _figure_lists(self, pg: Paginator) -> list:
        """圖目次 / 表目次 after the 目次 (their pages are filled in at the end)."""
        out = []
        numerals = lambda label: self.prep.numerals(label, positional=True)  # noqa: E731
        for title, items in figure_lists(self.book, self.mk.figures, numerals):
            flow, per = fm.toc_flow([(text, 1) for text, _ in items], self.mk, self.geo, self.rules, title)
            self.titles[flow[0].block] = (title, 1)
            pg.section(Section(title, None, flow, opener=False, role=lt.PAGE_TOC))
            out.append((per, [pos for _, pos in items]))
        return out

    def _chapter(self, ch: m.Chapter) -> tuple[Section, dict[str, list[lt.Column]]]:
        title = chapter_title(self.book, ch) if ch.title or ch.number else ""
        note_ids = self.numbers.by_chapter.get(ch.index, [])
        flow, notes = self._make_chapter(ch, note_ids) if self.kept is None else self._kept_chapter(ch, note_ids)
        return Section(title or self.book.config.title, ch.index, flow, toc=bool(title)), notes

    def _kept_chapter(self, ch: m.Chapter, note_ids: list[str]) -> tuple[list[lt.Column], dict]:
        """The chapter restored from an earlier build, or made and noted to be kept (kept.py)."""
        key = kept.chapter_key(self.kept.ctx, self.book, ch, note_ids, self.mk.figures, self.mk.xref_pages)
        rec = self.kept.get(key)
        if rec is not None:
            return kept.restore(rec, self.mk, self.diags, self.titles)
        before, refs = Counters.of(self.mk, self.diags, self.titles), self.mk.page_refs
        self.mk.page_refs = False       # did this chapter ask for a page (圖三（第52頁）)?
        flow, notes = self._make_chapter(ch, note_ids)
        made = kept.pending(self.mk, self.diags, self.titles, before, flow, notes, self.mk.page_refs)
        self.mk.page_refs = refs or self.mk.page_refs
        if made is not None:
            self.kept.put(key, made)
        return flow, notes

    def _make_chapter(self, ch: m.Chapter, note_ids: list[str]) -> tuple[list[lt.Column], dict]:
        blocks: list[Block] = []
        if ch.title or ch.number:
            pos = next((n.pos for n in m.walk_inlines(ch.title) if getattr(n, "pos", None)), ch.toml_pos)
            prefix = chapter_label(self.book, ch.index) if wants_label(ch) else ""
            blocks.append(self.mk.heading(ch.title, 1, pos, ch.index, prefix=prefix))
        blocks += self.mk.blocks(ch.blocks, ch.index)
        flow = self._break(blocks)
        notes = {}
        for nid in note_ids:
            label = str(self.numbers.number(nid))
            nblocks = self.mk.note(self.book.notes[nid], label, ch.index, self.geo.note_size)
            notes[nid] = self._break(nblocks)
        return flow, notes

    def _back_sections(self, book_notes) -> list[Section]:
        out = []
        if book_notes:
            head = self.mk.generated_block("注釋", lt.HEADING[1], None, HEADING_SIZE[1],
                                           HEADING_INDENT[1], level=1)
            queue = []
            for ch, notes in book_notes:
                if len(book_notes) > 1 or self.book.config.note_numbering == "chapter":
                    sub = self.mk.generated_block(self._chapter_label(ch.index) or m.plain_text(ch.title),
                                                  lt.NOTE_HEADING, ch.index, self.geo.note_size)
                    queue.append(("", self._break([sub])))
                queue += list(notes.items())
            out.append(Section("注釋", None, self._break([head]), queue))
        bib = fm.bibliography_blocks(self.book, self.citations, self.mk)
        if bib:
            out.append(Section("參考書目", None, self._break(bib)))
        glos = fm.glossary_blocks(self.book, self.mk)
        if glos:
            out.append(Section("詞彙表", None, self._break(glos)))
        return out
