"""Read access to the source face (e.g. Noto Serif CJK TC) for the font deriver.

Chooses the source glyph for each character (docs/PRINT-ENGINE.md §2 "Glyph
choice") and tells how it must be placed: pre-rotated into the L frame or left
as it is (Latin, digits, which lie sideways after the page turn).
"""
from __future__ import annotations

from dataclasses import dataclass

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from .... import charclass as cc
from ....fonts import FontRef

# Characters that never get a glyph of their own: controls, variation selectors
# and zero-width format characters (HarfBuzz hides default ignorables; VT-31
# forbids the zero-width ones in the text layer anyway).
_IGNORED = ((0x00, 0x1F), (0x7F, 0x9F), (0x200B, 0x200F), (0x2060, 0x206F),
            (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xE0000, 0xE0FFF))

_VERT_FEATURES = {"vert": True, "vrt2": True}


def is_ignored(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORED)


@dataclass(frozen=True, slots=True)
class Choice:
    """Source glyph for a character and whether it is pre-rotated."""
    glyph: str
    rotate: bool


class SourceFace:
    """One face of the source font, opened lazily (a CJK face has 65,535 glyphs).

    A fallback face of the chain (docs/FORMAT.md `font_fallback`) is opened
    with `frame=` the primary face: its glyphs are then scaled to the primary's
    em (`scale`) and its ideographic em box moved onto the primary's (`shift`,
    in primary units), so a fallback ideograph fills the same cell.
    """

    def __init__(self, ref: FontRef, frame: SourceFace | None = None):
        self.ref = ref
        self.font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
        self.order = self.font.getGlyphOrder()
        self.cmap = self.font.getBestCmap()
        self.hmtx = self.font["hmtx"].metrics
        self.vmtx = self.font["vmtx"].metrics if "vmtx" in self.font else {}
        vorg = self.font.get("VORG")
        self._vorg = dict(vorg.VOriginRecords) if vorg else {}
        self._vorg_default = vorg.defaultVertOriginY if vorg else 880
        self.hb_font = hb.Font(hb.Face(hb.Blob.from_file_path(str(ref.path)), ref.index))
        self.upem = self.font["head"].unitsPerEm
        self.name_table = self.font["name"]
        self.scale, self.shift = 1.0, 0.0
        if frame is not None:
            self.scale = frame.upem / self.upem
            self.shift = sum(frame.em_box()) / 2 - self.scale * sum(self.em_box()) / 2
            if not self._vorg:      # TrueType: the vertical box starts at the em box top
                self._vorg_default = self.em_box()[0]

    def em_box(self) -> tuple[int, int]:
        """(top, bottom) of the ideographic em box: OS/2 typo ascender/descender
        when they span one em (as CJK fonts set them), else hhea's, scaled to one em."""
        os2 = self.font.get("OS/2")
        if os2 is not None and os2.sTypoAscender - os2.sTypoDescender == self.upem:
            return os2.sTypoAscender, os2.sTypoDescender
        hhea = self.font["hhea"]
        span = (hhea.ascent - hhea.descent) or self.upem
        return round(hhea.ascent * self.upem / span), round(hhea.descent * self.upem / span)

    def variant(self, ch: str, selector: str) -> str | None:
        """The glyph of the variation sequence ch + selector (cmap 14), if listed."""
        gid = self.hb_font.get_variation_glyph(ord(ch), ord(selector))
        return self.order[gid] if gid else None

    def close(self) -> None:
        self.font.close()

    def draw(self, glyph: str, pen) -> None:
        """Outline of a source glyph, read by HarfBuzz (C) rather than fontTools'
        pure-Python charstring interpreter: ~4x faster."""
        self.hb_font.draw_glyph_with_pen(self.font.getGlyphID(glyph), pen)

    def y_extent(self, glyph: str) -> tuple[int, int] | None:
        """(ymin, ymax) of a glyph's ink, None if it has none."""
        ext = self.hb_font.get_glyph_extents(self.font.getGlyphID(glyph))
        if ext is None or ext.height == 0:
            return None
        return ext.y_bearing + ext.height, ext.y_bearing

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def vertical_origin(self, glyph: str) -> int:
        return self._vorg.get(glyph, self._vorg_default)

    def vertical_advance(self, glyph: str) -> int:
        return self.vmtx[glyph][0] if glyph in self.vmtx else self.upem

    def advance(self, glyph: str) -> int:
        return self.hmtx[glyph][0]

    def shape(self, text: str, vertical: bool, features: dict | None = None) -> list[str]:
        """Glyph names HarfBuzz chooses for `text` set alone (script Hani, zh-Hant)."""
        buf = hb.Buffer()
        buf.add_str(text)
        buf.direction = "ttb" if vertical else "ltr"
        buf.script = "Hani"
        buf.language = "zh-Hant"
        hb.shape(self.hb_font, buf, features if features is not None
                 else (_VERT_FEATURES if vertical else {}))
        return [self.order[info.codepoint] for info in buf.glyph_infos]

    def choose(self, ch: str, upright_face: bool) -> Choice:
        """The glyph for `ch`: pre-rotated (upright face) or as in horizontal text."""
        plain = self.cmap[ord(ch)]
        if not upright_face:
            return Choice(plain, False)
        kind = cc.orientation(ch)
        if kind == "rotated" and ch not in cc.ROTATED_MARKS:
            return Choice(plain, False)  # Latin, digits: sideways after the turn
        if ch in cc.CENTRED_PUNCT:
            return Choice(plain, True)   # TC marks are centred in the plain glyph (VT-14)
        shaped = self.shape(ch, vertical=True)
        alt = shaped[0] if len(shaped) == 1 else plain
        if ch in cc.ROTATED_MARKS and alt == plain:
            return Choice(plain, False)  # no vertical form: the horizontal one lies along the column
        return Choice(alt, True)

    def vertical_pair(self, pair: str) -> str | None:
        """The font's own ligature for a 2-em pair (——) in vertical setting, if any."""
        shaped = self.shape(pair, vertical=True)
        return shaped[0] if len(shaped) == 1 else None

    def horizontal_pair(self, pair: str) -> str | None:
        shaped = self.shape(pair, vertical=False)
        return shaped[0] if len(shaped) == 1 else None

    def digit_forms(self, digits: str) -> list[tuple[str, float]]:
        """(glyph, horizontal scale) per digit for a tcy unit of len(digits) digits:
        proportional for 1, half-width (`hwid`) for 2, third-width (`twid`) for 3;
        a missing width variant is made by scaling the narrowest available form."""
        target = {1: None, 2: self.upem / 2, 3: self.upem / 3}[len(digits)]
        if target is None:
            return [(self.cmap[ord(d)], 1.0) for d in digits]
        for feature in (("twid",) if len(digits) == 3 else ()) + ("hwid",):
            glyphs = self.shape(digits, vertical=False, features={feature: True})
            if len(glyphs) == len(digits):
                forms = [(g, target / self.advance(g)) for g in glyphs]
                if all(abs(s - 1) < 0.02 for _, s in forms) or feature == "hwid":
                    return forms
        return [(self.cmap[ord(d)], target / self.advance(self.cmap[ord(d)])) for d in digits]

    def copyright_names(self) -> dict[int, str]:
        """Copyright and licence records (OFL: keep them in a modified version)."""
        out = {}
        for name_id in (0, 13, 14):
            rec = self.name_table.getName(name_id, 3, 1, 0x409)
            if rec is not None:
                out[name_id] = rec.toUnicode()
        return out
