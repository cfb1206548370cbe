"""One image object per image in the merged PDF.

Pages are drawn in separate WeasyPrint runs (page ranges, the page cache),
and each run embeds the images of its own pages: a figure's image drawn by
two runs would be in the file twice.  After the merge, image XObjects with
the same bytes and the same dictionary are made one object.
"""
from __future__ import annotations

import hashlib

from pikepdf import Dictionary, Name, Pdf, Stream

_KEYS = ("/Width", "/Height", "/BitsPerComponent", "/ColorSpace", "/Filter", "/DecodeParms",
         "/Decode", "/ImageMask", "/Interpolate")


def dedupe_images(pdf: Pdf) -> int:
    """Point every use of a repeated image at its first copy; returns how many were repeats."""
    seen: dict[str, Stream] = {}
    repeats = 0
    done: set = set()
    for page in pdf.pages:
        repeats += _resources(page.obj.get("/Resources"), seen, done)
    return repeats


def _resources(res, seen: dict, done: set) -> int:
    if not isinstance(res, Dictionary) or "/XObject" not in res:
        return 0
    xobjects = res.XObject
    repeats = 0
    for name in list(xobjects.keys()):
        obj = xobjects[name]
        if not isinstance(obj, Stream):
            continue
        if obj.get("/Subtype") == Name.Form:
            if obj.objgen not in done:       # a form (an SVG, a pattern) may hold images too
                done.add(obj.objgen)
                repeats += _resources(obj.get("/Resources"), seen, done)
            continue
        if obj.get("/Subtype") != Name.Image:
            continue
        first = seen.setdefault(_key(obj), obj)
        if first.objgen != obj.objgen:
            xobjects[name] = first
            repeats += 1
    return repeats


def _key(img: Stream) -> str:
    h = hashlib.sha256(img.read_raw_bytes())
    for k in _KEYS:
        if k in img:
            h.update(k.encode() + repr(img[k]).encode())
    mask = img.get("/SMask")
    if isinstance(mask, Stream):
        h.update(b"/SMask" + _key(mask).encode())
    return h.hexdigest()
