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
failed (BB605) or that came back incomplete is not stored.  One pickle per
book, `.bookbuild/cache/parsed.pickle`, rewritten (atomically) with the
current files only, so it never grows.
"""
from __future__ import annotations

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
from ..cache import code_stamp
from ..diagnostics import Diagnostic
from .pandoc_parts import READER

FILE_NAME = "parsed.pickle"
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
        self.path = cache_dir / FILE_NAME if cache_dir is not None else None
        self.enabled = self.path is not None
        self._stamp = f"{code_stamp()}\0{pandoc_identity()}\0{READER}\0" if self.enabled else ""
        self.old: dict[str, FileParse] = self._read() if self.enabled else {}
        self.new: dict[str, FileParse] = {}
        self.changed = False

    def key(self, kind: str, rel: str, text: str) -> str:
        h = hashlib.sha256(f"{self._stamp}{kind}\0{rel}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str) -> FileParse | None:
        found = self.old.get(key) if self.enabled else None
        if not isinstance(found, FileParse):    # absent, or a damaged file's stray value
            return None
        self.new[key] = found
        return found

    def put(self, key: str, parsed: FileParse) -> None:
        if self.enabled and len(parsed.parts) == parsed.expected:
            self.new[key] = parsed
            self.changed = True

    def save(self) -> None:
        """Best effort, as the check cache: a read-only book folder keeps no parses.
        Disabled (files depending on each other): the kept parses are dropped."""
        if self.path is None:
            return
        if not self.enabled:
            if self.old:
                self.path.unlink(missing_ok=True)
            return
        if not (self.changed or self.new.keys() != self.old.keys()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(self.path) as tmp, open(tmp, "wb") as f:
                pickle.dump(self.new, f, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, RecursionError, pickle.PicklingError):
            pass

    def _read(self) -> dict[str, FileParse]:
        try:
            with open(self.path, "rb") as f:
                found = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError,
                RecursionError):
            return {}
        return found if isinstance(found, dict) else {}
