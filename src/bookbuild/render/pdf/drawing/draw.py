"""Draw laid-out pages with WeasyPrint, in parallel page ranges.

Every page's content is fixed before WeasyPrint sees it (one `<section>`
per page), so any page range can be drawn on its own: the ranges are drawn
in worker processes forked after import (vertical-pdf-design.md §7, §9.4),
each worker turns its pages and gives its font subsets unique tags, and the
parent merges the parts.

WeasyPrint is imported only where pages are drawn: a rebuild that takes
every page from the page cache never loads it (≈ 0.4 s), and a rebuild that
draws a few pages does so in a worker while the parent merges the others.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pikepdf

from ...atomic import atomic_path
from ...capture import capture
from . import turn
from .fetch import about_refused, fetcher_class
from .html import _BOLD_ROLES, Faces, Frame, _cls, _pt

# html_for(first, stop) -> the HTML document of pages [first, stop)
HtmlMaker = Callable[[int, int], str]
Progress = Callable[[str, int, int], None]


def __getattr__(name: str):
    if name == "RestrictedFetcher":     # draw.RestrictedFetcher([...]) as before
        return fetcher_class()
    raise AttributeError(name)


@dataclass
class PartResult:
    path: Path
    pages: int
    notdef: list[str] = field(default_factory=list)   # WeasyPrint's .notdef warnings
    refused: list[str] = field(default_factory=list)  # URLs the fetcher refused
    refusals: list[tuple[str, str, str]] = field(default_factory=list)   # (url, code, reason)
    messages: list[str] = field(default_factory=list)  # WeasyPrint's other warnings and errors


def draw_range(html: str, base_url: str, roots: list[Path], out: Path, part: int | str,
               turn_pages: bool = True) -> PartResult:
    """Draw one HTML document, turn its pages (vertical editions), retag its
    subsets (tags seeded by `part`), write `out` (atomically: it may be a
    page-cache chunk that another build reads)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = fetcher_class()(roots)
    # WeasyPrint's warnings (CSS it ignores, images it could not load, .notdef)
    # come back with the part, from a worker process too (capture.py).
    with capture() as logged:
        fonts = FontConfiguration()
        data = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            font_config=fonts, uncompressed_pdf=False)
    messages = [m.text for m in logged]
    pdf = pikepdf.Pdf.open(_bytes_io(data))
    if turn_pages:
        turn.turn_pages(pdf)
    turn.retag_fonts(pdf, part)
    n = len(pdf.pages)
    with atomic_path(out) as tmp:
        pdf.save(tmp)
    notdef = [m for m in messages if ".notdef" in m]
    others = [m for m in messages if ".notdef" not in m and not about_refused(m, fetcher.refused)]
    return PartResult(out, n, notdef, fetcher.refused, fetcher.refusals, others)


def _bytes_io(data: bytes):
    import io
    return io.BytesIO(data)


# ------------------------------------------------------------- parallel

@dataclass(frozen=True)
class Task:
    """Pages [first, stop) of the build, drawn into `out`; `seed` makes the
    part's subset tags its own."""
    first: int
    stop: int
    out: Path
    seed: str


# Set in the parent right before the pool forks; the children inherit it, so
# the pages are never pickled.
_JOB: dict = {}


def _work(task: Task) -> PartResult:
    j = _JOB
    return draw_range(j["html_for"](task.first, task.stop), j["base_url"], j["roots"], task.out,
                      task.seed, j["turn"])


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


def draw_pages(n_pages: int, html_for: HtmlMaker, base_url: str, roots: list[Path], tmp: Path,
               jobs: int | None = None, progress: Progress | None = None,
               turn_pages: bool = True) -> list[PartResult]:
    """Draw pages [0, n_pages) in `jobs` processes into `tmp`; returns the parts
    in page order.  `turn_pages=False` for a horizontal edition, drawn on its
    reading page."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    tasks = [Task(a, b, tmp / f"part-{i:04d}.pdf", str(i))
             for i, (a, b) in enumerate(split_ranges(n_pages, jobs))]
    return draw_tasks(tasks, html_for, base_url, roots, jobs, progress, turn_pages)


def draw_tasks(tasks: list[Task], html_for: HtmlMaker, base_url: str, roots: list[Path],
               jobs: int | None = None, progress: Progress | None = None,
               turn_pages: bool = True) -> list[PartResult]:
    """Draw each task in `jobs` processes (forked after import); results in task order."""
    return start_tasks(tasks, html_for, base_url, roots, jobs, progress, turn_pages).results()


def start_tasks(tasks: list[Task], html_for: HtmlMaker, base_url: str, roots: list[Path],
                jobs: int | None = None, progress: Progress | None = None,
                turn_pages: bool = True, workers: "Workers | None" = None) -> "Drawing":
    """Start drawing: with more than one job the workers begin at once and
    the caller may do other work before `results()`.  `workers`: processes
    started earlier (Workers) to draw with."""
    return Drawing(tasks, dict(html_for=html_for, base_url=base_url, roots=roots, turn=turn_pages),
                   max(1, jobs or os.cpu_count() or 1), progress, workers)


# ------------------------------------------------------------- worker processes

def _worker_init(warm: bool = False) -> None:
    child_signals()
    if warm:
        importlib.import_module("weasyprint")


def _guarded_init(*args) -> None:
    """A worker whose start fails ends quietly: multiprocessing would print
    its traceback to the user's terminal and start another, again and again;
    the parent sees the worker gone (_watched) and reports an internal error.
    The pause slows the pool's respawning of failing workers; the signals are
    the child's first (a SIGTERM from the pool's terminate must end it silently)."""
    try:
        child_signals()
        _worker_init(*args)
    except BaseException:
        time.sleep(0.2)
        os._exit(70)


def child_signals() -> None:
    """In a process forked for drawing or writing: Ctrl-C reaches the whole
    process group, but only the parent decides (it terminates the pool);
    SIGTERM ends the process at once, as the kernel's default does (a
    Python handler could miss a signal that lands just before a blocking
    wait, and the parent would wait for ever); the parent removes what it
    left (atomic.remove_stale: the pid is in the temporary name); and the
    process ends with its parent, even one killed with SIGKILL (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM, 0, 0, 0)     # PR_SET_PDEATHSIG


def _resolve_prctl():
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None     # not Linux: the pool's own shutdown ends the workers


# Resolved here, in the parent: a child forked while other threads run (the
# pool's) must not import or dlopen — a lock held at fork time deadlocks it.
_PRCTL = _resolve_prctl()


class Workers:
    """Worker processes forked when a pdf build starts, before the layout:
    each imports WeasyPrint while the parent lays out the book (≈ 0.4 s of
    the edit loop).  Forked before the pages existed, they get each task's
    HTML with the task."""

    def __init__(self, jobs: int | None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.pool = (_pool(self.jobs, initializer=_guarded_init, initargs=(True,))
                     if self.jobs > 1 else None)

    def close(self) -> None:
        if self.pool is not None:
            end_pool(self.pool)
            self.pool = None


def _work_html(args) -> PartResult:
    task, html, base_url, roots, turn_pages = args
    return draw_range(html, base_url, roots, task.out, task.seed, turn_pages)


class Drawing:
    def __init__(self, tasks: list[Task], job: dict, jobs: int, progress: Progress | None,
                 workers: Workers | None = None):
        self.tasks, self.progress, self.pool = tasks, progress, None
        self.watch = None       # the pool whose workers results() watches
        _JOB.clear()
        _JOB.update(job)
        if workers is not None and workers.pool is not None and tasks:
            # html_for runs in the pool's feeder thread, task by task
            self.watch = workers.pool
            self.it = workers.pool.imap(_work_html, ((t, job["html_for"](t.first, t.stop), job["base_url"],
                                                      job["roots"], job["turn"]) for t in tasks))
        elif jobs > 1 and tasks:
            workers = min(jobs, len(tasks))
            if len(tasks) > workers:
                importlib.import_module("weasyprint")   # once here, not in every worker
            self.pool = _pool(workers, initializer=_guarded_init)
            self.watch = self.pool
            self.it = self.pool.imap(_work, tasks)
        else:
            self.it = map(_work, tasks)        # drawn here, in results()

    def results(self) -> list[PartResult]:
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
            _JOB.clear()


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
    from multiprocessing import pool as mp
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


# ------------------------------------------------------------ stylesheets

def font_css(faces: Faces, urls: dict[str, str]) -> str:
    """@font-face rules for the derived faces (family → file URL)."""
    out = []
    for family, url in urls.items():
        weight = "bold" if family == faces.bold else "normal"
        out.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); font-weight: {weight}; }}')
    return "\n".join(out)


def geometry_css(frame: Frame, faces: Faces, crop_marks: bool = False) -> str:
    """Page size and the only font families allowed (no fallbacks, VT-28)."""
    bold = ", ".join(f"p.{_cls(r)}" for r in sorted(_BOLD_ROLES))
    marks = "crop" if crop_marks else "none"
    return f"""
@page {{ size: {_pt(frame.width)} {_pt(frame.height)}; margin: 0; bleed: {_pt(frame.bleed)}; marks: {marks}; }}
html {{ font-family: "{faces.upright}"; font-size: {_pt(frame.s)}; line-height: {_pt(frame.s)}; }}
section.page {{ width: {_pt(frame.width)}; height: {_pt(frame.height)}; }}
{bold} {{ font-family: "{faces.bold}"; font-weight: bold; }}
.folio, .rh {{ font-family: "{faces.horizontal}"; }}
"""


# ------------------------------------------------------------ book styles

# book-format.md "Files and safety": in pdf editions the grid comes from the
# geometry keys; these properties would break it (or bring characters and
# fonts the derived faces do not have) and are dropped from the book's CSS.
_BANNED = re.compile(
    r"^(font|font-family|font-size|font-feature-settings|font-variant.*|line-height|letter-spacing|"
    r"word-spacing|text-indent|text-align|text-align-last|text-transform|white-space|writing-mode|"
    r"direction|unicode-bidi|content|margin.*|padding.*|(min-|max-)?(width|height)|inset.*|"
    r"position|top|left|right|bottom|float|display|transform.*|size|marks|bleed)$")
_DROP_AT = {"import", "font-face", "namespace"}


def book_css(text: str) -> str:
    """The book's stylesheet without the grid-breaking declarations; nothing
    from a stylesheet too large or too deeply nested to parse safely
    (check/assets.py reports it, BB510)."""
    import tinycss2
    from ...check.assets import css_problem

    if css_problem(text) is not None:
        return ""

    return tinycss2.serialize(_filter_rules(tinycss2.parse_stylesheet(text, skip_comments=True)))


def _filter_rules(rules):
    import tinycss2
    from tinycss2 import ast

    out = []
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            rule.content = _filter_decls(rule.content)
        elif isinstance(rule, ast.AtRule):
            kw = rule.lower_at_keyword
            if kw in _DROP_AT:
                continue
            if rule.content is not None and kw in ("media", "supports", "layer"):
                rule.content = _filter_rules(tinycss2.parse_rule_list(rule.content))
            elif rule.content is not None:   # @page and its margin boxes
                rule.content = _filter_decls(rule.content)
        out.append(rule)
    return out


def _filter_decls(content):
    """Keep the allowed declarations; drop nested at-rules (e.g. @page margin
    boxes, whose `content` would bring text the layout never saw)."""
    import tinycss2
    from tinycss2 import ast

    kept = []
    for node in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True):
        if isinstance(node, ast.Declaration) and not _BANNED.match(node.lower_name):
            important = " !important" if node.important else ""
            kept.append(f"{node.name}:{tinycss2.serialize(node.value).strip()}{important}")
    return tinycss2.parse_component_value_list(" " + "; ".join(kept) + " ")
