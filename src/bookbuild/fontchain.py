"""An edition's font chain: `font` first, then `font_fallback` (docs/FORMAT.md).

Each character is set in the first font of the chain whose cmap has it; a
variation sequence (base + VS1–VS256) in the first font whose cmap format 14
lists it. check (BB402/BB403), the print font deriver and the EPUB embedder
all ask `FontChain`, so the three agree on where a character comes from.

The default fallback is the national 全字庫 fonts (TW-Sung, its Ext-B and Plus
faces: CNS 11643) and 花園明朝 (HanaMinA/B: Ext. A–F); a default family that is
not installed is left out silently, a family the author names is BB402.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .fonts import FontNotFound, FontRef, coverage, find_font, font_fact

DEFAULT_FALLBACK = ("TW-Sung", "TW-Sung-Ext-B", "TW-Sung-Plus", "HanaMinA", "HanaMinB")


def is_selector(ch: str) -> bool:
    """A variation selector: VS1–16 (U+FE00–FE0F) or VS17–256 (U+E0100–E01EF)."""
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def fallback_families(edition) -> tuple[tuple[str, ...], bool]:
    """(fallback families, whether the author named them)."""
    if edition.font_fallback is None:
        return DEFAULT_FALLBACK, False
    return edition.font_fallback, True


@dataclass(frozen=True)
class FontChain:
    """The installed fonts of an edition's chain, primary first."""
    refs: tuple[FontRef, ...]
    names: tuple[str, ...]          # the family names as book.toml spells them
    covers: tuple[frozenset[int], ...]
    sequences: tuple[frozenset[tuple[int, int]], ...]
    absent: tuple[str, ...]         # named fallback families that are not installed

    def index_of(self, ch: str) -> int | None:
        """Index of the first font with a glyph for `ch` (None: no font)."""
        cp = ord(ch)
        for i, cover in enumerate(self.covers):
            if cp in cover:
                return i
        return None

    def index_of_sequence(self, base: str, selector: str) -> int | None:
        """First font whose cmap 14 lists base + selector (None: none does)."""
        key = (ord(base), ord(selector))
        for i, seqs in enumerate(self.sequences):
            if key in seqs:
                return i
        return None

    def sources(self, chars) -> dict[str, list[str]]:
        """{fallback family: sorted chars it supplies} (the primary's left out)."""
        out: dict[str, list[str]] = {}
        for ch in sorted(set(chars)):
            i = self.index_of(ch)
            if i:
                out.setdefault(self.names[i], []).append(ch)
        return out

    def file_ids(self) -> list[str]:
        return [f"{r.path}|{r.index}" for r in self.refs]


def resolve(edition, cache_dir: Path | None = None, bold: bool = False) -> FontChain:
    """The edition's chain; raises FontNotFound when its primary `font` is missing.
    With `bold`, each family's bold face where it has one (fallbacks rarely do:
    fontconfig then answers the regular face of the same family)."""
    refs = [find_font(edition.font, bold, cache_dir)]
    names, absent = [edition.font], []
    families, named = fallback_families(edition)
    for family in families:
        try:
            ref = find_font(family, bold, cache_dir)
        except FontNotFound:
            if named:
                absent.append(family)
            continue
        if (ref.path, ref.index) not in {(r.path, r.index) for r in refs}:
            refs.append(ref)
            names.append(family)
    covers = tuple(coverage(r, cache_dir) for r in refs)
    seqs = tuple(variation_sequences(r, cache_dir) for r in refs)
    return FontChain(tuple(refs), tuple(names), covers, seqs, tuple(absent))


_SEQUENCES: dict[tuple[str, int], frozenset[tuple[int, int]]] = {}


def variation_sequences(ref: FontRef, cache_dir: Path | None = None) -> frozenset[tuple[int, int]]:
    """(base, selector) pairs of the face's cmap format 14 (cached like `coverage`)."""
    key = (str(ref.path), ref.index)
    if key not in _SEQUENCES:
        pairs = font_fact(ref, "uvs", "uvs|", cache_dir, lambda: sorted(_read_uvs(ref)))
        _SEQUENCES[key] = frozenset(tuple(p) for p in pairs)
    return _SEQUENCES[key]


def _read_uvs(ref: FontRef) -> frozenset[tuple[int, int]]:
    from fontTools.ttLib import TTFont  # heavy import; only on a cache miss
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        table = font["cmap"].getcmap(0, 5) if "cmap" in font else None
        if table is None:
            return frozenset()
        return frozenset((base, vs) for vs, entries in table.uvsDict.items() for base, _ in entries)
    finally:
        font.close()


def installed_with(ch: str) -> list[str]:
    """Families installed on this machine that have `ch` (fontconfig), for a
    BB402 hint; empty when fontconfig is missing."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, f":charset={ord(ch):x}", "family"], capture_output=True,
                             text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].replace("\\", "").strip() for line in out.splitlines() if line.strip()})
