"""The book's pages as one PDF: each page taken from the page cache or drawn now.

Worker processes draw the new pages (pool.py) while this process merges the
cached ones (finishing/merge.py); then the drawn parts go in at their
places, their chunks into the cache, and each derived face becomes one
embedded font (fonts/subsets.py).
"""
from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ..finishing.merge import merge_pages
from ..finishing.turn import Turn
from ..fonts.subsets import FontFiles, unify_fonts
from . import pool
from .draw import PartResult
from .pagecache import PageCache, chunk_name, page_keys, text_stamp
from .pool import HtmlMaker, Progress, Task, paint_pages
from .textpages import FACES, TextPage, extra_glyphs

# painter(i) -> page i written without WeasyPrint, or None (textpages.Painter.paint)
PagePainter = Callable[[int], "TextPage | None"]

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
    extra_glyphs: dict | None       # glyphs of the stamped heads and the text pages
    size: tuple[float, float, float] = (0.0, 0.0, 0.0)   # L trim width, height and bleed (text pages)
    text_faces: dict[str, tuple[str, str]] | None = None  # text pages' face -> (family, derived file)


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
    texts: list[TextPage | None]    # each page's text page (None: drawn by WeasyPrint)

    def close(self) -> None:
        for s in self.sources:
            s.close()
        self.sources = []


def draw_book(htmls: list[str], html_for: HtmlMaker, job: DrawJob, folder: Path,
              painter: PagePainter | None = None, keys: list[str | None] | None = None) -> Drawn:
    """Make the pages whose key is new — written straight into the PDF by
    `painter` where it can (textpages.py), else drawn by WeasyPrint — take
    the others from the cache, merge them and give each derived face one
    embedded font (with `job.extra_glyphs`, see subsets.unify_fonts).  Call
    inside `pagecache.locked(folder)`.  `keys`: the pages' keys where the
    layout makes them (layoutkeys.py; None: the page's HTML does)."""
    return _draw_book(htmls, html_for, job, folder, painter, keys)


def _draw_book(htmls: list[str], html_for: HtmlMaker, job: DrawJob, folder: Path,
               painter: PagePainter | None, keys: list[str | None] | None) -> Drawn:
    keys = [k or page_keys([htmls[i]], job.context)[0] for i, k in enumerate(keys or [None] * len(htmls))]
    cache = PageCache(folder, text_stamp() if painter else "")
    # each derived file hashed once (for the text pages and unify_fonts), compressed once (kept in folder/fonts)
    files = FontFiles(folder / "fonts")
    text_pages, painted = _text_pages(keys, cache, painter, job, files)
    where = [None if t else cache.find(k) for k, t in zip(keys, text_pages)]
    tasks = plan_tasks([i for i, w in enumerate(where) if w is None and not text_pages[i]], keys, job.jobs, cache)
    # Workers draw the new pages while this process merges the cached ones.
    drawing = pool.start_tasks(tasks, html_for, job.base_url, list(job.roots), job.jobs, job.progress,
                               job.turned)
    pdf, sources = merge_pages([(cache.path(w[0]), w[1]) for w in where if w is not None])
    page_files = [cache.fonts(w[0]) if w else job.fonts for w in where]
    parts = drawing.results()
    if job.progress:
        job.progress("merge", 0, 1)
    for task, part in zip(tasks, parts):
        # a page with an error or a WeasyPrint message is never reused: its diagnostics come from drawing it
        if not part.notdef and not part.refused and not part.messages:
            cache.add(task.out.stem, keys[task.first:task.stop], job.fonts)
    sources += _insert(pdf, tasks, text_pages, job.size)
    extra = _joined_glyphs(job.extra_glyphs, extra_glyphs(text_pages))
    merged = unify_fonts(pdf, page_files, extra, files)
    files.prune()
    _give_fonts(pdf, text_pages, merged)
    drawn = sum(t.stop - t.first for t in tasks) + painted
    return Drawn(pdf, sources, parts, keys, drawn, cache, merged, text_pages)


def _text_pages(keys: list[str], cache: PageCache, painter: PagePainter | None, job: DrawJob, files: FontFiles):
    """Each page's text page (from an earlier build while its derived font
    files are unchanged, or written now, in parallel) or None; and how many
    were written now."""
    if painter is None:
        return [None] * len(keys), 0
    digests = files.digest
    now = tuple((face, family, path, digests(path)) for face, (family, path) in sorted((job.text_faces or {}).items()))
    out: list[TextPage | None] = []
    for key in keys:
        page = cache.texts.get(key)      # pages of earlier builds
        if page is not None and any(digests(path) != digest for _, _, path, digest in page.fonts):
            page = None
        out.append(page)
    missing = [i for i, page in enumerate(out) if page is None]
    painted = 0
    for i, page in paint_pages(missing, painter, job.jobs, job.progress).items():
        if page is not None:
            out[i] = page = replace(page, fonts=now)
            cache.add_text(keys[i], page)
            painted += 1
    return out, painted


def _joined_glyphs(heads: dict | None, texts: dict) -> dict | None:
    """The stamped heads' glyphs and the text pages' (the heads' first where both have one)."""
    out = dict(heads or {})
    for key, glyphs in texts.items():
        out[key] = {**glyphs, **out.get(key, {})}
    return out or None


def _insert(pdf: Pdf, tasks: list[Task], text_pages: list[TextPage | None],
            size: tuple[float, float, float]) -> list[Pdf]:
    """Put the drawn parts' pages and the text pages at their places, in
    ascending order (every page before i is then in place); returns the
    opened part files, to close after saving."""
    sources, at = [], {}
    for t in tasks:
        src = Pdf.open(t.out)
        sources.append(src)
        for i in range(t.first, t.stop):
            at[i] = (src, i - t.first)
    for i, t in enumerate(text_pages):
        if t is not None:
            at[i] = t
    made = _TextPages(pdf, size) if any(text_pages) else None
    for i in sorted(at):
        what = at[i]
        if isinstance(what, TextPage):
            pdf.pages.insert(i, made.page(what))
        else:
            pdf.pages.insert(i, what[0].pages[what[1]])
    return sources


class _TextPages:
    """Text pages as pages of P: L's page with the boxes WeasyPrint gives its
    pages, turned as turn.turn_page turns those (the same boxes, and the
    content between the same two streams) — done once for all, since every
    text page has the same boxes."""

    def __init__(self, pdf: Pdf, size: tuple[float, float, float]):
        self.pdf = pdf
        media, trim, bleed = _boxes(*size)
        turn = Turn(media)
        self.boxes = {"/MediaBox": turn.rect(media), "/TrimBox": turn.rect(trim), "/BleedBox": turn.rect(bleed)}
        # compressed here as qpdf would compress them when it saves (it leaves Flate streams alone)
        self.before, self.after = zlib.compress(turn.cm(), 6), zlib.compress(turn.end(), 6)

    def page(self, page: TextPage) -> pikepdf.Page:
        flate = self.pdf.make_stream
        contents = [flate(data, Filter=Name.FlateDecode) for data in (self.before, page.content, self.after)]
        return pikepdf.Page(Dictionary(Type=Name.Page, **{k[1:]: v for k, v in self.boxes.items()},
                                       Resources=Dictionary(Font=Dictionary()), Contents=Array(contents)))


def _boxes(width: float, height: float, bleed: float) -> tuple[Array, Array, Array]:
    """MediaBox, TrimBox, BleedBox as WeasyPrint computes them (weasyprint/pdf):
    from the stylesheet's lengths (0.001 pt) through CSS pixels and back, and
    written with six decimals, so both kinds of page have the same boxes."""
    w, h, b = (float(f"{v:.3f}") * (1 / 0.75) for v in (width, height, bleed))
    left = top = -0.75 * b
    right, bottom = left + 0.75 * (w + 2 * b), top + 0.75 * (h + 2 * b)
    cut = 0.75 * b
    trim = (left + cut, top + cut, right - cut, bottom - cut)
    edge = min(10, cut)
    box = (trim[0] - edge, trim[1] - edge, trim[2] + edge, trim[3] + edge)
    return tuple(Array([Decimal(f"{v:f}") for v in r]) for r in ((left, top, right, bottom), trim, box))


def _give_fonts(pdf: Pdf, text_pages: list[TextPage | None], merged: dict) -> None:
    """Each text page's faces: the merged fonts (made from its glyphs by unify_fonts).
    A dictionary of its own for every page (the stamp adds the heads' font to some)."""
    made: dict[tuple, dict] = {}
    for page, t in zip(pdf.pages, text_pages):
        if t is not None:
            key = (t.fonts, tuple(t.faces()))
            fonts = made.get(key)
            if fonts is None:
                fonts = made[key] = {str(FACES[face]): merged[t.font_of(face)] for face in t.faces()}
            page.obj.Resources.Font = Dictionary(fonts)


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
