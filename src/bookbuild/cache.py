"""Content-addressed cache of the loaded and checked book.

The key hashes every input file's bytes (book.toml, manuscript/, footnotes/,
the names and sizes of assets/), the fonts the editions name, and the
bookbuild version; an unchanged book is answered from `.bookbuild/cache/`
without running Pandoc or the checks again.
"""
from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pathlib
import pickle
import re
import stat
from operator import attrgetter
from pathlib import Path

from . import __version__, config, model
from .atomic import atomic_path
from .booktoml import book_toml_path
from .diagnostics import Diagnostic
from .limits import MAX_FILE_BYTES

_INPUT_DIRS = ("manuscript", "footnotes", "styles")   # styles: url()s are checked (check/assets.py)


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """Changes whenever bookbuild's own source changes (editable installs).  Computed
    once per process (a build asks for it from several caches)."""
    here = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(here.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(here)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def book_key(root: Path, fonts: list[str] = ()) -> str:
    h = hashlib.sha256(code_stamp().encode())
    h.update(str(root.resolve()).encode())
    real_root = root.resolve()
    for rel, path in _input_files(root):
        h.update(rel.encode() + b"\0" + _file_stamp(path, real_root) + b"\0")
    assets = root / "assets"
    if assets.is_dir():
        for p in sorted(assets.rglob("*")):
            # check/assets.py reads the images' headers and follows their symlinks:
            # a replaced file or a retargeted link must change the key
            st = p.lstat()
            target = os.readlink(p) if p.is_symlink() else ""
            h.update(f"{p.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}:{target}\0".encode())
    for font in fonts:
        h.update(font.encode())
    return h.hexdigest()[:32]


def _input_files(root: Path) -> list[tuple[str, Path]]:
    """book.toml, every entry under manuscript/ and footnotes/ (symlinks not followed), and the
    .md paths book.toml names elsewhere, so that a chapter kept outside manuscript/ is covered."""
    out = {"book.toml": root / "book.toml"}
    for d in _INPUT_DIRS:
        for folder, dirs, files in os.walk(root / d):   # followlinks=False: a symlink loop cannot trap it
            dirs.sort()
            for name in sorted(files + [x for x in dirs if os.path.islink(os.path.join(folder, x))]):
                p = Path(folder, name)
                out[p.relative_to(root).as_posix()] = p
    toml = book_toml_path(root)
    for rel in re.findall(r'"([^"\n]+\.md)"', _small_text(toml) if toml else ""):
        out.setdefault(rel, root / rel)
    return sorted(out.items())


def _small_text(path: Path) -> str:
    try:
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    return ""


def _file_stamp(path: Path, real_root: Path) -> bytes:
    """What identifies a file's content for the key, without ever blocking, reading
    unbounded data or reading outside the book: a symlink leaving the root (or looping) by
    its target, a FIFO/device/folder by its kind, a file over the input limit by size and
    mtime (the loader refuses it anyway), else its hash."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            link = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
            try:
                target = path.resolve(strict=True)
                target.relative_to(real_root)
            except (OSError, RuntimeError, ValueError):
                return link
            return link + b":" + _file_stamp(target, real_root)
        if not stat.S_ISREG(st.st_mode):
            return f"kind:{stat.S_IFMT(st.st_mode)}".encode()
        if st.st_size > MAX_FILE_BYTES:
            return f"big:{st.st_size}:{st.st_mtime_ns}".encode()
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").digest()
    except OSError as e:
        return f"error:{e.errno}".encode()


def has_results(cache_dir: Path) -> bool:
    """Whether any check result is kept (else the key need not be made before loading)."""
    try:
        return any(p.name.endswith(".diags.pickle") for p in os.scandir(cache_dir))
    except OSError:
        return False


def load(cache_dir: Path, key: str, part: str):
    """A cached part ("diags" or "book") of the check result for key, or None.  Read
    with safe_loads: only the model's, the config's and the diagnostics' classes (and
    paths) can be named in it."""
    path = cache_dir / f"check-{key}.{part}.pickle"
    try:
        return safe_loads(path.read_bytes(), book_classes())
    except Exception:       # absent, damaged, from another version, or planted
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
            with atomic_path(cache_dir / f"check-{key}.{part}.pickle") as tmp:
                tmp.write_bytes(safe_dumps(value, book_classes()))
    except (OSError, RecursionError, ValueError, TypeError, pickle.PicklingError):
        pass


@functools.cache
def book_classes() -> tuple[type, ...]:
    """Every class a kept book or its diagnostics may hold."""
    found = [c for mod in (model, config) for c in vars(mod).values()
             if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == mod.__name__]
    return (*found, Diagnostic, pathlib.PosixPath, pathlib.PurePosixPath, pathlib.WindowsPath,
            pathlib.PureWindowsPath)


# ---- pickles of our own dataclasses, read without running anyone's code ----
#
# A cache file is input too: whoever can write `.bookbuild/` must not be able to
# run code through it.  `safe_loads` is pickle's documented remedy ("Restricting
# Globals"): the unpickler finds only the classes it is given, so a pickle naming
# anything else (os.system, builtins.eval, …) is refused before it is called.
# Those classes are plain dataclasses, rebuilt by calling their constructor with
# their fields (`safe_dumps`), which is also 2-3 × faster both ways than
# dataclasses' own __getstate__/__setstate__ (0.14 → 0.06 s to write, 0.10 →
# 0.04 s to read the stress book's parses).

class UnsafePickle(pickle.UnpicklingError):
    """A cache pickle names a class outside its allowlist."""


@functools.cache
def _reducers(classes: tuple[type, ...]) -> dict:
    table = dict(copyreg.dispatch_table)
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            continue                        # e.g. a path: pickled its own way
        names = [f.name for f in dataclasses.fields(cls)]
        if not names or not all(f.init for f in dataclasses.fields(cls)):
            continue                        # pickle's own way (still only found if allowed)
        get = attrgetter(*names)
        table[cls] = ((lambda o, c=cls, g=get: (c, (g(o),))) if len(names) == 1
                      else (lambda o, c=cls, g=get: (c, g(o))))
    return table


def safe_dumps(value, classes: tuple[type, ...]) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _reducers(classes)
    pickler.dump(value)
    return buf.getvalue()


class _Restricted(pickle.Unpickler):
    def __init__(self, data: bytes, classes: tuple[type, ...]):
        super().__init__(io.BytesIO(data))
        self._allowed = {(c.__module__, c.__qualname__): c for c in classes}

    def find_class(self, module, name):
        found = self._allowed.get((module, name))
        if found is None:
            raise UnsafePickle(f"{module}.{name} is not allowed in this cache file")
        return found


def safe_loads(data: bytes, classes: tuple[type, ...]):
    """The value safe_dumps wrote; raises (UnsafePickle or any error of a damaged
    file) when the data is not such a pickle of `classes`."""
    return _Restricted(data, classes).load()
