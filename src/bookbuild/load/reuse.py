"""Reuse of the Markdown parse per file: a file whose bytes did not change is not
given to Pandoc again (the edit loop: one note edited parses one notes file).

The build still makes ONE Pandoc run (load/pandoc_parts.py), on the parts of
the files that changed.  What is kept per file is what the conversion made of
it (`FileParse`: its parts converted into the model, and the diagnostics its
scan and conversion gave), keyed by

    sha256(bookbuild's code stamp, the Pandoc binary's identity, the reader,
           the file's kind and path, the file's text).

A file is stored only when its parse could not depend on any other file:
nothing is reused or stored when any part given to Pandoc holds a reference
definition (`[x]: url`, `[^x]:` — Pandoc resolves those across the whole
input) or an example list `(@)` (numbered across the input): a kept file never
held one (it was stored from a clean run), and a changed file that holds one
makes the build parse every file again.  Nor is anything stored when
the run found a YAML metadata block; a file Pandoc warned about (BB604), that
failed (BB605) or that came back incomplete is not stored.

One file per parsed file, `.bookbuild/cache/parsed/<key>.pickle` (an edit
writes one small file, not the whole book's parses); after each load the
files of keys not used in it are removed, so the folder never grows.  Read
with `cache.safe_loads`: only the model's classes can be named in them, so a
planted file cannot run code.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import pickle
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..atomic import atomic_path
from ..cache import code_stamp, safe_dumps, safe_loads
from ..diagnostics import Diagnostic
from .pandoc_parts import READER

FOLDER = "parsed"
_OLD_FILE = "parsed.pickle"     # one pickle of every file's parse, before 2026-12-07 (5)
# Pandoc state shared across the whole input: reference/note definitions, example lists
_CROSS_FILE = re.compile(r"^ {0,3}\[[^\]\n]+\]:|\(@", re.M)


@dataclass
class Part:
    """One part converted: a chapter file, or one note definition of a notes file."""
    blocks: list | None            # None: left out (nested too deep; its BB510 is in the file's diags)
    inline_notes: list[m.Note]
    note_id: str = ""              # a note definition: its id and where its marker is
    pos: m.Pos | None = None
    diags: list[Diagnostic] = field(default_factory=list)   # its own (BB406, BB510): only if it is used


@dataclass
class FileParse:
    scan_diags: list[Diagnostic] = field(default_factory=list)    # before Pandoc (BB109, BB203, BB510)
    parts: list[Part] = field(default_factory=list)
    expected: int = 0                                             # parts the file has


def pandoc_identity() -> str:
    """Every Pandoc binary pypandoc may run (its own, $PYPANDOC_PANDOC, the PATH's), by
    path, size and mtime, found without importing pypandoc (0.13 s) when all is reused."""
    spec = importlib.util.find_spec("pypandoc")
    bundled = [Path(p, "files", "pandoc") for p in (spec.submodule_search_locations or [])] if spec else []
    out = []
    for p in bundled + [os.environ.get("PYPANDOC_PANDOC", ""), shutil.which("pandoc") or ""]:
        try:
            st = os.stat(p)
            out.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        except (OSError, ValueError):
            out.append(f"{p}:-")
    return "|".join(out)


def depends_across(parts: list[str]) -> bool:
    """A part holds what Pandoc shares across its whole input (module docstring)."""
    return any(_CROSS_FILE.search(p) for p in parts)


class ParseCache:
    """The parses of one book's Markdown files; `enabled` is set False when the
    book's files may depend on each other in Pandoc (depends_across)."""

    def __init__(self, cache_dir: Path | None):
        self.folder = cache_dir / FOLDER if cache_dir is not None else None
        self.enabled = self.folder is not None
        self._stamp = f"{code_stamp()}\0{pandoc_identity()}\0{READER}\0" if self.enabled else ""
        self.used: set[str] = set()             # keys found or stored in this load
        self.used_yaml: set[str] = set()        # of those, the YAML files' (kept even when disabled)
        self.new: dict[str, object] = {}        # parsed now, to be written

    def key(self, kind: str, rel: str, text: str) -> str:
        h = hashlib.sha256(f"{self._stamp}{kind}\0{rel}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str) -> FileParse | None:
        found = self._read(key) if self.enabled else None
        if not isinstance(found, FileParse):
            return None
        self.used.add(key)
        return found

    def get_yaml(self, key: str) -> tuple[dict, list[Diagnostic]] | None:
        """A YAML file's (entries, diagnostics), keyed by `key("yaml", rel, text)`: the
        YAML loaders read nothing but the text (no Pandoc, no other file)."""
        found = self._read(key) if self.folder is not None else None
        if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], dict)
                and isinstance(found[1], list)):
            return None
        self.used_yaml.add(key)
        return found

    def put_yaml(self, key: str, value: tuple[dict, list[Diagnostic]]) -> None:
        if self.folder is not None:
            self.new[key] = value
            self.used_yaml.add(key)

    def _read(self, key: str):
        try:
            return safe_loads((self.folder / f"{key}.pickle").read_bytes(), CLASSES)
        except Exception:       # absent, damaged or planted: parse the file again
            return None

    def put(self, key: str, parsed: FileParse) -> None:
        if self.enabled and len(parsed.parts) == parsed.expected:
            self.new[key] = parsed
            self.used.add(key)

    def save(self) -> None:
        """Best effort, as the check cache: a read-only book folder keeps no parses.
        Disabled (files depending on each other): the kept parses are dropped."""
        if self.folder is None:
            return
        try:
            for key, parsed in self.new.items():
                if not (self.enabled or key in self.used_yaml):
                    continue
                with atomic_path(self.folder / f"{key}.pickle") as tmp:
                    tmp.write_bytes(safe_dumps(parsed, CLASSES))
            (self.folder.parent / _OLD_FILE).unlink(missing_ok=True)
            keep = (self.used if self.enabled else set()) | self.used_yaml
            for old in self.folder.glob("*.pickle") if self.folder.is_dir() else ():
                if old.stem not in keep:
                    old.unlink(missing_ok=True)
        except (OSError, RecursionError, ValueError, TypeError, pickle.PicklingError):
            pass


# Every class a kept parse may hold: the model's dataclasses, the diagnostics, the parse
CLASSES: tuple[type, ...] = tuple(
    c for c in vars(m).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
    and c.__module__ == m.__name__) + (Diagnostic, Part, FileParse)
