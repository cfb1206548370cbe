"""`bookbuild fix [BOOK_DIR] [--check] [--diff]`: the §4 **fix** rows, in place.

Rewrites the chapters listed in book.toml and `footnotes/*.md` with
`fix_text` (punctuation rows and leading indent), atomically, after copying
each file it changes to `.bookbuild/backup/<timestamp>/`.  A file with
nothing to change is never opened for writing (its mtime stays).  Bytes
outside the changes stay as they were: line endings and a BOM survive.

`--check` writes nothing, prints the BB401 positions (the same ones
`bookbuild check` reports) and exits 1 if anything would change.
`--diff` prints a unified diff of the changes (with or without `--check`).
`--no-backup` rewrites without the copies in `.bookbuild/backup/`.
"""
from __future__ import annotations

import difflib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from ..booktoml import NoBook, find_book_toml
from ..check.punctuation import bb401
from ..config import BookConfig
from ..diagnostics import Diagnostic, cannot_write, format_text
from ..lines import LineIndex
from ..load import read_config
from ..load.files import MAX_FILE_BYTES, decode_utf8, inside_root, relpath
from ..transform.normalize import fix_text
from ..transform.protected_spans import protected_spans

BOM = b"\xef\xbb\xbf"


@dataclass
class _Source:
    rel: str
    path: Path          # resolved path inside the book root
    data: bytes         # the file as read
    text: str           # decoded, BOM dropped, line endings as written


def run_fix(book_dir: Path, *, check: bool, diff: bool, stdout, stderr, no_backup: bool = False) -> int:
    book_dir = Path(book_dir)
    try:
        root, toml_path, diags = find_book_toml(book_dir)
    except NoBook as e:
        print(f"bookbuild: {e}", file=stderr)
        return 2
    if diags:
        return _fail(diags, root, stderr)
    config, _, diags = read_config(root, toml_path)
    if config is None:
        return _fail(diags, root, stderr)
    errors: list[Diagnostic] = []
    found: list[Diagnostic] = []
    backup: _Backup | None = None
    changed_files = 0
    for src in _sources(root, config, errors):
        new_text, changes = fix_text(src.text, protected_spans(src.text),
                                     range_mark=config.range, interpunct=config.interpunct)
        if not changes:
            continue
        changed_files += 1
        if diff:
            stdout.write(_unified(src.rel, src.text, new_text))
        if check:
            index = LineIndex(src.text)
            found += [bb401(src.rel, c, index) for c in changes]
            continue
        try:
            backup = backup or (None if no_backup else _Backup(root))
        except OSError as e:
            errors.append(cannot_write(".bookbuild/backup/", e, file=src.rel,
                                       hint="nothing is rewritten without its backup "
                                            "(fix the folder's permissions, or run with --no-backup)"))
            break
        err = _write(src, new_text, backup)
        if err:
            errors.append(err)
        else:
            kept = f" (backup in {_shown(root, backup.rel(src.rel))})" if backup else ""
            print(f"fixed {_shown(root, src.rel)}: {len(changes)} change{'s' * (len(changes) != 1)}{kept}",
                  file=stdout)
    if check and found:
        stdout.write(format_text(found, root))
    _summary(changed_files, check, stdout)
    if errors:
        stderr.write(format_text(errors, root))
        return 1
    return 1 if check and changed_files else 0


# ------------------------------------------------------------------ input

def _sources(root: Path, config: BookConfig, errors: list[Diagnostic]):
    """The chapter files, then footnotes/*.md, each once, decoded."""
    seen: set[str] = set()
    entries = [(c.file, (config.path, c.line, c.col)) for c in config.chapters]
    notes = root / "footnotes"
    if notes.is_dir():
        entries += [(relpath(root, p), None) for p in sorted(notes.glob("*.md"))]
    for rel, where in entries:
        if rel in seen:
            continue
        seen.add(rel)
        src = _read(root, rel, where, errors)
        if src is not None:
            yield src


def _read(root: Path, rel: str, where, errors: list[Diagnostic]) -> _Source | None:
    wfile, wline, wcol = where or (rel, 1, 1)
    path = inside_root(root, rel)
    if path is None:
        errors.append(Diagnostic("BB508", f"{rel} is outside the book root or a symlink loop",
                                 wfile, wline, wcol, "keep every book file inside the book folder"))
        return None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(Diagnostic("BB510", f"{rel} is larger than 64 MiB; not fixed", rel, 1, 1,
                                     "split the file"))
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        errors.append(Diagnostic("BB501", f"{rel} does not exist", wfile, wline, wcol,
                                 "check the path in book.toml (paths are relative to the book root)"))
        return None
    except OSError as e:
        errors.append(Diagnostic("BB508", f"{rel} cannot be read: {e.strerror}", rel, 1, 1,
                                 "check the file's permissions"))
        return None
    text, diags = decode_utf8(data, rel)
    if text is None:
        errors += diags   # BB503: skipped, never half-fixed
        return None
    return _Source(rel, path, data, text)


# ----------------------------------------------------------------- output

class _Backup:
    """One folder per run under .bookbuild/backup/, never reused."""

    def __init__(self, root: Path):
        base = root / ".bookbuild" / "backup"
        base.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for n in range(10000):
            folder = base / (stamp if n == 0 else f"{stamp}-{n}")
            try:
                folder.mkdir()
                break
            except FileExistsError:
                continue
        self.root, self.folder = root, folder

    def rel(self, rel: str) -> str:
        return relpath(self.root, self.folder / rel)

    def save(self, rel: str, data: bytes) -> None:
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:   # "x": a backup is never overwritten
            try:
                f.write(data)
            except BaseException:
                target.unlink(missing_ok=True)  # no half copy that looks like a backup
                raise


def _write(src: _Source, new_text: str, backup: _Backup | None) -> Diagnostic | None:
    """The backup first, then the atomic rename: an author's file is never
    half-written, and never rewritten without its copy (unless --no-backup)."""
    data = (BOM if src.data.startswith(BOM) else b"") + new_text.encode("utf-8")
    try:
        if backup is not None:
            backup.save(src.rel, src.data)
        mode = stat.S_IMODE(src.path.stat().st_mode)
        with atomic_path(src.path) as tmp:
            tmp.write_bytes(data)
            os.chmod(tmp, mode)   # mkstemp makes 0600; keep the author's mode
    except OSError as e:
        return cannot_write(src.rel, e, hint="check free space and permissions; the file was left as it was")
    return None


def _unified(rel: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{rel}", tofile=f"b/{rel}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _shown(root: Path, rel: str) -> str:
    full = (root / rel).resolve()
    try:
        return os.path.relpath(full, Path.cwd())
    except ValueError:
        return str(full)


def _summary(n: int, check: bool, stdout) -> None:
    files = f"{n} file{'s' * (n != 1)}"
    if not n:
        print("nothing to fix", file=stdout)
    elif check:
        print(f"{files} would be fixed (run bookbuild fix)", file=stdout)
    else:
        print(f"fixed {files}", file=stdout)


def _fail(diags: list[Diagnostic], root: Path, stderr) -> int:
    stderr.write(format_text(diags, root))
    return 1
