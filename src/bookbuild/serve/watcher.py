"""A polling watcher on content hashes (no extra dependency, works on any filesystem).

Every `interval` seconds it stats the book's input files; only a file whose
size or mtime moved is read and hashed, so an idle poll reads nothing, and
a save that leaves the bytes as they were (touch, editor autosave) does not
trigger a rebuild.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from ..limits import MAX_FILE_BYTES

# What a book is made of (docs/FORMAT.md): book.toml, the chapters, the
# notes and data files, the styles and the assets.  The rest of the folder
# (dist/, .bookbuild/, a repository's code) is not watched.
WATCHED_DIRS = ("manuscript", "footnotes", "styles", "assets")
WATCHED_FILES = ("book.toml",)


def input_files(root: Path) -> list[Path]:
    out = [root / f for f in WATCHED_FILES if (root / f).is_file()]
    for d in WATCHED_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for p in base.rglob("*"):
            rel = p.relative_to(root).parts
            if any(part.startswith(".") for part in rel) or rel[-1].endswith("~"):
                continue  # editor swap and backup files
            if p.is_file():
                out.append(p)
    return sorted(out)


class Watcher:
    """Calls `on_change(set_of_relative_paths)` from its own thread."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None], interval: float = 0.25):
        self.root, self.on_change, self.interval = root, on_change, interval
        self._stats: dict[str, tuple[int, int]] = {}
        self._hashes: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bookbuild-watch", daemon=True)
        self.poll()  # the first snapshot is the baseline, not a change

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            changed = self.poll()
            if changed:
                self.on_change(changed)

    def poll(self) -> set[str]:
        """Relative paths added, removed or changed in content since the last poll."""
        stats: dict[str, tuple[int, int]] = {}
        changed: set[str] = set()
        for p in input_files(self.root):
            rel = p.relative_to(self.root).as_posix()
            try:
                st = p.stat()
            except OSError:
                continue  # removed between the walk and the stat
            stats[rel] = (st.st_size, st.st_mtime_ns)
            if self._stats.get(rel) == stats[rel]:
                continue
            digest = _hash(p)
            if digest != self._hashes.get(rel):
                self._hashes[rel] = digest
                changed.add(rel)
        for rel in set(self._stats) - set(stats):
            self._hashes.pop(rel, None)
            changed.add(rel)
        self._stats = stats
        return changed


def _hash(p: Path) -> str:
    """The content hash, streamed; a file over the 64 MiB input limit (which the build refuses
    with BB510) goes by size and mtime, so a huge file never fills the memory of the server."""
    try:
        st = p.stat()
        if st.st_size > MAX_FILE_BYTES:
            return f"big:{st.st_size}:{st.st_mtime_ns}"
        with open(p, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""
