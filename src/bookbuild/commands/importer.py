"""`bookbuild import SOURCE --out BOOK_DIR`: convert (a file, or a folder of chapter files), then fix and
check the new book."""
from __future__ import annotations

import io
import sys
from pathlib import Path

from ..atomic import atomic_dir, write_text
from ..diagnostics import BookError, format_text
from ..imports import TEXT_SUFFIXES, EncodingError, chapter_files, import_source
from .check import run_check
from .fix import run_fix

SUFFIXES = {".docx", *TEXT_SUFFIXES}


def run_import(source: Path, out_dir: Path, *, encoding: str | None = None, notes: str = "auto",
               stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if source.is_dir():
        if not chapter_files(source):
            print(f"bookbuild: {source} has no .md/.txt chapter files to import", file=stderr)
            return 2
    elif not source.is_file():
        print(f"bookbuild: {source} does not exist", file=stderr)
        return 2
    elif source.suffix.lower() not in SUFFIXES:
        print(f"bookbuild: cannot import {source.suffix} files (use .docx, .txt or .md, or a folder of them)",
              file=stderr)
        return 2
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        print(f"bookbuild: {out_dir} is not empty; import writes only into a new or empty folder", file=stderr)
        return 2
    try:
        enc, problems = _import_atomically(source, out_dir, encoding, notes, stderr)
    except EncodingError as e:
        print(f"bookbuild: {source}: {e}", file=stderr)
        return 1
    except BookError as e:     # Pandoc stopped by its watchdog (BB605); nothing was imported
        stderr.write(format_text(e.diagnostics, source.parent))
        return 1
    except OSError as e:
        print(f"bookbuild: cannot write {out_dir}: {e.strerror or e}; nothing was imported", file=stderr)
        return 1
    print(f"imported {source} ({enc}) into {out_dir}", file=stderr)
    for p in problems:
        print(f"  {p}", file=stderr)
    return run_check([out_dir], stdout=stdout, stderr=stderr)


def _import_atomically(source: Path, out_dir: Path, encoding: str | None, notes: str, stderr):
    """Convert and fix in a temporary folder beside out_dir, then rename it
    into place: a failed or interrupted import leaves no half-made book
    (and an existing empty out_dir as it was)."""
    with atomic_dir(out_dir) as tmp:
        enc, problems = import_source(source, tmp, encoding, notes)
        _relocate_media(tmp, out_dir)
        # The new files are not the author's: no backup of them.
        run_fix(tmp, check=False, diff=False, no_backup=True, stdout=io.StringIO(), stderr=stderr)
    return enc, problems


def _relocate_media(tmp: Path, out_dir: Path) -> None:
    """Pandoc's --extract-media wrote the temporary folder's path into the
    Markdown: name out_dir, as an import straight into it would have."""
    for path in tmp.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if str(tmp) in text:
            write_text(path, text.replace(str(tmp), str(out_dir)))
