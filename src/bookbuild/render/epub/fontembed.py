"""`embed_font = true`: the edition's font subset to the characters the
book's documents use (fontTools), as an OpenType file in the package.

The subset keeps the `vert`/`vrt2` features (vertical brackets, VT-10) and
vertical metrics, so reading systems set the embedded face vertically.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from ...atomic import write_bytes
from ...fonts import find_font


def find_face(family: str):
    """(path, face index) of the family, via bookbuild.fonts (fc-match)."""
    ref = find_font(family)
    return ref.path, ref.index


def subset_font(family: str, chars: set[str], cache_dir: Path | None) -> tuple[bytes, str]:
    """(font bytes, extension) of `family` cut down to `chars`, cached by content."""
    path, index = find_face(family)
    text = "".join(sorted(chars))
    key = hashlib.sha256(f"{path}|{index}|{path.stat().st_size}|{text}".encode()).hexdigest()[:24]
    cached = Path(cache_dir) / f"epub-font-{key}.otf" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes(), ".otf"
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
    return data, ".otf"
