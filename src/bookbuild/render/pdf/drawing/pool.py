"""Page ranges drawn in parallel worker processes (docs/PRINT-ENGINE.md §7, §9.4).

The ranges are drawn in worker processes forked after import; each worker
turns its pages and gives its font subsets unique tags (draw.py), and the
parent merges the parts.  A worker that dies is noticed (`WorkerDied`), never
waited for.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import pool as mp
from pathlib import Path

from . import draw
from .draw import PartResult
from .forks import child_signals

# html_for(first, stop) -> the HTML document of pages [first, stop)
HtmlMaker = Callable[[int, int], str]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Task:
    """Pages [first, stop) of the build, drawn into `out`; `seed` makes the
    part's subset tags its own."""
    first: int
    stop: int
    out: Path
    seed: str


@dataclass(frozen=True)
class _Shared:
    """What every task of one drawing shares."""
    html_for: HtmlMaker
    base_url: str
    roots: list[Path]
    turn: bool


# Set in the parent right before the pool forks; the children inherit it, so
# the pages are never pickled.
_shared: _Shared | None = None


def _work(task: Task) -> PartResult:
    s = _shared
    # draw.draw_range looked up at each call: a test replaces it to plant a fault
    return draw.draw_range(s.html_for(task.first, task.stop), s.base_url, s.roots, task.out, task.seed, s.turn)


def split_ranges(n_pages: int, jobs: int, max_pages: int = 64) -> list[tuple[int, int]]:
    """Contiguous ranges: at least one per job, none above max_pages pages.

    More ranges than workers balance uneven pages and give finer progress;
    each range costs a WeasyPrint start (≈ 70 ms: fonts, stylesheet), hence the cap.
    """
    if n_pages <= 0:
        return []
    count = max(jobs, -(-n_pages // max_pages))
    count = min(count, n_pages)
    size, extra = divmod(n_pages, count)
    out, start = [], 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        out.append((start, stop))
        start = stop
    return out


def start_tasks(tasks: list[Task], html_for: HtmlMaker, base_url: str, roots: list[Path],
                jobs: int | None = None, progress: Progress | None = None,
                turn_pages: bool = True) -> Drawing:
    """Start drawing: with more than one job the workers begin at once and
    the caller may do other work before `results()`."""
    return Drawing(tasks, _Shared(html_for, base_url, roots, turn_pages),
                   max(1, jobs or os.cpu_count() or 1), progress)


# ------------------------------------------------------------- worker processes

def _worker_init() -> None:
    """A worker's start (tests plant a failing one here)."""
    child_signals()


def _guarded_init(*args) -> None:
    """A worker whose start fails ends quietly: multiprocessing would print
    its traceback to the user's terminal and start another, again and again;
    the parent sees the worker gone (_watched) and reports an internal error.
    The pause slows the pool's respawning of failing workers; the signals are
    the child's first (a SIGTERM from the pool's terminate must end it silently)."""
    try:
        child_signals()
        _worker_init()
    except BaseException:
        time.sleep(0.2)
        os._exit(70)


class Drawing:
    def __init__(self, tasks: list[Task], shared: _Shared, jobs: int, progress: Progress | None):
        global _shared
        self.tasks, self.progress, self.pool = tasks, progress, None
        self.watch = None       # the pool whose workers results() watches
        _shared = shared
        if jobs > 1 and tasks:
            workers = min(jobs, len(tasks))
            if len(tasks) > workers:
                importlib.import_module("weasyprint")   # once here, not in every worker
            self.pool = _pool(workers, initializer=_guarded_init)
            self.watch = self.pool
            self.it = self.pool.imap(_work, tasks)
        else:
            self.it = map(_work, tasks)        # drawn here, in results()

    def results(self) -> list[PartResult]:
        global _shared
        total = sum(t.stop - t.first for t in self.tasks)
        done, out = 0, []
        try:
            for r in _watched(self.it, self.watch):
                done += r.pages
                out.append(r)
                if self.progress:
                    self.progress("draw", done, total)
            return out
        finally:
            if self.pool is not None:
                end_pool(self.pool)
            _shared = None


# ------------------------------------------------------------- text pages

PARALLEL_FROM = 48      # fewer pages to write are written here: forking costs more than they do

# Set in the parent right before the pool forks (as _shared): page index -> TextPage or None
_painter = None


def _paint(indices: list[int]) -> list:
    return [_painter(i) for i in indices]


def paint_pages(indices: list[int], painter, jobs: int | None = None, progress: Progress | None = None) -> dict:
    """{page index: painter(index)} — textpages.Painter.paint for each page — in
    `jobs` processes forked now (they inherit the laid-out book; each sends
    back its pages' content streams), or here when there are few."""
    global _painter
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(indices) < PARALLEL_FROM:
        return {i: painter(i) for i in indices}
    step = -(-len(indices) // (4 * jobs))        # 4 pieces a worker: the pages differ in cost
    pieces = [indices[k:k + step] for k in range(0, len(indices), step)]
    _painter = painter
    pool = _pool(jobs, initializer=_guarded_init)
    out: dict = {}
    try:
        for piece, pages in zip(pieces, _watched(pool.imap(_paint, pieces), pool)):
            out.update(zip(piece, pages))
            if progress:
                progress("draw", len(out), len(indices))
        return out
    finally:
        end_pool(pool)
        _painter = None


class WorkerDied(RuntimeError):
    """A drawing worker ended without a result (killed, or a crash inside a C library)."""


def _pool(n: int, **kw):
    """A fork pool that remembers the workers it started with: Pool replaces a dead
    worker at once, so a set taken later (when the results are first read) could
    already hold the replacement and never see the death."""
    pool = multiprocessing.get_context("fork").Pool(n, **kw)
    pool.bb_started = frozenset(p.pid for p in pool._pool)
    return pool


def end_pool(pool) -> None:
    """Pool.terminate(), except after a worker died: then terminate() can wait forever for
    the task queue's lock (seen: a build hung in _help_stuff_finish after a worker's
    os._exit), so stop the pool's handler from respawning, kill the workers and drop the
    pool's own finalizer, which would wait on the same lock at exit."""
    if not any(p.exitcode is not None or p.pid not in pool.bb_started for p in pool._pool):
        pool.terminate()
        pool.join()
        return
    pool._state = pool._worker_handler._state = mp.TERMINATE
    for p in list(pool._pool):
        if p.exitcode is None:
            p.kill()
    for p in list(pool._pool):
        p.join(5)
    pool._terminate.cancel()


def _watched(it, pool):
    """The results of `pool.imap`: a worker that dies loses its task, and
    multiprocessing.Pool, which replaces the worker, would wait for that task
    forever; raise instead (the CLI turns it into an internal-error report, exit 3)."""
    if pool is None:
        yield from it
        return
    alive = pool.bb_started              # workers never exit on their own (no maxtasksperchild)
    while True:
        try:
            yield it.next(timeout=0.5)
        except StopIteration:
            return
        except multiprocessing.TimeoutError:
            if any(p.pid not in alive or p.exitcode is not None for p in pool._pool):
                raise WorkerDied("a page-drawing worker process died without a result") from None
