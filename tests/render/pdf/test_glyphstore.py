"""Compiled glyphs kept in the machine's font cache (render/pdf/fonts/glyphstore.py):
a face built again for one new character compiles that character only, and its
bytes are those of a face built from nothing."""
from __future__ import annotations

import pickle
from pathlib import Path

from bookbuild.render.pdf.fonts import glyphs
from bookbuild.render.pdf.fonts.derived import build_derived_fonts

FAMILY = "Noto Serif CJK TC"
BASE = set("衡陽城在湘江西岸三水環抱守軍只有一個軍日軍第十軍進抵外圍")


def _build(chars: set[str], cache: Path):
    return build_derived_fonts(chars, {"12"}, FAMILY, cache, call_numbers={"1"})


def _faces(fonts) -> list[bytes]:
    return [p.read_bytes() for p in (fonts.upright, fonts.horizontal, fonts.bold)]


def test_a_new_character_compiles_its_glyphs_only(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")    # the faces' head.modified
    compiled: list[str] = []
    real = glyphs.compile_drawing
    monkeypatch.setattr(glyphs, "compile_drawing",
                        lambda src, d: compiled.append(d.parts[0][0]) or real(src, d))
    _build(BASE, tmp_path / "warm")
    first = len(compiled)
    del compiled[:]
    warm = _build(BASE | {"龘"}, tmp_path / "warm")
    assert 0 < len(compiled) <= 4 < first     # the new glyph in each face (and its rotation)
    del compiled[:]
    fresh = _build(BASE | {"龘"}, tmp_path / "fresh")
    assert len(compiled) > first
    assert _faces(warm) == _faces(fresh)


def test_a_planted_pickle_is_never_run(tmp_path):
    _build(BASE, tmp_path)
    ran = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (Path.touch, (ran,))

    for store in tmp_path.glob("glyphs-*.pickle"):
        store.write_bytes(pickle.dumps({"x": Planted()}))
    fonts = _build(BASE | {"龘"}, tmp_path)
    assert not ran.exists() and fonts.upright.is_file()
