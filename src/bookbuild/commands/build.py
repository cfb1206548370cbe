"""`bookbuild build`: load, check, then build each edition (a table of contents of the build)."""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from ..atomic import write_text
from ..transform import script
from ..diagnostics import Diagnostic, render, summary, to_json_obj
from ..load import NoBook, find_book_toml
from .check import check_book
from .progress import Progress

RENDERERS = {"epub": "bookbuild.render.epub:build_epub", "pdf": "bookbuild.render.pdf:build_pdf"}


def _renderer(fmt: str):
    module, name = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module), name)


def run_build(book_dir: Path, *, editions: list[str] = (), out_dir: Path | None = None, jobs: int | None = None,
              fmt: str = "text", stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        root, _, _ = find_book_toml(book_dir.resolve())
    except NoBook as e:
        print(f"bookbuild: {e}", file=stderr)
        return 2
    with Progress(stderr) as progress:
        progress.stage("check")
        diags, book = check_book(root)
    if book is None or summary(diags)[0]:
        stdout.write(render(diags, fmt, root))
        print("bookbuild: not building: fix the errors above first", file=stderr)
        return 1
    names = editions or [e.name for e in book.config.editions]
    unknown = [n for n in names if n not in {e.name for e in book.config.editions}]
    if unknown:
        known = ", ".join(e.name for e in book.config.editions)
        print(f"bookbuild: no edition named {', '.join(unknown)} in book.toml (editions: {known})", file=stderr)
        return 2
    out_dir = out_dir or root / "dist"
    cache_dir = root / ".bookbuild" / "cache"
    all_diags = list(diags)
    with Progress(stderr) as progress:
        for name in names:
            all_diags += _build_edition(book, book.config.edition(name), out_dir, cache_dir, jobs, progress)
    stdout.write(render(all_diags, fmt, root))
    return 1 if summary(all_diags)[0] else 0


def _build_edition(book, edition, out_dir: Path, cache_dir: Path, jobs, progress) -> list[Diagnostic]:
    progress.stage(f"{edition.name} ({edition.format})")
    build = _renderer(edition.format)
    target = out_dir / f"{edition.name}.{edition.format}"
    book = script.for_edition(book, edition)
    try:
        if edition.format == "pdf":
            diags = build(book, edition.name, out_dir, cache_dir, jobs=jobs, progress=progress.update)
        else:
            diags = build(book, edition, target, cache_dir)
        if edition.format != "pdf":  # the pdf renderer writes its own log with layout warnings
            write_text(out_dir / f"{edition.name}.log.json",
                       json.dumps(to_json_obj(diags, book.root), ensure_ascii=False, indent=2) + "\n")
    except OSError as e:
        return [Diagnostic("BB601", f"cannot write {target}: {e.strerror or e}", str(target), 1, 1,
                           "check that the output folder is writable and the disk has space")]
    return diags
