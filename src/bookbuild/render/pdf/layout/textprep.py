"""Per-edition text preparation for the layout: the edition's text, Latin runs, Latin metrics.

`TextPrep` sets text as the shared edition text layer says
(`bookbuild.transform.edition_text`: normalizer, numerals, the Latin-run
patterns), and decides how a Latin/digit run is set (VT-12, VT-13).
`LatinAdvance` gives the advance of a sideways run in em from the source
face's hmtx (the derived upright face keeps the Latin glyphs unrotated with
the same advances).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ....charclass import TCY_RE
from ....fonts import find_font, font_fact
from ....transform.edition_text import ACRONYM_RUN, NUMBER_RUN, EditionText
from ....transform.numerals import digit_by_digit as zh_digits
from . import layout_types as lt

Advance = Callable[[str], float]


class TextPrep:
    """What the edition does to text before it becomes units."""

    def __init__(self, edition, book_config=None):
        self.ed = edition
        self.cfg = book_config
        self.text = EditionText.of(edition, book_config, pdf=True)

    def normalize(self, text: str) -> str:
        return self.text.normalize(text)

    def numerals(self, text: str, positional: bool = False) -> str:
        """Generated numbers (note labels, folios, 第N章) in the edition's numerals."""
        return self.text.numbers(text, positional)

    def folio(self, n: int) -> str:
        if self.ed.numerals == "chinese" or self.ed.folio == "hanzi-vertical":
            return zh_digits(str(n))
        return str(n)

    def latin_kind(self, tok: str) -> str:
        """TCY, UPRIGHT (one cell per char) or SIDEWAYS for a maximal Latin/digit run."""
        ed = self.ed
        if not ed.vertical:
            return lt.SIDEWAYS
        if tok.isascii() and tok.isdigit():
            if ed.numerals == "upright":
                return lt.UPRIGHT
            if ed.numerals in ("tcy", "chinese") and TCY_RE.fullmatch(tok):
                return lt.TCY
            if ed.numerals == "tcy" and ed.long_numbers == "upright":
                return lt.UPRIGHT
            return lt.SIDEWAYS
        if NUMBER_RUN.fullmatch(tok) and (ed.numerals == "upright" or
                                          (ed.numerals == "tcy" and ed.long_numbers == "upright")):
            return lt.UPRIGHT
        if ACRONYM_RUN.fullmatch(tok):
            return lt.UPRIGHT
        return lt.SIDEWAYS


# Code points below this (Latin, Greek, Cyrillic, punctuation, symbols: what a Latin run
# holds) are measured from a table kept in the machine's font cache (fonts.font_fact,
# keyed by the font file's identity): opening a CJK font's cmap and hmtx took ~0.4 s
# of every print build.  A character above it opens the font, as before.
TABLE_BELOW = 0x2E80


class LatinAdvance:
    """Advance in em of a Latin/digit run in the edition's font (hmtx, no kerning);
    a character the font lacks is measured in the first `fallback` font that has
    it, as the derived faces draw it from there (fonts/face.py)."""

    def __init__(self, family: str, fallback: tuple[str, ...] = ()):
        self.family, self.fallback = family, fallback
        self._adv: dict[str, float] | None = None
        self._faces: list[_Face] = []

    def _load(self, families) -> None:
        for family in families:
            try:
                self._faces.append(_Face(find_font(family)))
            except Exception:    # no such font: check reports BB402; keep laying out
                continue

    def char(self, ch: str) -> float:
        if self._adv is None:
            self._adv = {}
            self._load((self.family,))
        w = self._adv.get(ch)
        if w is None:
            cp = ord(ch)
            if self.fallback and all(f.width(cp) is None for f in self._faces):
                # the fallback faces are large: opened only for a character the primary lacks
                self._load(self.fallback)
                self.fallback = ()
            w = next((x for x in (f.width(cp) for f in self._faces) if x is not None), 0.5)
            self._adv[ch] = w
        return w

    def __call__(self, text: str) -> float:
        return sum(self.char(c) for c in text)


class _Face:
    """One font's advances: the low table from the font cache, the rest from the file when asked."""

    def __init__(self, ref):
        self.ref = ref
        self.table = {int(k): v for k, v in font_fact(ref, "latin-advances", "", None, lambda: _read_low(ref)).items()}
        self._full: tuple[dict, dict, int] | None = None

    def width(self, cp: int) -> float | None:
        if cp < TABLE_BELOW:
            return self.table.get(cp)
        if self._full is None:
            self._full = _read_full(self.ref)
        cmap, hmtx, upem = self._full
        return hmtx[cmap[cp]][0] / upem if cp in cmap else None


def _read_full(ref) -> tuple[dict, dict, int]:
    # deferred: fontTools is loaded only when a font must be read
    from fontTools.ttLib import TTFont
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    return font.getBestCmap() or {}, font["hmtx"].metrics, font["head"].unitsPerEm


def _read_low(ref) -> dict[str, float]:
    cmap, hmtx, upem = _read_full(ref)
    return {str(cp): hmtx[g][0] / upem for cp, g in cmap.items() if cp < TABLE_BELOW}


@lru_cache(maxsize=8)
def latin_advance(family: str, fallback: tuple[str, ...] = ()) -> LatinAdvance:
    return LatinAdvance(family, fallback)


def fixed_advance(per_char: float = 0.5) -> Advance:
    """Deterministic metrics for tests: every Latin char is `per_char` em."""
    return lambda text: per_char * len(text)
