"""One image object per image in the merged PDF, named by its bytes.

Pages are drawn in separate WeasyPrint runs (page ranges, the page cache),
and each run embeds the images of its own pages: a figure's image drawn by
two runs would be in the file twice.  After the merge, image XObjects with
the same bytes and the same dictionary are made one object.

WeasyPrint names an image's XObject by a hash of its URL, i.e. of the
folder the book is in: the same book built in two checkouts gave two PDFs.
Each image is named by its key instead (`/I` + the hash of its bytes and
dictionary), and the `Do` operators that draw it are rewritten, on the pages
and forms that draw an image (a page of text has none).
"""
from __future__ import annotations

import hashlib

from pikepdf import Dictionary, Name, Operator, Pdf, Stream, parse_content_stream, unparse_content_stream

_KEYS = ("/Width", "/Height", "/BitsPerComponent", "/ColorSpace", "/Filter", "/DecodeParms",
         "/Decode", "/ImageMask", "/Interpolate")


def dedupe_images(pdf: Pdf) -> int:
    """Point every use of a repeated image at its first copy, named by its key;
    returns how many were repeats."""
    state = _State()
    for page in pdf.pages:
        state.owner(pdf, page.obj)
    return state.repeats


class _State:
    def __init__(self):
        self.seen: dict[str, Stream] = {}       # key -> the image kept
        self.forms: set = set()                 # forms already walked
        self.renamed: dict[tuple, dict] = {}    # a resource dictionary shared by pages -> its renames
        self.repeats = 0

    def owner(self, pdf: Pdf, owner) -> None:
        """The images of `owner` (a page or a form) made one object each and renamed
        by their key, its content rewritten to match; its forms likewise."""
        res = owner.get("/Resources")
        if not isinstance(res, Dictionary) or "/XObject" not in res:
            return
        shared = res.objgen if res.is_indirect else None
        renamed = self.renamed.get(shared) if shared else None
        if renamed is None:
            renamed = self._names(pdf, res.XObject)
            if shared:
                self.renamed[shared] = renamed
        if renamed:
            _rename_uses(pdf, owner, renamed)

    def _names(self, pdf: Pdf, xobjects: Dictionary) -> dict[str, str]:
        renamed: dict[str, str] = {}
        for name in list(xobjects.keys()):
            obj = xobjects[name]
            if not isinstance(obj, Stream):
                continue
            if obj.get("/Subtype") == Name.Form:
                if obj.objgen not in self.forms:    # a form (an SVG, a pattern) may hold images too
                    self.forms.add(obj.objgen)
                    self.owner(pdf, obj)
                continue
            if obj.get("/Subtype") != Name.Image:
                continue
            key = _key(obj)
            first = self.seen.setdefault(key, obj)
            if first.objgen != obj.objgen:
                self.repeats += 1
            new = "/I" + key[:32]
            del xobjects[name]
            xobjects[new] = first
            if new != name:
                renamed[name] = new
        return renamed


def _rename_uses(pdf: Pdf, owner, renamed: dict[str, str]) -> None:
    """Rewrite `/old Do` as `/new Do` in the content of a page or a form."""
    do = Operator("Do")
    ops = []
    for operands, op in parse_content_stream(owner):
        if op == do and operands and str(operands[0]) in renamed:
            operands = [Name(renamed[str(operands[0])])]
        ops.append((operands, op))
    data = unparse_content_stream(ops)
    if isinstance(owner, Stream):       # a form: its own content
        owner.write(data)
    else:                               # a page: one new content stream
        owner.Contents = pdf.make_stream(data)


def _key(img: Stream) -> str:
    h = hashlib.sha256(img.read_raw_bytes())
    for k in _KEYS:
        if k in img:
            h.update(k.encode() + repr(img[k]).encode())
    mask = img.get("/SMask")
    if isinstance(mask, Stream):
        h.update(b"/SMask" + _key(mask).encode())
    return h.hexdigest()
