"""Turn landscape pages into portrait reading pages; give each part's font subsets their own tags.

WeasyPrint cannot set vertical text, so every page is laid out on a
landscape page (L) and turned here 90° clockwise into the portrait reading
page (P), see docs/PRINT-ENGINE.md §7.  The turn is baked into the
content stream (`q 0 -1 1 0 0 W cm … Q`): a point (x, y) of L lands at
(y, W − x) in P, W being the landscape width.  So the L top edge becomes
the P right edge and an L line, read left to right, becomes a P column read
top to bottom.  No `/Rotate` is ever written (VT-29).
"""
from __future__ import annotations

import hashlib
import re

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
_TAG = re.compile(r"^([A-Z]{6})\+(.*)$")


# ------------------------------------------------------------------ turn

class Turn:
    """(x, y) of L → (y − y0, x1 − x) of P, for the L media box [x0 y0 x1 y1].

    WeasyPrint puts the media box origin at (−bleed, −bleed); the turned page
    gets its media box at the origin: [0 0 (y1 − y0) (x1 − x0)].
    """

    def __init__(self, mbox):
        x0, y0, x1, y1 = (float(v) for v in mbox)
        self.x1, self.y0 = x1, y0

    def point(self, x: float, y: float) -> tuple[float, float]:
        return y - self.y0, self.x1 - x

    def rect(self, rect) -> Array:
        x1, y1, x2, y2 = (float(v) for v in rect)
        (a, b), (c, d) = self.point(x1, y1), self.point(x2, y2)
        return Array([min(a, c), min(b, d), max(a, c), max(b, d)])

    def dest(self, dest) -> None:
        """Map an explicit destination [page /XYZ left top zoom] in place."""
        if isinstance(dest, Array) and len(dest) >= 4 and dest[1] == Name.XYZ:
            try:
                x, y = float(dest[2]), float(dest[3])
            except (TypeError, ValueError):   # null: "keep the current value"
                return
            dest[2], dest[3] = self.point(x, y)

    def cm(self) -> bytes:
        # x' = y − y0, y' = −x + x1
        return f"q 0 -1 1 0 {-self.y0:.4f} {self.x1:.4f} cm\n".encode()

    @staticmethod
    def end() -> bytes:
        return b"\nQ\n"


def turn_page(pdf: Pdf, page: pikepdf.Page) -> None:
    """Turn one landscape page 90° clockwise, in place."""
    t = Turn(page.obj.MediaBox)
    # Why prepend/append separate streams: the original stream stays
    # untouched (and compressed); q/Q isolate our matrix from its state.
    page.contents_add(pikepdf.Stream(pdf, t.cm()), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, t.end()))
    for box in _BOXES:
        if box in page.obj:
            page.obj[box] = t.rect(page.obj[box])
    if "/Rotate" in page.obj:
        del page.obj["/Rotate"]
    for annot in page.obj.get("/Annots", []):
        if "/Rect" in annot:
            annot.Rect = t.rect(annot.Rect)
        if "/QuadPoints" in annot:
            q = [float(v) for v in annot.QuadPoints]
            pts = [t.point(q[i], q[i + 1]) for i in range(0, len(q), 2)]
            annot.QuadPoints = Array([c for p in pts for c in p])
        if "/Dest" in annot:
            t.dest(annot.Dest)


def turn_pages(pdf: Pdf) -> None:
    for page in pdf.pages:
        turn_page(pdf, page)


# ------------------------------------------------------------- subsets

def retag_fonts(pdf: Pdf, part: int | str) -> int:
    """Give every font subset of this part a tag of its own; return the count.

    WeasyPrint derives the tag from the font description, so the parts of a
    parallel render would share one tag for different subsets after the
    merge; ISO 32000-1 §9.6.4 requires distinct tags.
    """
    renamed: dict[str, str] = {}
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            if key not in obj or not isinstance(obj[key], Name):
                continue
            name = str(obj[key])[1:]
            m = _TAG.match(name)
            if not m:
                continue
            if name not in renamed:
                renamed[name] = _new_tag(m.group(1), part) + "+" + m.group(2)
            obj[key] = Name("/" + renamed[name])
    return len(renamed)


def _new_tag(old: str, part: int | str) -> str:
    digest = hashlib.md5(f"{part}:{old}".encode(), usedforsecurity=False).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])
