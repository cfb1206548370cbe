"""An SVG figure's text drawn with the book's derived face (VT-28).

WeasyPrint draws an SVG as vectors, its text as text: with the family the
SVG names, i.e. a font the PDF may not hold (the font check refuses the
book).  So the print edition draws a copy of the SVG whose text asks for the
horizontal derived face only (every font-family is dropped and the root sets
the derived family), and the characters of its text go into that face
(fonts/charset.py; layout/figures.py reads the text with `svg_text`).  The
copy travels as a data: URL, which the fetcher serves without touching the
disk; the page HTML names the file's hash, so the page cache sees a change.
"""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..fonts.derived import HORIZONTAL_FAMILY

_FAMILY_DECL = re.compile(r"font-family\s*:[^;}\"]*;?", re.I)


@lru_cache(maxsize=64)
def svg_for_print(path: Path, digest: str) -> str:
    """A data: URL of the copy to draw (`digest`: the file's hash, the cache key)."""
    root = _parse(path)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.attrib.pop("font-family", None)
        if "style" in el.attrib:
            el.set("style", _FAMILY_DECL.sub("", el.get("style")))
        if etree.QName(el).localname == "style" and el.text:
            el.text = _FAMILY_DECL.sub("", el.text)
    root.set("font-family", HORIZONTAL_FAMILY)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def _parse(path: Path):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.parse(str(path), parser).getroot()
