"""Fonts in the package (`embed_font`, docs/FORMAT.md) and the CSS that names them.

`embed_font = true`: the edition's font subset to the characters the book's
documents use, plus each fallback font of the chain (fontchain.py) that
supplies some of them, subset to exactly those and declared with an
`@font-face` `unicode-range`, so a reading system takes a character from the
same font as print. `embed_font = "fallback"`: only the fallback subsets (the
primary font is named, not embedded). A variation sequence whose variant
only a fallback font has is drawn from it through a span (variants.py): that
face's subset then holds the base too, and the span's class rule names it
first. Subsets keep `vert`/`vrt2` (vertical
brackets, VT-10), vertical metrics and cmap 14 (variation sequences).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ...atomic import write_bytes
from ...fontchain import FontChain, is_selector
from ...fonts import FontRef
from .variants import font_class

FONT_FILE = "fonts/embedded.otf"
PRIMARY_FAMILY = "bookbuild-embedded"


@dataclass(frozen=True)
class Embedded:
    file: str            # package path
    family: str          # the CSS family name it is declared under
    data: bytes
    chars: str           # for unicode-range: the characters it supplies ("" for the primary)
    index: int = 0       # its place in the chain (0: the primary)


def embedded_fonts(chain: FontChain, chars: set[str], mode, cache_dir: Path | None,
                   sequences: dict[int, set[str]] | None = None) -> list[Embedded]:
    """The faces to package for `chars`: the primary (mode True) and each
    fallback that supplies a character or a variation sequence (`sequences`:
    {chain index: base + selector}, variants.py), subset to what it supplies:
    a sequence's base and selector too, so its cmap 14 entry is kept."""
    sequences = sequences or {}
    by_font: dict[int, set[str]] = {}
    for ch in chars:
        i = chain.index_of(ch) if not is_selector(ch) else None
        if i:
            by_font.setdefault(i, set()).add(ch)
    selectors = {c for c in chars if is_selector(c)}
    out = []
    if mode is True:        # the selectors keep the primary's own cmap 14 variants
        out.append(Embedded(FONT_FILE, PRIMARY_FAMILY, subset_face(chain.refs[0], chars | selectors, cache_dir), ""))
    for n, i in enumerate(sorted(set(by_font) | set(sequences)), 1):
        used = by_font.get(i, set())
        data = subset_fallback(chain.refs[i], used | selectors | {s[0] for s in sequences.get(i, ())})
        out.append(Embedded(f"fonts/fallback-{n}{_suffix(chain.refs[i])}", f"bookbuild-fallback-{n}",
                            data, "".join(sorted(used)), i))
    return out


def fallback_chars(chain: FontChain, chars: set[str],
                   sequences: dict[int, set[str]] | None = None) -> dict[str, list[str]]:
    """{fallback family: the chars and sequences it supplies} (what a device
    without it may miss, or show as the plain base)."""
    out = chain.sources(c for c in chars if not is_selector(c))
    for i, seqs in sorted((sequences or {}).items()):
        out.setdefault(chain.names[i], []).extend(sorted(seqs))
    return out


def font_css(chain_names: tuple[str, ...], embedded: list[Embedded],
             sequences: dict[int, set[str]] | None = None) -> str:
    """@font-face for each embedded face, then html's font stack: the embedded
    faces in chain order, then the chain's families by name, then serif.
    A fallback face that supplies variation sequences is declared a second
    time without unicode-range (its subset holds the bases) for the spans of
    those sequences, whose rule puts it, or the family by name, first."""
    out = ['@charset "utf-8";']
    for e in embedded:
        out += _face(e.family, e.file, e.chars) if e.index == 0 or e.chars else []
        if e.index in (sequences or {}):
            out += _face(_variant_family(e), e.file, "")
    names = [e.family for e in embedded if e.index == 0] + [chain_names[0]] + \
        [e.family for e in embedded if e.index and e.chars] + list(chain_names[1:])
    out.append(f"html {{ font-family: {_stack(names)}, serif; }}")
    faces = {e.index: _variant_family(e) for e in embedded}
    for i in sorted(sequences or {}):
        first = [faces[i]] if i in faces else []
        stack = _stack(first + [chain_names[i]] + [n for n in names if n != chain_names[i]])
        out.append(f".{font_class(i)} {{ font-family: {stack}, serif; }}")
    return "\n".join(out) + "\n"


def _face(family: str, file: str, chars: str) -> list[str]:
    rule = [f'  font-family: "{family}";', f'  src: url("../{file}");']
    if chars:
        rule.append(f"  unicode-range: {unicode_range(chars)};")
    return ["@font-face {", *rule, "}"]


def _variant_family(e: Embedded) -> str:
    return e.family.replace("-fallback-", "-variants-")


def _stack(names: list[str]) -> str:
    return ", ".join(f'"{n.replace(chr(34), "")}"' for n in names)


def unicode_range(chars: str) -> str:
    """CSS unicode-range of the code points, consecutive ones as a range."""
    cps = sorted({ord(c) for c in chars})
    parts, start = [], None
    for i, cp in enumerate(cps):
        if start is None:
            start = cp
        if i + 1 == len(cps) or cps[i + 1] != cp + 1:
            parts.append(f"U+{start:X}" if start == cp else f"U+{start:X}-{cp:X}")
            start = None
    return ", ".join(parts)


def _suffix(ref: FontRef) -> str:
    with open(ref.path, "rb") as f:
        head = f.read(4)
    return ".otf" if head == b"OTTO" or ref.path.suffix.lower() in (".otf", ".otc") else ".ttf"


def subset_fallback(ref: FontRef, chars: set[str]) -> bytes:
    """A fallback face cut down to `chars` by HarfBuzz's subsetter: the chain's
    TrueType fonts are 20–70 MB, which fontTools would read whole (minutes);
    HarfBuzz takes milliseconds. Name records 0–25 (copyright, licence) stay."""
    import uharfbuzz as hb  # deferred: only when a fallback face is embedded
    face = hb.Face(hb.Blob.from_file_path(str(ref.path)), ref.index)
    inp = hb.SubsetInput()
    for ch in chars:
        inp.unicode_set.add(ord(ch))
    for name_id in range(26):
        inp.name_id_set.add(name_id)
    return hb.subset(face, inp).blob.data


def subset_face(ref: FontRef, chars: set[str], cache_dir: Path | None) -> bytes:
    """The face cut down to `chars` (fontTools subset), cached by content."""
    path, index = ref.path, ref.index
    text = "".join(sorted(chars))
    key = hashlib.sha256(f"{path}|{index}|{path.stat().st_size}|{text}".encode()).hexdigest()[:24]
    cached = Path(cache_dir) / f"epub-font-{key}.bin" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    # deferred: fontTools is loaded only when a font is embedded and not cached
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(str(path), fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = ["vert", "vrt2", "vkna", "vpal", "kern", "liga", "locl",
                               "ccmp", "palt", "halt", "vhal"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False     # reproducible bytes
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    if cached:
        write_bytes(cached, data)
    return data
