"""Derived fonts for the vertical print PDF (docs/PRINT-ENGINE.md §2, VT-28).

    build_derived_fonts(chars, tcy_runs, family, cache_dir, *, call_numbers=...)

builds three renamed faces from the edition's `font` (found with fontconfig),
taking a character the font lacks from the first `fallback` font that has it:
  upright    "BookbuildTateU": CJK pre-rotated 90° CCW, tcy and 2-em ——/……
             ligatures (default-on `rlig`), note-call glyphs (`ss19`, set the
             call at `font-size: .5em`), unrotated Latin/digits, and upright
             A–Z/0–9 cells for acronyms (`ss18`);
  horizontal "BookbuildTateH": the same characters unrotated (folios, running heads);
  bold       "BookbuildTateB": the family's bold face, derived like upright (headings).
A horizontal edition (`vertical=False`) needs no rotated glyph: its text,
heads and folios use one "BookbuildTateH" face (with horizontal note-call
glyphs, `ss19`) and its headings "BookbuildTateHB", the bold face unrotated.
Declare the bold face with `font-weight: bold` in `@font-face` (its OS/2 weight
is 700), else Pango may embolden it a second time.

Results are cached under `cache_dir`, keyed on the content of every font file of the chain,
the character set, the tcy runs, the call numbers and this code's own source.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ....atomic import atomic_path, write_text
from ....fontchain import variation_sequences
from ....fonts import FontNotFound, FontRef, coverage, find_font, machine_cache
from .spec import FaceSpec

UPRIGHT_FAMILY, HORIZONTAL_FAMILY, BOLD_FAMILY = "BookbuildTateU", "BookbuildTateH", "BookbuildTateB"
HORIZONTAL_BOLD_FAMILY = "BookbuildTateHB"
# Always present: digits for tcy/folios, and every character that decides whether
# a digit run is tcy (the rlig context needs them as glyphs of the same face).
ALWAYS = frozenset(map(chr, range(0x20, 0x7F)))
_CODE_FILES = ("derived.py", "face.py", "glyphs.py", "glyphstore.py", "source.py", "spec.py", "charstring_pen.py")


@dataclass(frozen=True)
class DerivedFonts:
    upright: Path
    horizontal: Path
    bold: Path
    upright_family: str
    horizontal_family: str
    bold_family: str
    missing: frozenset[str]     # chars no font of the chain can draw (not in any face)


def build_derived_fonts(chars: set[str], tcy_runs: set[str], family: str, cache_dir: Path, *,
                        call_numbers: set[str] = frozenset(),
                        horizontal_chars: set[str] | None = None,
                        bold_chars: set[str] | None = None, vertical: bool = True,
                        fallback: tuple[str, ...] = (), sequences: set[str] = frozenset()) -> DerivedFonts:
    """Build (or take from the cache) the three derived faces for `chars`.

    `tcy_runs`/`call_numbers`: 1–3-digit strings that get a tcy / note-call glyph.
    `horizontal_chars` (folios, running heads) and `bold_chars` (headings): the
    chars of those faces when known — each face costs ~1/3 of the build time;
    default: `chars`. Printable ASCII is always in every face.
    `vertical=False`: the two faces of a horizontal edition (module doc);
    `upright` and `horizontal` are then the same file.
    `fallback`: the chain's fallback families (docs/FORMAT.md `font_fallback`;
    one not installed is skipped — check reported it): a character `family`
    lacks is drawn from the first that has it, like the primary's glyphs.
    `sequences`: base + variation selector strings of the text (cmap 14).
    Raises `bookbuild.fonts.FontNotFound` when `family` is not installed.
    """
    cache_dir = Path(cache_dir)
    regular = chain_refs(family, fallback, False, cache_dir)
    bold = chain_refs(family, fallback, True, cache_dir)
    text = _charset(chars)
    hor_text = _charset(chars if horizontal_chars is None else horizontal_chars)
    bold_text = _charset(chars if bold_chars is None else bold_chars)
    runs, calls = sorted(set(tcy_runs)), sorted(set(call_numbers))
    seqs = sorted(set(sequences))
    key = _key(cache_dir, regular, bold, [text, hor_text, bold_text, seqs], runs, calls, vertical)
    folder = cache_dir / f"derived-{key[:24]}"
    hit = _load(folder)
    if hit is not None:
        return hit
    if not vertical:
        faces = _horizontal_faces(regular, bold, _charset(set(text) | set(hor_text)), bold_text, calls)
        return _build(folder, faces, [f[3] for f in faces[:1]] + [f[3] for f in faces],
                      [HORIZONTAL_FAMILY, HORIZONTAL_FAMILY, HORIZONTAL_BOLD_FAMILY], cache_dir, seqs)
    faces = (
        (FaceSpec(UPRIGHT_FAMILY, "Bookbuild-TateU", tcy_runs=frozenset(runs),
                  call_numbers=frozenset(calls)), regular, text, "TateU.otf"),
        (FaceSpec(HORIZONTAL_FAMILY, "Bookbuild-TateH", upright=False), regular, hor_text,
         "TateH.otf"),
        (FaceSpec(BOLD_FAMILY, "Bookbuild-TateB", style="Bold", weight=700,
                  tcy_runs=frozenset(runs), call_numbers=frozenset(calls)), bold, bold_text,
         "TateB.otf"),
    )
    return _build(folder, faces, [f[3] for f in faces], [UPRIGHT_FAMILY, HORIZONTAL_FAMILY, BOLD_FAMILY],
                  cache_dir, seqs)


def chain_refs(family: str, fallback: tuple[str, ...], bold: bool, cache_dir: Path) -> tuple[FontRef, ...]:
    """The installed faces of the chain, primary first (FontNotFound for the primary)."""
    refs = [find_font(family, bold, cache_dir)]
    for name in fallback:
        try:
            ref = find_font(name, bold, cache_dir)
        except FontNotFound:
            continue
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def _horizontal_faces(regular: tuple, bold: tuple, text, bold_text, calls) -> tuple:
    return ((FaceSpec(HORIZONTAL_FAMILY, "Bookbuild-TateH", upright=False, call_numbers=frozenset(calls)),
             regular, text, "TateH.otf"),
            (FaceSpec(HORIZONTAL_BOLD_FAMILY, "Bookbuild-TateHB", style="Bold", weight=700, upright=False),
             bold, bold_text, "TateHB.otf"))


def _build(folder: Path, faces, files: list[str], families: list[str], cache_dir: Path,
           sequences=()) -> DerivedFonts:
    """Write each (spec, source chain, chars, file name) face, then the manifest
    (last: it marks the folder complete)."""
    # deferred: fontTools and HarfBuzz (≈ 0.1 s of every build's start-up), needed only on a cache miss
    from .face import build_face
    from .glyphstore import GlyphStore
    from .source import SourceFace

    missing: set[str] = set()
    sources: dict[tuple, SourceFace] = {}
    stores: dict[str, GlyphStore] = {}
    try:
        for spec, refs, face_chars, filename in faces:
            chain = []
            for ref in _supplying(refs, face_chars, sequences, cache_dir):
                # a fallback face is opened in the primary's frame (its em, its em box)
                key = (ref.path, ref.index, refs[0].path, refs[0].index)
                if key not in sources:
                    sources[key] = SourceFace(ref, chain[0] if chain else None)
                chain.append(sources[key])
            identity = "|".join([code_version()] + [f"{file_hash(cache_dir, f.ref.path)}:{f.ref.index}"
                                                    for f in chain])
            store = stores.setdefault(identity, GlyphStore.open(cache_dir, identity))
            with atomic_path(folder / filename) as tmp:
                missing |= build_face(chain, face_chars, spec, tmp, sequences, store)
    finally:
        for src in sources.values():
            src.close()
    for store in stores.values():
        store.save()
    manifest = {"missing": sorted(missing), "files": files, "families": families}
    write_text(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False))
    prune(cache_dir)
    return _result(folder, manifest)


def _supplying(refs: tuple[FontRef, ...], chars, sequences, cache_dir: Path) -> list[FontRef]:
    """The primary, and the fallbacks that supply a character of the face or a variation
    sequence of the text: opening a 20–70 MB fallback face that draws nothing costs
    seconds (the cache key still names the whole chain)."""
    keep = [refs[0]]
    want = {ord(c) for c in chars} - coverage(refs[0], cache_dir)
    pairs = {(ord(s[0]), ord(s[1])) for s in sequences if len(s) == 2}
    for ref in refs[1:]:
        cover = coverage(ref, cache_dir)
        if want & cover or pairs & variation_sequences(ref, cache_dir):
            keep.append(ref)
            want -= cover
    return keep


KEEP = 32     # folders kept: enough for several books (and a test run) on one machine, each a few MB


def derived_dir(book_cache: Path) -> Path:
    """Where derived faces are built and kept: the machine's font cache
    (fonts.machine_cache: shared by every book, so a cold build of a book —
    its .bookbuild/ removed — or a test's fresh cache folder reuses faces made
    for the same characters and fonts, issue 19), else the book's cache when
    that is off (BOOKBUILD_FONT_CACHE set empty) or cannot be written."""
    machine = machine_cache()
    if machine is not None:
        folder = machine / "derived"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            pass
    return Path(book_cache) / "fonts"


def prune(cache_dir: Path, keep: int = KEEP) -> None:
    """Remove all but the `keep` most recently used derived-font folders: every
    change of the book's character set makes a new ~4 MB folder."""
    folders = []
    for d in Path(cache_dir).glob("derived-*"):
        try:
            folders.append(((d / "manifest.json").stat().st_mtime, d))
        except OSError:
            continue  # incomplete (maybe still being built by another process): leave it
    for _, d in sorted(folders, reverse=True)[keep:]:
        shutil.rmtree(d, ignore_errors=True)


def _charset(chars) -> list[str]:
    # Accept strings of any length: callers may pass whole texts.
    return sorted({c for s in chars for c in s} | ALWAYS)


def _result(folder: Path, manifest: dict) -> DerivedFonts:
    up, hor, bold = (folder / name for name in manifest["files"])
    return DerivedFonts(up, hor, bold, *manifest["families"], frozenset(manifest["missing"]))


def _load(folder: Path) -> DerivedFonts | None:
    """The cached result, if complete (manifest is written last)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        result = _result(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if all(p.is_file() for p in (result.upright, result.horizontal, result.bold)):
        try:
            os.utime(folder / "manifest.json")  # mark as recently used for `prune`
        except OSError:
            pass
        return result
    return None


def _key(cache_dir: Path, regular: tuple, bold: tuple, charsets, runs, calls, vertical=True) -> str:
    """Every font file of both chains (content hash, face index, in chain order) and the inputs."""
    fonts = [[file_hash(cache_dir, r.path), r.index] for r in regular + bold]
    parts = [code_version(), fonts, ["".join(c) for c in charsets],
             runs, calls] + ([] if vertical else ["horizontal"])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


_CODE_VERSION: list[str] = []


def code_version() -> str:
    """Hash of the deriver's own source and the class tables: a code change
    invalidates cached fonts without a hand-maintained version number."""
    if not _CODE_VERSION:
        here = Path(__file__).parent
        package = here.parents[2]      # bookbuild/
        h = hashlib.sha256()
        for path in [here / n for n in _CODE_FILES] + [package / "charclass.py",
                                                       package / "data/VerticalOrientation.txt"]:
            h.update(path.read_bytes())
        _CODE_VERSION.append(h.hexdigest())
    return _CODE_VERSION[0]


def file_hash(cache_dir: Path, path: Path) -> str:
    """sha256 of a font file, remembered per (path, size, mtime, inode): hashing a
    26 MB collection takes ~40 ms, too slow for a cache hit."""
    st = path.stat()
    ident = f"{path}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    memo_path = cache_dir / "font-hashes.json"
    try:
        memo = json.loads(memo_path.read_text("utf-8"))
    except (OSError, ValueError):
        memo = {}
    if ident not in memo:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        memo[ident] = h.hexdigest()
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_text(memo_path, json.dumps(memo, indent=0))
    return memo[ident]


_ADVANCES: dict[Path, dict[str, float]] = {}


def advances_em(face: Path) -> dict[str, float]:
    """Advance in em of each character's own glyph in a derived face (e.g. the
    widths of sideways Latin runs for the column breaker). Ligatures (tcy, ——)
    are not included: a tcy run is 1 em, a 2-em pair 2 em by construction."""
    face = Path(face)
    if face not in _ADVANCES:
        # deferred: fontTools (see _build)
        from fontTools.ttLib import TTFont
        font = TTFont(str(face), lazy=True)
        upem, hmtx = font["head"].unitsPerEm, font["hmtx"].metrics
        _ADVANCES[face] = {chr(cp): hmtx[g][0] / upem for cp, g in font.getBestCmap().items()}
        font.close()
    return _ADVANCES[face]
