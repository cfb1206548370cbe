"""What every edition of one build computes from the book alone, computed once.

Note numbers, formatted citations (a Pandoc `--citeproc` run) and the 索引
depend on the book only, and the editions of one `bookbuild build` share one
book object (transform/script.py keeps it for editions in the book's own
script).  Each is computed on first use and kept for the last book seen; a
fingerprint guards against a caller that changes a book between two renders.
The renderers only read them.

    data = for_book(book)
    data.numbers(); data.citations(); data.index()
"""
from __future__ import annotations

from .. import model as m


class BookData:
    def __init__(self, book: m.Book):
        self.book = book
        self.mark = _mark(book)
        self._done: dict[str, object] = {}

    def _get(self, name: str, make):
        if name not in self._done:
            self._done[name] = make(self.book)      # an exception leaves nothing behind
        return self._done[name]

    def numbers(self):
        from ..transform.notes import number_notes
        return self._get("numbers", number_notes)

    def citations(self):
        """format_citations(book); raises its BookError (a bad CSL style) each time."""
        from ..transform.citeproc import format_citations
        return self._get("citations", format_citations)

    def index(self):
        from ..transform.bookindex import collect
        return self._get("index", collect)


_LAST: list[BookData] = []


def for_book(book: m.Book) -> BookData:
    if not (_LAST and _LAST[0].book is book and _LAST[0].mark == _mark(book)):
        _LAST[:] = [BookData(book)]
    return _LAST[0]


def forget() -> None:
    _LAST.clear()


def _mark(book: m.Book) -> tuple:
    # str hashes are cached on the objects: cheap after the first call
    return (id(book.config), len(book.chapters), len(book.notes), len(book.sources), len(book.terms),
            hash(tuple(book.texts.items())))
