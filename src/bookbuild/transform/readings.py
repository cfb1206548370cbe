"""The readings of 索引 words, kept on this machine (issue 19).

Importing pypinyin loads its phrase dictionary (0.2–0.3 s), more than the
rest of the 索引 of the stress book; the readings of a word depend only on
the data of pypinyin and OpenCC (bookindex.py reads a word in its OpenCC t2s
form) and on bookbuild's code.  So the readings a build computes are kept
in the machine's cache folder (`fonts.machine_cache()`, shared by every
book), in one file whose name is the hash of bookbuild's code stamp and the
identity (path, size, mtime) of every file of the two packages: an update
of either, or of bookbuild, starts a new file.  A file that cannot be read
or written only costs the time it would have saved.

    Readings.open() -> Readings         the file of the installed packages (empty when none)
    .get(word, method, compute) -> tuple[str, ...]
    .save()                             the new readings, atomically
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

from ..atomic import write_text
from ..cache import code_stamp
from ..fonts import machine_cache

PACKAGES = ("pypinyin", "opencc")
KEEP = 2            # files of other keys beyond this many (oldest first) are removed
MAX_WORDS = 200_000  # past this the file starts again (a bound on what one build reads)


class Readings:
    def __init__(self, path: Path | None, known: dict[str, dict[str, list[str]]]):
        self.path, self.known, self.added = path, known, 0

    @classmethod
    def open(cls, folder: Path | None = None) -> Readings:
        folder = folder if folder is not None else machine_cache()
        key = data_key()
        if folder is None or not key:
            return cls(None, {})
        path = Path(folder) / f"readings-{key}.json"
        try:
            known = json.loads(path.read_text("utf-8"))
            if not all(isinstance(v, dict) for v in known.values()):
                known = {}
        except (OSError, ValueError, AttributeError):
            known = {}       # absent, torn or foreign: computed again
        return cls(path, known)

    def get(self, word: str, method: str, compute) -> tuple[str, ...]:
        """The readings of `word` by `method` ("pinyin", "zhuyin"): kept, or `compute(word, method)`."""
        table = self.known.setdefault(method, {})
        found = table.get(word)
        if isinstance(found, list) and all(isinstance(s, str) for s in found):
            return tuple(found)
        value = compute(word, method)
        table[word] = list(value)
        self.added += 1
        return value

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        if sum(len(t) for t in self.known.values()) > MAX_WORDS:
            self.known = {}
        try:
            write_text(self.path, json.dumps(self.known, ensure_ascii=False, sort_keys=True))
            others = sorted((p for p in self.path.parent.glob("readings-*.json") if p != self.path),
                            key=lambda p: p.stat().st_mtime_ns)
            for p in others[:max(0, len(others) - (KEEP - 1))]:
                p.unlink(missing_ok=True)
        except OSError:
            pass
        self.added = 0


def data_key() -> str:
    """The hash of the code stamp and the identity of every file of PACKAGES (found
    without importing them); "" when one is not installed (nothing is kept)."""
    h = hashlib.sha256(code_stamp().encode())
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return ""
        for where in spec.submodule_search_locations:
            base = Path(where)
            for p in sorted(base.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts:
                    st = p.stat()
                    h.update(f"{name}/{p.relative_to(base).as_posix()}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:24]
