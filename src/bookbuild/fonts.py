"""Font lookup by family name (fontconfig) and character coverage.

`find_font` asks `fc-match` and refuses its silent substitution: for an unknown
family fontconfig answers with its default face (DejaVu) instead of failing.
`coverage` reads the cmap once per face; used by check BB402 and the font deriver.
"""
from __future__ import annotations

import hashlib
import json
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
    """Code points the face's cmap maps (cached in-process and under `cache_dir`)."""
    key = (str(ref.path), ref.index)
    if key in _COVERAGE:
        return _COVERAGE[key]
    disk = _disk_path(ref, cache_dir) if cache_dir else None
    cps = _read_disk(disk) if disk else None
    if cps is None:
        cps = _read_cmap(ref)
        if disk:
            write_text(disk, json.dumps(sorted(cps)))
    _COVERAGE[key] = cps
    return cps


def _disk_path(ref: FontRef, cache_dir: Path) -> Path:
    # Keyed on the file's identity (path, size, mtime): hashing a 25 MB .ttc
    # would cost more than reading the cmap again.
    st = ref.path.stat()
    ident = f"{ref.path}|{ref.index}|{st.st_size}|{st.st_mtime_ns}"
    return Path(cache_dir) / f"coverage-{hashlib.sha256(ident.encode()).hexdigest()[:20]}.json"


def _read_disk(path: Path) -> frozenset[int] | None:
    try:
        return frozenset(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _read_cmap(ref: FontRef) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # heavy import; only on a cache miss
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
