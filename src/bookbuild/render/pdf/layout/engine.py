"""`layout_book`: the one entry of the layout engine (model → pages).

Order of a pdf edition: title page (1), 版權頁 (2), 目次 (3…), the chapters
(each on an odd page with chapter_start = "odd"), 注釋 (notes = "book"),
參考書目, 詞彙表, 索引 (backindex.py).  Pure Python; no drawing.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

from .... import model as m
from ....config import EditionConfig
from ....diagnostics import Diagnostic
from ....fontchain import fallback_families
from ....transform.build_data import BuildData
from ....transform.notes import chapter_label, chapter_title, wants_label
from . import frontmatter as fm
from . import layout_types as lt
from .backindex import INDEX_TITLE, entry_pages, index_blocks, occurrence_pages
from .breaker import Rules, break_block
from .paginator import Paginator, Section
from .textprep import Advance, TextPrep, latin_advance
from .units import HEADING_INDENT, HEADING_SIZE, Block, UnitMaker


def layout_book(book: m.Book, ed: EditionConfig, data: BuildData, *,
                advance: Advance | None = None) -> tuple[lt.LayoutResult, list[Diagnostic]]:
    """Lay out a pdf edition of `book` with the build's shared data.

    Returns the pages (a `LayoutResult`: a sequence of `Page` that also carries
    the normalized text stream and the geometry) and BB7xx diagnostics.
    `advance` gives a Latin run's width in em (default: the hmtx of the edition's font chain).
    A bad CSL style (`data.citation_errors`) is reported here, and citations
    fall back to key + locator.
    """
    diags = list(data.citation_errors) if book.sources else []
    citations = data.citations if book.sources and not data.citation_errors else None
    eng = _Engine(book, ed, advance or latin_advance(ed.font, fallback_families(ed)[0]), data, citations)
    with _no_gc():
        pages = eng.run()
    return (lt.LayoutResult(pages, eng.mk.stream.text(), eng.geo, eng.index_pages, eng.index_entries),
            diags + eng.diags)


@contextmanager
def _no_gc():
    """Pause the cyclic GC: a book makes ~10⁶ small acyclic objects (units), and the
    collector's repeated passes over them cost more than the layout itself (2.3 s → 1.3 s
    CPU for 440k characters)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class _Engine:
    def __init__(self, book, ed, advance, data: BuildData, citations):
        numbers = data.numbers
        self.book, self.ed, self.numbers, self.citations, self.index = book, ed, numbers, citations, data.index
        self.geo = lt.Geometry.of(ed)
        self.rules = Rules.of(ed)
        self.advance = advance
        self.prep = TextPrep(ed, book.config)
        self.mk = UnitMaker(ed, self.prep, advance, numbers, citations, book, self._chapter_label)
        self.diags: list[Diagnostic] = []
        self.titles: dict[int, tuple[str, int]] = {}
        self.index_pages: dict[m.Pos, int] = {}
        self.index_entries: list = []

    def _chapter_label(self, index: int) -> str:
        return chapter_label(self.book, index)

    def _break(self, blocks: list[Block], chars: int | None = None) -> list[lt.Column]:
        out: list[lt.Column] = []
        for b in blocks:
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
        return pg.pages

    def _chapter(self, ch: m.Chapter) -> tuple[Section, dict[str, list[lt.Column]]]:
        blocks: list[Block] = []
        title = chapter_title(self.book, ch) if ch.title or ch.number else ""
        if ch.title or ch.number:
            pos = next((n.pos for n in m.walk_inlines(ch.title) if getattr(n, "pos", None)), ch.toml_pos)
            prefix = chapter_label(self.book, ch.index) if wants_label(ch) else ""
            blocks.append(self.mk.heading(ch.title, 1, pos, ch.index, prefix=prefix))
        blocks += self.mk.blocks(ch.blocks, ch.index)
        flow = self._break(blocks)
        notes = {}
        for nid in self.numbers.by_chapter.get(ch.index, []):
            label = str(self.numbers.number(nid))
            nblocks = self.mk.note(self.book.notes[nid], label, ch.index, self.geo.note_size)
            notes[nid] = self._break(nblocks)
        return Section(title or self.book.config.title, ch.index, flow, toc=bool(title)), notes

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
