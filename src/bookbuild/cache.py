"""Content-addressed cache of the loaded and checked book.

The key hashes every input file's bytes (book.toml, manuscript/, footnotes/,
the names and sizes of assets/), the fonts the editions name, and the
bookbuild version; an unchanged book is answered from `.bookbuild/cache/`
without running Pandoc or the checks again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import __version__

_INPUT_DIRS = ("manuscript", "footnotes")


def _code_stamp() -> str:
    """Changes whenever bookbuild's own source changes (editable installs)."""
    here = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(here.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(here)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def book_key(root: Path, fonts: list[str] = ()) -> str:
    h = hashlib.sha256(_code_stamp().encode())
    h.update(str(root.resolve()).encode())
    files = [root / "book.toml"] + [p for d in _INPUT_DIRS for p in sorted((root / d).rglob("*")) if p.is_file()]
    for p in files:
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    assets = root / "assets"
    if assets.is_dir():
        for p in sorted(assets.rglob("*")):
            if p.is_file():
                h.update(f"{p.relative_to(root).as_posix()}:{p.stat().st_size}".encode())
    for font in fonts:
        h.update(font.encode())
    return h.hexdigest()[:32]


def load(cache_dir: Path, key: str, part: str):
    """A cached part ("diags" or "book") of the check result for key, or None."""
    path = cache_dir / f"check-{key}.{part}.pickle"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def store(cache_dir: Path, key: str, parts: dict) -> None:
    """Best effort: a read-only book folder simply gets no cache.  Parts are
    stored apart so that `check` reads only the small diagnostics file."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("check-*.pickle"):
            if not old.name.startswith(f"check-{key}."):
                old.unlink(missing_ok=True)
        for part, value in parts.items():
            tmp = cache_dir / f".check-{key}.{part}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache_dir / f"check-{key}.{part}.pickle")
    except OSError:
        pass
