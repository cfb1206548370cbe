#!/usr/bin/env python3
"""Where one cold EPUB build spends its time, by stage (CPU of this process
and of its children, i.e. Pandoc, apart), without a profiler's overhead.

    python bench/epub_stages.py BOOK [--edition epub]

The book's `.bookbuild/` is removed first.  The stages are those of
commands/build.py for one edition: imports, load + check (`checked_book`),
the Simplified copy, `build_data.prepare` (its citeproc run begun during the
checks, as `bookbuild build` does), the renderer (XHTML, OPF, zip,
verification).  See PROFILE.md, "2026-12-07 (2)" and "(5)".
"""
from __future__ import annotations

import argparse
import io
import resource
import shutil
import tempfile
import time
from pathlib import Path

_LAST: list[float] = []


def _cpu() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _mark(name: str) -> None:
    now, (own, kids) = time.perf_counter(), _cpu()
    if _LAST:
        print(f"| {name} | {now - _LAST[0]:.2f} | {own - _LAST[1]:.2f} | {kids - _LAST[2]:.2f} |")
    _LAST[:] = [now, own, kids]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("book", type=Path)
    ap.add_argument("--edition", default="epub")
    args = ap.parse_args()
    print("| stage | wall s | CPU s | children CPU s |\n|---|---:|---:|---:|")
    _mark("")
    from bookbuild import gcpolicy
    from bookbuild.commands import build
    from bookbuild.commands.check import checked_book
    from bookbuild.transform import build_data, simplified
    _mark("imports (as `bookbuild build` does them)")
    with gcpolicy.fewer_passes():     # as run_build does
        _stages(args, build, checked_book, build_data, simplified)


def _stages(args, build, checked_book, build_data, simplified) -> None:
    shutil.rmtree(args.book / ".bookbuild", ignore_errors=True)
    early: list = []      # as run_build: citeproc begins while the book is checked
    found = checked_book(args.book, fmt="text", stdout=io.StringIO(), stderr=io.StringIO(), doing="timing",
                         on_load=lambda book: early.extend(build._early_data(book, [args.edition])))
    if isinstance(found, int):
        raise SystemExit(f"the book does not check clean (status {found})")
    root, book, _ = found
    _mark("load + check (checked_book)")
    edition = book.config.edition(args.edition)
    variant = simplified.for_edition(book, edition)
    _mark("Simplified copy (simplified.for_edition)")
    cache_dir = root / ".bookbuild" / "cache"
    begun = early[0] if early and early[0].book is variant else build_data.Preparing(variant, cache_dir)
    data = begun.finish()
    _mark("build data (build_data.prepare)")
    with tempfile.TemporaryDirectory(prefix="epub-stages-") as out:
        build.renderer(edition.format)(variant, edition, Path(out), data, cache_dir, jobs=None,
                                        progress=lambda *a, **k: None)
    _mark(f"render ({edition.format})")


if __name__ == "__main__":
    main()
