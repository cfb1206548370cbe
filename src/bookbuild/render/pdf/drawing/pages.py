"""The book's pages as one PDF: each page taken from the page cache or drawn now.

Worker processes draw the new pages (pool.py) while this process merges the
cached ones (finishing/merge.py); then the drawn parts go in at their
places, their chunks into the cache, and each derived face becomes one
embedded font (fonts/subsets.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pikepdf import Pdf

from ..finishing.merge import insert_parts, merge_pages
from ..fonts.subsets import unify_fonts
from . import pool
from .draw import PartResult
from .pagecache import PageCache, chunk_name, page_keys
from .pool import HtmlMaker, Progress, Task, Workers

MAX_PAGES = 64     # pages per WeasyPrint run (≈ 70 ms start-up each, see pool.split_ranges)


@dataclass(frozen=True)
class DrawJob:
    """What drawing the pages of one build needs, besides their HTML."""
    context: str                    # pagecache.context_key: what every page of the build shares
    fonts: dict[str, str]           # CSS family → the derived font file the pages are drawn with
    base_url: str                   # the book root's URL, WeasyPrint's base for url()
    roots: tuple[Path, ...]         # the folders the fetcher may read from
    turned: bool                    # a vertical edition: drawn pages are turned
    jobs: int | None                # drawing processes (None: one per CPU)
    progress: Progress | None
    extra_glyphs: dict | None       # glyphs of the stamped heads (finishing/stamp.Heads.extra)
    workers: Workers | None = None  # processes forked when the build started


@dataclass
class Drawn:
    """The book's pages merged into one PDF (not yet saved)."""
    pdf: Pdf
    sources: list[Pdf]              # chunk files opened for the merge: close after saving
    parts: list[PartResult]         # the pages drawn in this build
    keys: list[str]
    drawn: int                      # pages drawn now (the others came from the cache)
    cache: PageCache
    fonts: dict                     # (family, derived file) -> the merged document's font

    def close(self) -> None:
        for s in self.sources:
            s.close()
        self.sources = []


def draw_book(htmls: list[str], html_for: HtmlMaker, job: DrawJob, folder: Path) -> Drawn:
    """Draw the pages whose key is new, take the others from the cache, merge
    them and give each derived face one embedded font (with `job.extra_glyphs`,
    see subsets.unify_fonts).  Call inside `pagecache.locked(folder)`."""
    try:
        return _draw_book(htmls, html_for, job, folder)
    except BaseException:
        if job.workers is not None:
            job.workers.close()     # before `locked` may remove a temporary folder they write in
        raise


def _draw_book(htmls: list[str], html_for: HtmlMaker, job: DrawJob, folder: Path) -> Drawn:
    keys = page_keys(htmls, job.context)
    cache = PageCache(folder)
    where = [cache.find(k) for k in keys]
    tasks = plan_tasks([i for i, w in enumerate(where) if w is None], keys, job.jobs, cache)
    # Workers draw the new pages while this process merges the cached ones.
    drawing = pool.start_tasks(tasks, html_for, job.base_url, list(job.roots), job.jobs, job.progress,
                               job.turned, job.workers)
    pdf, sources = merge_pages([(cache.path(w[0]), w[1]) for w in where if w is not None])
    files = [cache.fonts(w[0]) if w else job.fonts for w in where]
    parts = drawing.results()
    if job.progress:
        job.progress("merge", 0, 1)
    for task, part in zip(tasks, parts):
        # a page with an error or a WeasyPrint message is never reused: its diagnostics come from drawing it
        if not part.notdef and not part.refused and not part.messages:
            cache.add(task.out.stem, keys[task.first:task.stop], job.fonts)
    sources += insert_parts(pdf, [(t.first, t.stop, t.out) for t in tasks])
    merged = unify_fonts(pdf, files, job.extra_glyphs)
    return Drawn(pdf, sources, parts, keys, sum(t.stop - t.first for t in tasks), cache, merged)


def plan_tasks(missing: list[int], keys: list[str], jobs: int | None, cache: PageCache) -> list[Task]:
    """Runs of consecutive missing pages, cut into pieces of at most MAX_PAGES
    and small enough that every worker gets one; each piece is a new chunk."""
    runs: list[list[int]] = []
    for i in missing:
        if runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    jobs = max(1, jobs or os.cpu_count() or 1)
    size = max(1, min(MAX_PAGES, -(-len(missing) // jobs)))
    tasks = []
    for a, b in runs:
        count = -(-(b - a) // size)
        step, extra = divmod(b - a, count)
        for k in range(count):
            stop = a + step + (1 if k < extra else 0)
            name = chunk_name(keys[a:stop])
            tasks.append(Task(a, stop, cache.path(name), name))
            a = stop
    return tasks
