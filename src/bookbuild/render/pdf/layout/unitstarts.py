"""Where the units with text begin in the text stream, and on which page.

The 索引 needs the page of each occurrence (backindex.occurrence_pages): the
page of the first unit that starts inside its span.  Asking every unit of
the book for its offset would make the units of every kept chapter
(kept.py), so a kept chapter answers from its record: its units' starts,
sorted, with the column each is in.  The other columns give theirs.
"""
from __future__ import annotations

from bisect import bisect_left

from . import layout_types as lt


class UnitStarts:
    """offset -> page of the unit with text that starts there (its first page)."""

    def __init__(self, pages: list[lt.Page]):
        own: dict[int, int] = {}
        self._col_page: dict[tuple[int, int], int] = {}
        chapters: dict[int, object] = {}
        for p in pages:
            for c in p.columns + p.note_columns:
                ref = c.kept_ref()
                if ref is None:
                    for k in c.text_starts():
                        own.setdefault(k, p.number)
                else:
                    chapter, index = ref
                    chapters[id(chapter)] = chapter
                    self._col_page.setdefault((id(chapter), index), p.number)
        segments = []
        if own:
            offsets = sorted(own)
            segments.append((offsets, 0, [own[k] for k in offsets]))
        for chapter in chapters.values():
            offsets, cols = chapter.start_index()
            if len(offsets):
                segments.append((offsets, chapter.d_off, _Pages(self._col_page, id(chapter), cols)))
        self._segments = sorted(segments, key=lambda s: s[0][0] + s[1])

    def first_from(self, k: int, stop: int) -> int | None:
        """The page of the first start in [k, stop), or None."""
        best = None
        for offsets, d, pages in self._segments:
            if offsets[0] + d >= stop or (best is not None and offsets[0] + d >= best[0]):
                break
            i = bisect_left(offsets, k - d)
            while i < len(offsets) and offsets[i] + d < stop:
                page = pages[i]
                if page is not None:
                    if best is None or offsets[i] + d < best[0]:
                        best = (offsets[i] + d, page)
                    break
                i += 1
        return None if best is None else best[1]

    def last_before(self, k: int) -> int | None:
        """The page of the last start before k, or None."""
        best = None
        for offsets, d, pages in self._segments:
            i = bisect_left(offsets, k - d) - 1
            while i >= 0:
                page = pages[i]
                if page is not None:
                    if best is None or offsets[i] + d > best[0]:
                        best = (offsets[i] + d, page)
                    break
                i -= 1
        return None if best is None else best[1]


class _Pages:
    """A kept chapter's start i -> the page of its column."""

    __slots__ = ("col_page", "chapter", "cols")

    def __init__(self, col_page: dict, chapter: int, cols):
        self.col_page, self.chapter, self.cols = col_page, chapter, cols

    def __getitem__(self, i: int) -> int | None:
        return self.col_page.get((self.chapter, self.cols[i]))
