"""Folios and running heads stamped on the merged pages (docs/PRINT-ENGINE.md §7).

A change that adds or removes a page moves every later page: their folios
change, their text does not.  So in a vertical edition the default folio
(`.folio`, VT-26) and running head (`.rh`, VT-27) are left out of the page
HTML — the page cache key — and written here into the merged page, in the
turned (reading) frame P, exactly where WeasyPrint would draw page_html.py's
rotated blocks, in the same order (folio, then running head, last in the
page): a page whose only change is its number is reused from the cache.

The glyphs come from the horizontal derived face: one glyph per character
(no shaping: `font-kerning: none`, and texts holding one of the face's
ligature sequences are not stamped); their widths and ToUnicode entries go
into that face's merged font (subsets.unify_fonts).  Anything else (another
folio or running-head style, a book stylesheet that styles them) keeps the
heads in the HTML.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from ..layout import layout_types as lt
from ..layout.frame import HEAD_SIZE, Frame, css_pt

RESOURCE = Name("/BBHead")
# Sequences the derived faces turn into one glyph (fonts/face.py PAIRS, STACKS).
_LIGATURES = ("\u2014\u2014", "\u2026\u2026", "\u22ef\u22ef", "！！", "？？", "！？", "？！")


@dataclass(frozen=True)
class HeadFace:
    """Glyph id and advance (1000 units) of each character of the horizontal face."""
    glyphs: dict[str, tuple[int, float]]

    @classmethod
    def load(cls, path) -> HeadFace:
        # deferred: fontTools (≈ 0.1 s), loaded only when a pdf edition is built: every build imports this package
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            upem = font["head"].unitsPerEm
            hmtx, order = font["hmtx"], font.getGlyphOrder()
            index = {name: i for i, name in enumerate(order)}
            glyphs = {chr(cp): (index[name], hmtx[name][0] * 1000 / upem)
                      for cp, name in font.getBestCmap().items() if name in index}
        return cls(glyphs)

    def can_draw(self, text: str | None) -> bool:
        """One glyph per character, and each has one: letters, numbers,
        punctuation, symbols and spaces only (no marks, no controls)."""
        if not text:
            return True
        return (all(ch in self.glyphs and unicodedata.category(ch)[0] in "LNPSZ" for ch in text)
                and not any(seq in text for seq in _LIGATURES))


def enabled(ed, book_css: str) -> bool:
    """Stamp only the default vertical heads, and only when the book's own
    stylesheets leave them alone (a colour there must still apply)."""
    return (ed.vertical and ed.folio == "arabic-horizontal" and ed.running_head == "head"
            and not re.search(r"\.(folio|rh)\b", book_css))


def stampable(page: lt.Page, face: HeadFace | None) -> bool:
    return (face is not None and bool(page.folio or page.running_head)
            and face.can_draw(page.folio) and face.can_draw(page.running_head))


def glyph_entries(face: HeadFace, texts) -> dict[int, tuple[float, bytes]]:
    """{gid: (width, UTF-16BE hex)} of every character stamped."""
    out = {}
    for text in texts:
        for ch in text:
            gid, width = face.glyphs[ch]
            out[gid] = (width, ch.encode("utf-16-be").hex().encode())
    return out


def stamp(pdf: Pdf, index: int, page: lt.Page, frame: Frame, face: HeadFace, font: Dictionary) -> None:
    """Write page.folio and page.running_head onto merged page `index`."""
    size = int(_num(css_pt(HEAD_SIZE * frame.s)) * 1024) / 1024   # Pango keeps 1/1024 pt: WeasyPrint's Tf
    top = _num(css_pt(frame.top(page) + frame.across))               # page_html.heads_html, L frame
    width = _num(css_pt(frame.across))
    ops = []
    for text, left in ((page.folio, frame.x0 + frame.length + frame.s),
                       (page.running_head, frame.x0 - frame.s - HEAD_SIZE * frame.s)):
        if text:
            ops.append(_line(text, _num(css_pt(left)), top, width, size, page.odd, frame, face))
    target = pdf.pages[index]
    res = target.obj.get("/Resources")
    if res is None:
        res = target.obj.Resources = Dictionary()
    if "/Font" not in res:
        res.Font = Dictionary()
    res.Font[RESOURCE] = font
    target.contents_add(pikepdf.Stream(pdf, "".join(ops).encode()))


def _line(text: str, left: float, top: float, width: float, size: float, odd: bool,
          frame: Frame, face: HeadFace) -> str:
    """One rotated block of page_html._turned as P-frame text operators."""
    glyphs = [face.glyphs[ch] for ch in text]
    text_w = sum(w for _, w in glyphs) * size / 1000
    offset = 0.0 if odd else width - text_w                     # text-align: left / right
    # The block is rotated -90° about its top-left corner: the line runs up L
    # from (left, top) and its baseline lies 0.88 em (the faces' ascent) into
    # it; in P (turn: x_P = b + height − y_L, y_P = b + width − x_L) it reads
    # left to right on a horizontal baseline.
    x = frame.bleed + frame.height - top + offset
    y = frame.bleed + frame.width - left - 0.88 * size
    codes = "".join(f"{gid:04x}" for gid, _ in glyphs)
    return f"\nq 0 g BT {RESOURCE} {size:.6f} Tf 1 0 0 1 {x:.4f} {y:.4f} Tm <{codes}> Tj ET Q\n"


def _num(length: str) -> float:
    """The value page_html.py writes (rounded to 0.001 pt), so both draw the same place."""
    return float(length[:-2])


class Heads:
    """The heads of one build: which pages get them stamped (those pages'
    HTML leaves them out, and so their cache keys), and the stamping."""

    def __init__(self, ed, fonts, pages: list[lt.Page], book_css: str):
        self.face = HeadFace.load(fonts.horizontal) if enabled(ed, book_css) else None
        self.pages = pages
        self.stamped = [stampable(p, self.face) for p in pages]
        self.key = (fonts.horizontal_family, str(fonts.horizontal))
        texts = [t for p, s in zip(pages, self.stamped) if s for t in (p.folio, p.running_head) if t]
        self.extra = {self.key: glyph_entries(self.face, texts)} if texts else None
        self._by_id = {id(p): s for p, s in zip(pages, self.stamped)}

    def unstamped(self, page: lt.Page) -> lt.Page:
        """The page as page_html should draw it."""
        return replace(page, folio=None, running_head=None) if self._by_id[id(page)] else page

    def stamp(self, pdf: Pdf, fonts: dict, frame: Frame) -> None:
        for i, page in enumerate(self.pages):
            if self.stamped[i]:
                stamp(pdf, i, page, frame, self.face, fonts[self.key])
