"""Font lookup by family name (fontconfig) and character coverage.

`find_font` asks `fc-match` and refuses its silent substitution: for an unknown
family fontconfig answers with its default face (DejaVu) instead of failing.
`coverage` reads the cmap once per face; used by check BB402 and the font deriver.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .atomic import write_text


@dataclass(frozen=True, slots=True)
class FontRef:
    path: Path
    index: int      # face index inside a .ttc collection (0 for a plain font file)
    family: str     # the family name as fontconfig reports it (first of the list)


class FontNotFound(Exception):
    """The family is not installed (or fontconfig is missing)."""

    def __init__(self, family: str, hint: str):
        super().__init__(f"font family not found: {family!r}")
        self.family = family
        self.hint = hint


def _families(answer: str) -> list[str]:
    return [name.strip() for name in answer.split(",") if name.strip()]


def find_font(family: str, bold: bool = False, cache_dir: Path | None = None) -> FontRef:
    """Locate `family` (bold face if `bold`) with fc-match; raise FontNotFound.

    With `cache_dir`, the answer is remembered on disk until fontconfig's cache
    changes (fc-cache runs whenever fonts are installed), so a warm build spawns
    no fc-match process (10–30 ms each).
    """
    family = family.strip()
    if cache_dir is None:
        return _find_font(family, bold)
    memo_path = Path(cache_dir) / "fontconfig.json"
    key, stamp = f"{family.casefold()}|{int(bold)}", _fontconfig_stamp()
    try:
        hit = json.loads(memo_path.read_text("utf-8"))[key]
        ref = FontRef(Path(hit["path"]), hit["index"], hit["family"])
        if hit["stamp"] == stamp and ref.path.stat().st_mtime_ns == hit["mtime"]:
            return ref
    except (OSError, ValueError, KeyError, TypeError):
        pass
    ref = _find_font(family, bold)
    try:
        memo = json.loads(memo_path.read_text("utf-8"))
    except (OSError, ValueError):
        memo = {}
    memo[key] = {"path": str(ref.path), "index": ref.index, "family": ref.family,
                 "stamp": stamp, "mtime": ref.path.stat().st_mtime_ns}
    write_text(memo_path, json.dumps(memo))
    return ref


_FC_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


def _fontconfig_stamp() -> list[int]:
    """mtimes of fontconfig's cache folders: they change when fonts are added."""
    out = []
    for folder in _FC_CACHES:
        try:
            out.append(Path(folder).expanduser().stat().st_mtime_ns)
        except OSError:
            out.append(0)
    return out


@lru_cache(maxsize=64)
def _find_font(family: str, bold: bool) -> FontRef:
    exe = shutil.which("fc-match")
    if exe is None:
        raise FontNotFound(family, "fontconfig's fc-match is not installed "
                                   "(Debian: apt-get install fontconfig)")
    # fontconfig's pattern syntax reads "-" as the start of a point size and
    # ":"/"," as separators: "TW-Sung" must be written "TW\\-Sung".
    escaped = "".join("\\" + c if c in "\\-:," else c for c in family)
    pattern = escaped + (":bold" if bold else "")
    try:
        out = subprocess.run([exe, "-f", "%{family}|%{file}|%{index}", pattern],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontNotFound(family, f"fc-match failed: {exc}") from None
    names, _, rest = out.partition("|")
    file, _, index = rest.rpartition("|")
    wanted = family.casefold()
    answered = _families(names)
    if not file or wanted not in (n.casefold() for n in answered):
        got = answered[0] if answered else "nothing"
        raise FontNotFound(family, f"fontconfig offers {got!r} instead; install the font "
                                   f"(e.g. fonts-noto-cjk) or set `font` to an installed "
                                   f"family (list them with `fc-list : family`)")
    return FontRef(Path(file), int(index or 0), answered[0])


_COVERAGE: dict[tuple[str, int], frozenset[int]] = {}


def coverage(ref: FontRef, cache_dir: Path | None = None) -> frozenset[int]:
    """Code points the face's cmap maps (cached in-process, under `cache_dir` and in the
    machine's font cache)."""
    key = (str(ref.path), ref.index)
    if key not in _COVERAGE:
        _COVERAGE[key] = frozenset(font_fact(ref, "coverage", "", cache_dir, lambda: sorted(_read_cmap(ref))))
    return _COVERAGE[key]


def machine_cache() -> Path | None:
    """The folder, shared by every book on this machine, for facts read from installed font
    files (cmap coverage, variation sequences): reading a 20–70 MB fallback font's cmap
    takes a second or more, and every book's check needs them.  Keyed by the file's
    identity, so a changed or replaced font is read again.  BOOKBUILD_FONT_CACHE names
    another folder; set empty, it turns the cache off."""
    env = os.environ.get("BOOKBUILD_FONT_CACHE")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bookbuild" / "fonts"


def font_fact(ref: FontRef, kind: str, prefix: str, cache_dir: Path | None, read):
    """A JSON-able fact about a font file: from `cache_dir` or the machine cache when either
    holds it, else `read()`, then kept in both (a cache that cannot be written is skipped)."""
    # Keyed on the file's identity (path, size, mtime): hashing a 25 MB .ttc
    # would cost more than reading the cmap again.
    st = ref.path.stat()
    ident = f"{prefix}{ref.path}|{ref.index}|{st.st_size}|{st.st_mtime_ns}"
    name = f"{kind}-{hashlib.sha256(ident.encode()).hexdigest()[:20]}.json"
    folders = [Path(d) for d in (cache_dir, machine_cache()) if d]
    for folder in folders:
        try:
            return json.loads((folder / name).read_text("utf-8"))
        except (OSError, ValueError):
            continue
    value = read()
    for folder in folders:
        try:
            write_text(folder / name, json.dumps(value))
        except OSError:
            pass
    return value


def _read_cmap(ref: FontRef) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # heavy import; only on a cache miss
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
