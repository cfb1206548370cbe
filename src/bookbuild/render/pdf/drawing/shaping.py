"""Glyphs of a derived face for a run of text: HarfBuzz, as Pango shapes it.

WeasyPrint draws text through Pango, which shapes with HarfBuzz; the direct
writer (textpages.py) shapes the same text with the same face and features
(`font-kerning: none` in print.css, `ss18`/`ss19` for the `.up` and `.call`
classes), so it gets the same glyphs: the derived faces' ligatures (tcy
digits, ——, call numbers) and variation sequences included.
"""
from __future__ import annotations

from pathlib import Path

import uharfbuzz as hb

PLAIN: dict[str, bool] = {"kern": False}
UPRIGHT: dict[str, bool] = {"kern": False, "ss18": True}
CALL: dict[str, bool] = {"kern": False, "ss19": True}


# A shaped glyph: (gid, cluster, advance, dx, dy, text) — the cluster is the
# index of its first character in the shaped text; advance and GPOS offsets
# in em; text: the characters of its cluster on the first glyph of a cluster,
# "" on the others.  Tuples, not objects: a book shapes a million glyphs.
Glyph = tuple[int, int, float, float, float, str]


class Shaper:
    """One derived font file, opened once per build."""

    def __init__(self, path: Path):
        face = hb.Face(hb.Blob.from_file_path(str(path)))
        self.font = hb.Font(face)
        self.upem = face.upem
        self.widths = _Widths(self.font, self.upem)

    def shape(self, text: str, features: dict = PLAIN) -> list[Glyph]:
        """Glyphs of `text`; `features`: {tag: on} or {tag: [(start, end, on), …]} (character ranges)."""
        buf = hb.Buffer()
        # code points, so that a cluster is an index into `text` (astral characters too)
        buf.add_codepoints([ord(c) for c in text])
        buf.guess_segment_properties()
        hb.shape(self.font, buf, features)
        k = 1.0 / self.upem
        infos, positions = buf.glyph_infos, buf.glyph_positions
        clusters = [i.cluster for i in infos]
        ends, end = [0] * len(clusters), len(text)
        for j in range(len(clusters) - 1, -1, -1):     # a cluster ends where the next one starts
            if j + 1 < len(clusters) and clusters[j + 1] != clusters[j]:
                end = clusters[j + 1]
            ends[j] = end
        return [(i.codepoint, c, p.x_advance * k, p.x_offset * k, p.y_offset * k,
                 "" if j and clusters[j - 1] == c else text[c:ends[j]])
                for j, (i, p, c) in enumerate(zip(infos, positions, clusters))]


class _Widths(dict):
    """gid -> advance in 1000ths of an em, rounded as WeasyPrint writes /W (both
    kinds of pages share the merged font's widths); looked up once per glyph."""

    def __init__(self, font, upem: int):
        super().__init__()
        self.font, self.upem = font, upem

    def __missing__(self, gid: int) -> int:
        w = self[gid] = round(self.font.get_glyph_h_advance(gid) * 1000 / self.upem)
        return w
