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
from dataclasses import dataclass, field, replace

import pikepdf
import uharfbuzz as hb
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
    # can_draw's answers: a book's running heads are a few texts on a thousand pages
    answers: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path) -> HeadFace:
        # HarfBuzz (the text pages' shaper, loaded anyway), not fontTools: its
        # glyph order of a CFF face parses the CFF table (≈ 0.1 s with the imports)
        face = hb.Face(hb.Blob.from_file_path(str(path)))
        font, upem = hb.Font(face), face.upem
        glyphs = {}
        for cp in face.unicodes:        # the face's best cmap subtable, as fontTools' getBestCmap
            gid = font.get_nominal_glyph(cp)
            if gid is not None:
                glyphs[chr(cp)] = (gid, font.get_glyph_h_advance(gid) * 1000 / upem)   # hmtx, font units
        return cls(glyphs)

    def can_draw(self, text: str | None) -> bool:
        """One glyph per character, and each has one: letters, numbers,
        punctuation, symbols and spaces only (no marks, no controls)."""
        if not text:
            return True
        ok = self.answers.get(text)
        if ok is None:
            ok = self.answers[text] = (all(ch in self.glyphs and unicodedata.category(ch)[0] in "LNPSZ"
                                           for ch in text) and not any(seq in text for seq in _LIGATURES))
        return ok


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
    out, entries = {}, {}
    for text in texts:
        for ch in text:
            entry = entries.get(ch)
            if entry is None:       # each character encoded once (a folio on every page)
                gid, width = face.glyphs[ch]
                entry = entries[ch] = (gid, (width, ch.encode("utf-16-be").hex().encode()))
            out[entry[0]] = entry[1]
    return out


class _Lines:
    """The heads' text operators of one build, where page_html.py would draw its
    rotated blocks: the lengths are the same on every page but for the top
    (odd, even), and a running head's line is the same on every page of its
    parity (made once)."""

    def __init__(self, frame: Frame, face: HeadFace):
        self.frame, self.face = frame, face
        self.size = int(_num(css_pt(HEAD_SIZE * frame.s)) * 1024) / 1024   # Pango keeps 1/1024 pt: WeasyPrint's Tf
        self.width = _num(css_pt(frame.across))
        self.lefts = (_num(css_pt(frame.x0 + frame.length + frame.s)),          # folio
                      _num(css_pt(frame.x0 - frame.s - HEAD_SIZE * frame.s)))   # running head
        self.made: dict[tuple, str] = {}

    def ops(self, page: lt.Page) -> bytes:
        """page.folio and page.running_head as operators, in that order."""
        out = []
        for text, left in zip((page.folio, page.running_head), self.lefts):
            if text:
                line = self.made.get((text, left, page.odd))
                if line is None:
                    top = _num(css_pt(self.frame.top(page) + self.frame.across))    # page_html.heads_html, L frame
                    line = self.made[text, left, page.odd] = _line(text, left, top, self.width, self.size, page.odd,
                                                                   self.frame, self.face)
                out.append(line)
        return "".join(out).encode()


def stamp(pdf: Pdf, target: pikepdf.Page, ops: bytes, font: Dictionary) -> None:
    """Add the heads' operators `ops` (_Lines) to merged page `target`, with their font."""
    res = target.obj.get("/Resources")
    if res is None:
        res = target.obj.Resources = Dictionary()
    if "/Font" not in res:
        res.Font = Dictionary()
    res.Font[RESOURCE] = font
    target.contents_add(pikepdf.Stream(pdf, ops))


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
        """The heads onto the merged document's pages (one per page of the layout)."""
        if not any(self.stamped):
            return
        lines, font = _Lines(frame, self.face), fonts[self.key]
        for page, target, stamped in zip(self.pages, pdf.pages, self.stamped):
            if stamped:
                stamp(pdf, target, lines.ops(page), font)
