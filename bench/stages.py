#!/usr/bin/env python3
"""Where one print build spends its time, by stage, without a profiler's overhead.

    python bench/stages.py BOOK [--edition print] [--jobs 1] [--cold] [--boxes] [--keep-html DIR]

Runs `bookbuild build BOOK --edition print` in this process with timers
wrapped around the pipeline's functions (found by name; a function that
moved is reported as missing, never an error), then prints wall and CPU
seconds, and calls, per stage.  Nothing in src/ is changed.  With
`--jobs 1` the pages are drawn in this process, so the WeasyPrint rows
(render = cascade + layout, write = PDF drawing) cover every page; with
more jobs they cover only what the workers report (nothing).

`--boxes` counts WeasyPrint's boxes per page after each range is rendered
(outside the timers): text boxes, inline boxes (the spans), line boxes.
`--keep-html DIR` writes each drawn range's HTML there, for spans.py.
`--cold` removes BOOK/.bookbuild first.
"""
from __future__ import annotations

import argparse
import collections
import functools
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

AFTER_LAYOUT = "after the layout (layout_book's return to the pdf build's end)"
# (stage, "module:attribute" or "module:Class.method"); the order is the report's
STAGES = [
    ("load (+ citations as notes)", "bookbuild.commands.check:load_prepared"),
    ("check (run_checks)", "bookbuild.commands.check:run_checks"),
    ("shared data (numbers, citations, 索引)", "bookbuild.commands.build:_SharedData.for_edition"),
    ("layout (layout_book)", "bookbuild.render.pdf:layout_book"),
    ("derived fonts (book_faces)", "bookbuild.render.pdf:book_faces"),
    ("page digests from the layout (column_digests)", "bookbuild.render.pdf:column_digests"),
    ("page keys from the layout (layout_keys)", "bookbuild.render.pdf:layout_keys"),
    ("page HTML (page_html, per page written)", "bookbuild.render.pdf.drawing.page_html:page_html"),
    ("draw_book (drawing + merge, total)", "bookbuild.render.pdf:draw_book"),
    ("· page keys from the HTML", "bookbuild.render.pdf.drawing.pages:page_keys"),
    ("· page cache read (index, text pages)", "bookbuild.render.pdf.drawing.pagecache:PageCache.__init__"),
    ("· text pages, cached or written (textpages.py)", "bookbuild.render.pdf.drawing.pages:_text_pages"),
    ("· range HTML (wrap_pages)", "bookbuild.render.pdf:wrap_pages"),
    ("· draw_range (per range, total)", "bookbuild.render.pdf.drawing.draw:draw_range"),
    ("·· WeasyPrint parse + cascade + layout (HTML.render)", "weasyprint:HTML.render"),
    ("·· WeasyPrint PDF drawing (Document.write_pdf)", "weasyprint.document:Document.write_pdf"),
    ("·· turn pages", "bookbuild.render.pdf.finishing.turn:turn_pages"),
    ("·· retag fonts", "bookbuild.render.pdf.finishing.turn:retag_fonts"),
    ("· merge cached pages", "bookbuild.render.pdf.drawing.pages:merge_pages"),
    ("· insert drawn parts and text pages", "bookbuild.render.pdf.drawing.pages:_insert"),
    ("· the text pages' glyphs joined (extra_glyphs)", "bookbuild.render.pdf.drawing.pages:extra_glyphs"),
    ("· one font per face (unify_fonts)", "bookbuild.render.pdf.drawing.pages:unify_fonts"),
    ("finishing (_finish, total)", "bookbuild.render.pdf:_finish"),
    ("· stamp folios and heads", "bookbuild.render.pdf.finishing.stamp:Heads.stamp"),
    ("· font check (fallback_fonts)", "bookbuild.render.pdf:fallback_fonts"),
    ("· catalog + outline", "bookbuild.render.pdf:finish_catalog"),
    ("· link areas (page_links)", "bookbuild.render.pdf:page_links"),
    ("· links", "bookbuild.render.pdf:add_links"),
    ("· save (pikepdf)", "bookbuild.render.pdf:save"),
    ("page cache index save", "bookbuild.render.pdf.drawing.pagecache:PageCache.save"),
    (AFTER_LAYOUT, ""),
]

_wall: dict[str, float] = collections.defaultdict(float)
_cpu: dict[str, float] = collections.defaultdict(float)
_calls: dict[str, int] = collections.Counter()
_boxes: dict[str, int] = collections.Counter()
_depth: dict[str, int] = collections.Counter()
_keep: Path | None = None


def _timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        # a recursive or nested call of the same stage is counted once
        _depth[name] += 1
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **kw)
        finally:
            _depth[name] -= 1
            if not _depth[name]:
                _wall[name] += time.perf_counter() - t0
                _cpu[name] += time.process_time() - c0
                _calls[name] += 1
    return wrapper


def _resolve(spec: str):
    mod_name, attr = spec.split(":")
    owner = importlib.import_module(mod_name)
    *path, last = attr.split(".")
    for p in path:
        owner = getattr(owner, p)
    getattr(owner, last)            # AttributeError when it moved
    return owner, last


def install() -> list[str]:
    """Wrap every stage; return the names that could not be found."""
    missing = []
    install_after_layout()
    for name, spec in STAGES:
        if not spec:
            continue
        try:
            owner, last = _resolve(spec)
        except (ImportError, AttributeError):
            missing.append(f"{name} ({spec})")
            continue
        setattr(owner, last, _timed(name, getattr(owner, last)))
    return missing


def install_after_layout() -> None:
    """The AFTER_LAYOUT row: from each return of layout_book to the end of that pdf build."""
    import bookbuild.render.pdf as pdf
    layout, build = pdf.layout_book, pdf.build
    mark: list[tuple[float, float]] = []

    @functools.wraps(layout)
    def laid_out(*a, **kw):
        out = layout(*a, **kw)
        mark.append((time.perf_counter(), time.process_time()))
        return out

    @functools.wraps(build)
    def built(*a, **kw):
        try:
            return build(*a, **kw)
        finally:
            if mark:
                t0, c0 = mark.pop()
                _wall[AFTER_LAYOUT] += time.perf_counter() - t0
                _cpu[AFTER_LAYOUT] += time.process_time() - c0
                _calls[AFTER_LAYOUT] += 1
    pdf.layout_book, pdf.build = laid_out, built


def count_boxes(document) -> None:
    """Boxes per page of a rendered WeasyPrint document (not timed)."""
    from weasyprint.formatting_structure import boxes
    for page in document.pages:
        _boxes["pages"] += 1
        todo = [page._page_box]
        while todo:
            box = todo.pop()
            if isinstance(box, boxes.TextBox):
                _boxes["text boxes"] += 1
            elif isinstance(box, boxes.LineBox):
                _boxes["line boxes"] += 1
            elif isinstance(box, boxes.InlineBox):
                _boxes["inline boxes (spans)"] += 1
            todo.extend(getattr(box, "children", ()))


def install_box_counter() -> None:
    import weasyprint
    render = weasyprint.HTML.render

    @functools.wraps(render)
    def counting(self, *a, **kw):
        doc = render(self, *a, **kw)
        t0, c0 = time.perf_counter(), time.process_time()
        count_boxes(doc)
        # the count is not the build's: take it out of every open timer
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        for name, depth in _depth.items():
            if depth:
                _wall[name] -= dt
                _cpu[name] -= dc
        return doc
    weasyprint.HTML.render = counting


def install_html_keeper(folder: Path) -> None:
    from bookbuild.render.pdf.drawing import draw
    original = draw.draw_range

    @functools.wraps(original)
    def keep(html, *a, **kw):
        n = len(list(folder.glob("range-*.html")))
        (folder / f"range-{n:03d}.html").write_text(html, encoding="utf-8")
        return original(html, *a, **kw)
    draw.draw_range = keep


def report(total_wall: float, total_cpu: float, missing: list[str]) -> str:
    lines = [f"whole build: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU (this process)", "",
             "| stage | wall s | CPU s | share of wall | calls |", "|---|---:|---:|---:|---:|"]
    for name, _spec in STAGES:
        if _calls[name]:
            lines.append(f"| {name} | {_wall[name]:.2f} | {_cpu[name]:.2f} | "
                         f"{_wall[name] / total_wall:.0%} | {_calls[name]} |")
    if _boxes:
        pages = _boxes["pages"] or 1
        lines += ["", "| WeasyPrint boxes | total | per page |", "|---|---:|---:|"]
        lines += [f"| {k} | {v} | {v / pages:.1f} |" for k, v in _boxes.items()]
    if missing:
        lines += ["", "not found (moved?): " + "; ".join(missing)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("book", type=Path)
    ap.add_argument("--edition", default="print")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--cold", action="store_true", help="remove BOOK/.bookbuild first")
    ap.add_argument("--boxes", action="store_true", help="count WeasyPrint boxes per page")
    ap.add_argument("--keep-html", type=Path, help="write each drawn range's HTML here")
    args = ap.parse_args(argv)
    if args.cold:
        shutil.rmtree(args.book / ".bookbuild", ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    from bookbuild.commands.build import run_build
    missing = install()
    if args.boxes:
        install_box_counter()
    if args.keep_html:
        args.keep_html.mkdir(parents=True, exist_ok=True)
        install_html_keeper(args.keep_html)
    with tempfile.TemporaryDirectory() as out:
        rc = run_build(args.book, editions=[args.edition], out_dir=Path(out), jobs=args.jobs)
    print(report(time.perf_counter() - t0, time.process_time() - c0, missing))
    return rc


if __name__ == "__main__":
    sys.exit(main())
