"""The chapter documents of a long book written by two processes (issue 19).

The chapters' XHTML is most of an EPUB build's own time (≈ 0.8 s CPU of
1.1 s on the stress book) and all of it is Python, so a second thread
cannot help; a process forked with the finished shared data writes the
later chapters while this one writes the earlier ones, and sends back its
documents and what they added to the context (the source positions of their
element ids, the files of the 索引 occurrences, the normalized texts).

The documents must be the bytes one process would write.  What a chapter
leaves in the context for later ones is known: images are numbered in
order of first use, so when the child registered an image this process
did not know at the fork, its documents are dropped and the later
chapters written here; a page-list (`page_source`) places its marks in
order, so such an edition is never split.  A child that fails, or cannot
be forked, is the same fallback.  `jobs = 1` (`--jobs 1`) never forks, nor does
a system other than Linux (macOS forbids a fork of a process with threads).
"""
from __future__ import annotations

import pickle
import sys
from collections.abc import Callable

from ... import model as m
from ...procs import Forked
from .context import Context
from .document import Doc, Facts

MIN_CHARS = 120_000     # below this, forking and sending back costs more than it saves
PARENT_SHARE = 0.45     # of the chapters' weight: this process also draws the cover and title page
NOTE_CHARS = 150        # a note's weight when the chapters are balanced (its text is elsewhere)


class Pending:
    """The chapters being written: `begin` forks the child (before the cover is
    drawn, so that this process draws it meanwhile), `docs()` writes the earlier
    chapters here and takes the child's, `close()` ends a child not taken."""

    def __init__(self, ctx: Context, render: Callable[[Context, m.Chapter], Doc], cut: int,
                 child: Forked | None = None, known: tuple[int, int] = (0, 0), facts: Facts | None = None):
        self.ctx, self.render, self.cut, self.known, self.facts = ctx, render, cut, known, facts
        self.child = child or Forked(None)

    def docs(self) -> list[Doc]:
        """render(ctx, ch) of every chapter, in order."""
        ctx, chapters = self.ctx, self.ctx.book.chapters
        first = [self.render(ctx, ch) for ch in chapters[:self.cut]]
        if not self.child.pid:
            return first
        payload = self.child.take()
        later = _taken(ctx, payload, self.facts) if payload is not None else None
        return first + (later if later is not None else [self.render(ctx, ch) for ch in chapters[self.cut:]])

    def close(self) -> None:
        self.child.close()


def begin(ctx: Context, render: Callable[[Context, m.Chapter], Doc], jobs: int | None,
          kept: Callable[[m.Chapter], bool] = lambda ch: False, facts: Facts | None = None) -> Pending:
    """Fork the child that writes the later chapters, when worth it; `kept(ch)`: the
    chapter's document is kept from an earlier build (chapter_cache.py), no work;
    `facts`: the child reads its documents' (document.Facts) and sends them back."""
    chapters = ctx.book.chapters
    cut = _cut(ctx, kept)
    if jobs == 1 or ctx.pages is not None or not cut or not sys.platform.startswith("linux"):
        return Pending(ctx, render, len(chapters), facts=facts)
    known = (len(ctx.images), _memo_size(ctx))
    child = Forked(lambda: _written(ctx, render, chapters[cut:], known, facts))
    return Pending(ctx, render, cut if child.pid else len(chapters), child, known, facts)


def _cut(ctx: Context, kept: Callable[[m.Chapter], bool]) -> int:
    """Where the later half of the chapters to be written starts (by text and notes), 0 when they are
    too short."""
    weights = [0 if kept(ch) else
               len(ctx.book.texts.get(ch.file, "")) + NOTE_CHARS * len(ctx.numbers.by_chapter.get(ch.index, ()))
               for ch in ctx.book.chapters]
    total = sum(weights)
    if len(weights) < 2 or not total or total < MIN_CHARS:
        return 0
    run = 0
    for i, w in enumerate(weights):
        run += w
        if run >= total * PARENT_SHARE:
            return min(max(i + 1, 1), len(weights) - 1)
    return len(weights) - 1


def _memo_size(ctx: Context) -> int:
    return len(ctx.text.memo) if ctx.text.memo is not None else 0


def _written(ctx: Context, render, chapters: list[m.Chapter], known: tuple[int, int],
             facts: Facts | None = None) -> bytes:
    """The child's answer: its documents and what they added to the context."""
    docs = [render(ctx, ch) for ch in chapters]
    files = {d.file for d in docs}
    memo = list(ctx.text.memo.items())[known[1]:] if ctx.text.memo is not None else []
    added = {"images": len(ctx.images) != known[0],
             "source_ids": {f: ids for f, ids in ctx.source_ids.items() if f in files},
             "index_files": {k: f for k, f in ctx.index_files.items() if f in files},
             "memo": memo, "facts": [facts.of(d) for d in docs] if facts is not None else None}
    return pickle.dumps((docs, added), protocol=pickle.HIGHEST_PROTOCOL)


def _taken(ctx: Context, payload: bytes, facts: Facts | None = None) -> list[Doc] | None:
    """The child's documents with its additions merged into ctx; None when they cannot be used."""
    docs, added = pickle.loads(payload)
    if added["images"]:
        return None        # image numbers depend on the order of first use: write them here
    for f, ids in added["source_ids"].items():
        ctx.source_ids[f] = ids
    ctx.index_files.update(added["index_files"])
    if ctx.text.memo is not None:
        ctx.text.memo.update(added["memo"])
    if facts is not None and added["facts"] is not None:
        for doc, found in zip(docs, added["facts"]):
            facts.add(doc, found)
    return docs
