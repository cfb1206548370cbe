"""`bookbuild import SOURCE --out BOOK_DIR`: convert, then fix and check the new book."""
from __future__ import annotations

import io
import sys
from pathlib import Path

from ..imports import EncodingError, import_source
from .check import run_check

SUFFIXES = {".docx", ".txt", ".md", ".markdown", ".text"}


def run_import(source: Path, out_dir: Path, *, encoding: str | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if not source.is_file():
        print(f"bookbuild: {source} does not exist", file=stderr)
        return 2
    if source.suffix.lower() not in SUFFIXES:
        print(f"bookbuild: cannot import {source.suffix} files (use .docx, .txt or .md)", file=stderr)
        return 2
    if out_dir.exists() and any(out_dir.iterdir()):
        print(f"bookbuild: {out_dir} is not empty; import writes only into a new or empty folder", file=stderr)
        return 2
    try:
        enc, problems = import_source(source, out_dir, encoding)
    except EncodingError as e:
        print(f"bookbuild: {source}: {e}", file=stderr)
        return 1
    print(f"imported {source} ({enc}) into {out_dir}", file=stderr)
    for p in problems:
        print(f"  {p}", file=stderr)
    try:
        from .fix import run_fix
        run_fix(out_dir, check=False, diff=False, stdout=io.StringIO(), stderr=stderr)
    except ImportError:
        pass
    return run_check([out_dir], stdout=stdout, stderr=stderr)
