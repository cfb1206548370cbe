"""Reuse of check results between runs, per file and per rule (the edit loop: one
note edited re-checks one notes file).

A rule's result is kept under a key that hashes bookbuild's code stamp, the
rule's name and EVERY input the rule reads for that result (for a per-file
rule: the file's path and text and the settings it uses), so a stored result
can only be found again for the same inputs.  Rules that look across files
(duplicate ids, unused notes, citations against sources, the glossary) are
not kept here: they run over the whole book every time (they are cheap), or
key every byte they read (glyphs.py keys its verdict by the book's whole
character set, book.toml and the fonts).

One JSON file per book, `.bookbuild/cache/checks.json`, rewritten atomically
with the results used in this run only, so it never grows.  JSON, not pickle:
reading a cache file must never run code, whoever wrote into `.bookbuild/`;
a damaged or foreign entry is simply not found.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import atomic_path
from ..cache import code_stamp
from ..diagnostics import Diagnostic

FILE_NAME = "checks.json"
_VERSION = 1
_TYPES = (str, str, str, int, int, str, str)    # Diagnostic's fields, in order


_LONG = 4096       # inputs longer than this go into a key by their hash (CheckCache._digest)


class CheckCache:
    """Kept results of one book.  With cache_dir None nothing is read or kept (but
    `get`/`put` still work in memory, so callers need no second code path)."""

    def __init__(self, cache_dir: Path | None):
        self.path = Path(cache_dir) / FILE_NAME if cache_dir is not None else None
        self._stamp = code_stamp()
        self.old: dict[str, list] = self._read() if self.path is not None else {}
        self.new: dict[str, list] = {}
        self.changed = False
        self._digests: dict[int, tuple[str, bytes]] = {}    # id(text) -> (text, its hash): the text is held

    def key(self, rule: str, *inputs: str) -> str:
        """The key of `rule`'s result for `inputs` (every string the result depends on)."""
        h = hashlib.sha256(f"{self._stamp}\0{rule}".encode())
        for part in inputs:
            if len(part) > _LONG:               # marked apart: a digest never reads as a short input
                h.update(b"\1" + self._digest(part))
                continue
            data = part.encode("utf-8", "surrogatepass")
            h.update(b"\0%d\0" % len(data))     # length-prefixed: no two input lists collide
            h.update(data)
        return h.hexdigest()

    def _digest(self, text: str) -> bytes:
        """A long input (a file's text, asked for by several rules) by its hash, made
        once per text object: encoding and hashing the book's files for every rule
        took 0.1 s of an edit rebuild's check."""
        kept = self._digests.get(id(text))
        if kept is None or kept[0] is not text:
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
            kept = self._digests[id(text)] = (text, digest)
        return kept[1]

    def get(self, key: str):
        """The JSON value kept under key (callers check its type: a damaged file's
        entry may be anything), or None."""
        found = self.new.get(key, self.old.get(key))
        if found is None:
            return None
        self.new[key] = found
        return found

    def diagnostics(self, key: str) -> list[Diagnostic] | None:
        found = self.get(key)
        if not isinstance(found, list) or not all(_is_diag(d) for d in found):
            return None
        return [Diagnostic(*d) for d in found]

    def put_diagnostics(self, key: str, diags: list[Diagnostic]) -> None:
        self.put(key, [[d.code, d.message, d.file, d.line, d.col, d.hint, d.severity] for d in diags])

    def put(self, key: str, value) -> None:
        self.new[key] = value
        self.changed = True

    def save(self) -> None:
        """Best effort, as the other caches: a read-only book folder keeps nothing."""
        if self.path is None or not (self.changed or self.new.keys() != self.old.keys()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(self.path) as tmp:
                tmp.write_text(json.dumps({"version": _VERSION, "entries": self.new}, ensure_ascii=False),
                               encoding="utf-8")
        except (OSError, ValueError):
            pass

    def _read(self) -> dict[str, list]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION or not isinstance(data.get("entries"), dict):
            return {}
        return data["entries"]


def _is_diag(d) -> bool:
    return (isinstance(d, list) and len(d) == len(_TYPES)
            and all(type(v) is t for v, t in zip(d, _TYPES)))
