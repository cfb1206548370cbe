"""Latin advances for the layout (layout/textprep.py): the table kept in the machine's font
cache gives the widths read from the font (its key, the font file's identity, is
fonts.font_fact's, tested in tests/test_fonts.py)."""
from __future__ import annotations

from bookbuild.render.pdf.layout import textprep
from bookbuild.render.pdf.layout.textprep import LatinAdvance

SAMPLE = "Joseph Stilwell B-29 14.8 km ÀÉçß Ωμ Жд “”—…"


def widths(monkeypatch, cache) -> list[float]:
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(cache) if cache else "")
    adv = LatinAdvance("Noto Serif CJK TC")
    return [adv.char(c) for c in SAMPLE]


def test_cached_table_gives_the_font_widths(tmp_path, monkeypatch):
    direct = widths(monkeypatch, None)                  # no machine cache: read from the font
    first = widths(monkeypatch, tmp_path / "fc")        # read, then kept
    assert list((tmp_path / "fc").glob("latin-advances-*.json"))
    opened = []
    real = textprep._read_full
    monkeypatch.setattr(textprep, "_read_full", lambda ref: opened.append(ref) or real(ref))
    again = widths(monkeypatch, tmp_path / "fc")        # from the cache: the font is not opened
    assert direct == first == again and not opened
    assert 0.2 < direct[0] < 0.8 and direct[SAMPLE.index(" ")] > 0
