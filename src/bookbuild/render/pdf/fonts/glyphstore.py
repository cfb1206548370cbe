"""Compiled glyphs kept in the machine's font cache (issue 19: the edit loop).

A derived face is built again whenever the book's characters change — one
new character in one note — and compiling every glyph's charstring again
was 0.7 s of the 1.1 s the three faces took on the stress book.  A glyph's
charstring depends only on its drawing (the source glyphs, their transforms
and the advance), the source faces it is drawn from, and the deriving code;
so the charstrings are kept per chain of source faces (`identity`: the code
version and each face file's hash and index, in chain order), by drawing,
and only a new drawing is compiled.  The bytes of the face are the same
either way.  The file is a pickle of builtins read by `cache.safe_loads`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from fontTools.misc.psCharStrings import T2CharString

from ....atomic import atomic_path
from ....cache import safe_dumps, safe_loads
from .glyphs import Drawing

MAX_GLYPHS = 200_000    # past this a chain's file starts again (a bound on what one build reads)


class GlyphStore:
    def __init__(self, path: Path | None):
        self.path, self.known, self.added = path, {}, 0
        if path is None:
            return
        try:
            found = safe_loads(path.read_bytes(), ())
            if isinstance(found, dict):
                self.known = found
        except Exception:       # absent, torn or foreign: compiled again
            pass

    @classmethod
    def open(cls, folder: Path | None, identity: str) -> GlyphStore:
        if folder is None:
            return cls(None)
        return cls(Path(folder) / f"glyphs-{hashlib.sha256(identity.encode()).hexdigest()[:24]}.pickle")

    def compiled(self, face: int, drawing: Drawing, make) -> tuple[T2CharString, tuple | None]:
        """(charstring, box) of `drawing` from the chain's face `face`: kept, or `make()`."""
        key = (face, drawing.advance, tuple((g, tuple(t)) for g, t in drawing.parts))
        hit = self.known.get(key)
        if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], bytes):
            return T2CharString(bytecode=hit[0]), hit[1]
        charstring, box = make()
        self.known[key] = (charstring.bytecode, box)
        self.added += 1
        return charstring, box

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        if len(self.known) > MAX_GLYPHS:
            self.known = {}
        try:
            with atomic_path(self.path) as tmp:
                tmp.write_bytes(safe_dumps(self.known, ()))
        except OSError:
            pass        # a cache: compiled again next time
        self.added = 0
