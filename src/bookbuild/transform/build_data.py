"""What every edition of one build shares, computed once by `bookbuild build`.

Note numbers, figure and table numbers, formatted citations (one Pandoc `--citeproc` run) and the 索引
depend on the book alone (one book per script: the Simplified editions share
their converted copy), so the build command computes them once with
`prepare(book)` and passes the object to every renderer, which only reads it.
A pdf edition's layout.json, once built, is added to `page_layouts` for the
epub editions that take their print page numbers from it (`page_source`).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..diagnostics import BookError, Diagnostic
from .bookindex import BookIndex, collect
from .citeproc import Citations, format_citations
from .figures import FigureNumbers, number_figures
from .notes import NoteNumbers, number_notes


@dataclass
class BuildData:
    numbers: NoteNumbers
    citations: Citations
    # A bad CSL style: the epub editions stop on it, the print layout reports
    # it and prints citations as key + locator.
    citation_errors: list[Diagnostic]
    index: BookIndex
    figures: FigureNumbers = field(default_factory=FigureNumbers)   # 圖3 / 表2 by position and by id
    page_layouts: dict[str, dict] = field(default_factory=dict)   # pdf edition -> its parsed layout.json
    # EditionText.memo of the editions rendered from this data in one build:
    # (normalizer settings, text) -> normalized text
    normalized: dict = field(default_factory=dict)
    # what an epub edition worked out about this book that the next one reads
    # again (render/epub/chapter_cache.py: the chapters' part of their keys)
    epub_memo: dict = field(default_factory=dict)


def prepare(book: m.Book, cache_dir: Path | None = None) -> BuildData:
    """Number the notes, figures and tables, format the citations and collect the 索引 of `book`.
    With `cache_dir`, citeproc's answer is kept there for the next build (citeproc_cache.py)."""
    return Preparing(book, cache_dir).finish()


class Preparing:
    """`prepare` in two halves.  Made, it numbers the notes and starts citeproc's
    Pandoc run (≈ 0.5 s on the stress book) in a thread; `finish()` collects
    the 索引, numbers the figures and waits for the citations.  `bookbuild
    build` makes it as soon as the book is loaded, so Pandoc formats the
    citations while the book is checked (commands/build.py): the book may
    still have errors then, so whatever the thread raises waits for
    `finish()`, which only a book that checked clean reaches."""

    def __init__(self, book: m.Book, cache_dir: Path | None = None):
        self.book = book
        pool = ThreadPoolExecutor(1, thread_name_prefix="bookbuild-citeproc")
        # one worker: the citations start once the numbers are made
        self._numbers = pool.submit(number_notes, book)   # the citations and the 索引 read the same numbers
        self._citations = pool.submit(_citations, book, self._numbers, cache_dir)
        pool.shutdown(wait=False)

    def finish(self) -> BuildData:
        numbers = self._numbers.result()
        index, figures = collect(self.book, numbers), number_figures(self.book)
        citations, errors = self._citations.result()
        return BuildData(numbers, citations, errors, index, figures)


def _citations(book: m.Book, numbers, cache_dir: Path | None) -> tuple[Citations, list[Diagnostic]]:
    try:
        return format_citations(book, numbers.result(), cache_dir), []
    except BookError as e:
        return Citations(), list(e.diagnostics)
