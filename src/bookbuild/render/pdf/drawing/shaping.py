"""Glyphs of a derived face for a run of text: HarfBuzz, as Pango shapes it.

WeasyPrint draws text through Pango, which shapes with HarfBuzz; the direct
writer (textpages.py) shapes the same text with the same face and features
(`font-kerning: none` in print.css, `ss18`/`ss19` for the `.up` and `.call`
classes), so it gets the same glyphs: the derived faces' ligatures (tcy
digits, ——, call numbers) and variation sequences included.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

PLAIN: dict[str, bool] = {"kern": False}
UPRIGHT: dict[str, bool] = {"kern": False, "ss18": True}
CALL: dict[str, bool] = {"kern": False, "ss19": True}


@dataclass(frozen=True, slots=True)
class Glyph:
    gid: int
    cluster: int        # index of its first character in the shaped text
    advance: float      # em
    dx: float           # em, GPOS offsets
    dy: float
    text: str           # the characters of its cluster (the first glyph of a cluster; "" for the others)


class Shaper:
    """One derived font file, opened once per build."""

    def __init__(self, path: Path):
        self.path = Path(path)
        face = hb.Face(hb.Blob.from_file_path(str(path)))
        self.font = hb.Font(face)
        self.upem = face.upem
        self._widths: dict[int, int] = {}

    def shape(self, text: str, features: dict[str, bool] = PLAIN) -> list[Glyph]:
        buf = hb.Buffer()
        # code points, so that a cluster is an index into `text` (astral characters too)
        buf.add_codepoints([ord(c) for c in text])
        buf.guess_segment_properties()
        hb.shape(self.font, buf, features)
        k = 1.0 / self.upem
        infos, positions = buf.glyph_infos, buf.glyph_positions
        clusters = [i.cluster for i in infos]
        ends = sorted(set(clusters)) + [len(text)]
        end_of = dict(zip(ends, ends[1:]))
        return [Glyph(i.codepoint, c, p.x_advance * k, p.x_offset * k, p.y_offset * k,
                      "" if n and clusters[n - 1] == c else text[c:end_of[c]])
                for n, (i, p, c) in enumerate(zip(infos, positions, clusters))]

    def width(self, gid: int) -> int:
        """The glyph's advance in 1000ths of an em, rounded as WeasyPrint writes
        /W (both kinds of pages share the merged font's widths)."""
        w = self._widths.get(gid)
        if w is None:
            w = self._widths[gid] = round(self.font.get_glyph_h_advance(gid) * 1000 / self.upem)
        return w
