"""Derived faces for the vertical PDF, built from the installed Noto Serif CJK TC
(docs/PRINT-ENGINE.md §2; VT-09..VT-14, VT-23, VT-28, VT-31)."""
import shutil
import subprocess
import time

import pytest
import uharfbuzz as hb
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from bookbuild import charclass as cc
from bookbuild import fonts
from bookbuild.render.pdf.fonts import derived

FAMILY = "Noto Serif CJK TC"
TEXT = ("隨著國際局勢變化，「中華民國」——民國33年（1944年）8月7日……第12章、B-29轟炸。"
        "：；！？‼⁇·‧・／《史記》〈本紀〉『』【】〔〕〖〗［］｛｝～ㄅ※〇々"
        "問題雙方全師8529人14.8公里1:6.4比例10:30至1/12與30%第100師")
MISSING = "\u0e01\U0001f600"          # Thai ko kai, emoji: not in Noto Serif CJK TC
TCY = {"33", "8", "7", "12", "100", "47"}
CALLS = {"1", "12", "123"}

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig missing")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = tmp_path_factory.mktemp("fontcache")
    t = time.perf_counter()
    result = derived.build_derived_fonts(set(TEXT + MISSING), TCY, FAMILY, cache, call_numbers=CALLS)
    return result, cache, time.perf_counter() - t


@pytest.fixture(scope="module")
def faces(built):
    r = built[0]
    return {"U": TTFont(r.upright), "H": TTFont(r.horizontal), "B": TTFont(r.bold)}


@pytest.fixture(scope="module")
def source():
    reg, bold = fonts.find_font(FAMILY), fonts.find_font(FAMILY, bold=True)
    return {"U": TTFont(reg.path, fontNumber=reg.index, lazy=True),
            "B": TTFont(bold.path, fontNumber=bold.index, lazy=True)}


def bounds(font, glyph):
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[glyph].draw(pen)
    return pen.bounds


def rotated(src, glyph):
    """Source bounds turned the way docs/PRINT-ENGINE.md §2 prescribes (x' = vy − y, y' = x − hadv/2 + 380)."""
    x0, y0, x1, y1 = bounds(src, glyph)
    vy = src["VORG"].VOriginRecords.get(glyph, src["VORG"].defaultVertOriginY)
    dy = 380 - src["hmtx"][glyph][0] / 2
    return (vy - y1, x0 + dy, vy - y0, x1 + dy)


def points(font, glyph, rotate=False):
    """Outline points, rounded; with rotate=True turned by the docs/PRINT-ENGINE.md §2 transform."""
    pen = RecordingPen()
    font.getGlyphSet()[glyph].draw(pen)
    if rotate:
        vy = font["VORG"].VOriginRecords.get(glyph, font["VORG"].defaultVertOriginY)
        dy = 380 - font["hmtx"][glyph][0] / 2
    out = []
    for _, args in pen.value:
        for x, y in args:
            out.append((round(vy - y), round(x + dy)) if rotate else (round(x), round(y)))
    return out


def close(a, b, tol=1.5):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def glyph_of(font, ch):
    return font.getBestCmap()[ord(ch)]


def shape(path, text, features=None):
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(hb.Font(face), buf, features or {})
    order = TTFont(path, lazy=True).getGlyphOrder()
    return [(order[i.codepoint], p.x_advance) for i, p in zip(buf.glyph_infos, buf.glyph_positions)]


def contours(font, glyph):
    pen = RecordingPen()
    font.getGlyphSet()[glyph].draw(pen)
    out, pts = [], []
    for op, args in pen.value:
        pts.extend(args)
        if op in ("closePath", "endPath"):
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out.append((min(xs), min(ys), max(xs), max(ys)))
            pts = []
    return out


# --- cmap: one glyph per code point (VT-31) ------------------------------------

@pytest.mark.parametrize("face", "UHB")
def test_every_code_point_has_exactly_one_glyph_of_its_own(faces, face):
    cmap = faces[face].getBestCmap()
    expected = {ord(c) for c in TEXT + "".join(map(chr, range(0x20, 0x7F)))}
    assert set(cmap) == expected
    assert len(set(cmap.values())) == len(cmap), "a glyph is reachable from two code points"
    assert len(faces[face]["cmap"].tables) >= 1


def test_missing_chars_are_reported_not_mapped(built, faces):
    assert built[0].missing == frozenset(MISSING)
    for ch in MISSING:
        assert ord(ch) not in faces["U"].getBestCmap()


def test_two_code_points_sharing_a_source_glyph_get_two_glyphs(tmp_path, source):
    # U+2F00 KANGXI RADICAL ONE and U+4E00 share one glyph in Noto CJK.
    src_cmap = source["U"].getBestCmap()
    assert src_cmap[0x2F00] == src_cmap[0x4E00]
    r = derived.build_derived_fonts({"\u2f00", "一"}, set(), FAMILY, tmp_path)
    cmap = TTFont(r.upright).getBestCmap()
    assert cmap[0x2F00] != cmap[0x4E00]


# --- orientation ---------------------------------------------------------------

@pytest.mark.parametrize("ch", "隨國變民年轟ㄅ〇")
def test_ideographs_are_rotated_ccw_with_vertical_advance(faces, source, ch):
    src, out = source["U"], faces["U"]
    g, sg = glyph_of(out, ch), glyph_of(src, ch)
    assert close(bounds(out, g), rotated(src, sg))
    assert points(out, g) == points(src, sg, rotate=True)
    assert points(out, g) != points(src, sg)
    assert out["hmtx"][g][0] == src["vmtx"][sg][0] == 1000


@pytest.mark.parametrize("ch", sorted(cc.VERT_ALT_REFERENCE))
def test_vert_alt_chars_use_the_vertical_forms(faces, source, ch):
    src, out = source["U"], faces["U"]
    form = glyph_of(src, cc.VERT_ALT_REFERENCE[ch])       # e.g. ﹁ for 「
    assert close(bounds(out, glyph_of(out, ch)), rotated(src, form))
    assert not close(bounds(out, glyph_of(out, ch)), rotated(src, glyph_of(src, ch)), tol=20)


@pytest.mark.parametrize("ch", "。，、：；！？")
def test_tc_centred_marks_keep_the_plain_glyph_centred(faces, source, ch):
    src, out = source["U"], faces["U"]
    x0, y0, x1, y1 = bounds(out, glyph_of(out, ch))
    assert close((x0, y0, x1, y1), rotated(src, glyph_of(src, ch)))
    assert abs((x0 + x1) / 2 - 500) <= 100 and abs((y0 + y1) / 2 - 380) <= 100   # VT-14
    if ch in "：；":   # dots stacked along the column (VT-09): along L's x after rotation
        assert (x1 - x0) / (y1 - y0) > 1.8


@pytest.mark.parametrize("ch", "AB9-.%")
def test_latin_and_digits_keep_unrotated_glyphs(faces, source, ch):
    src, out = source["U"], faces["U"]
    assert close(bounds(out, glyph_of(out, ch)), bounds(src, glyph_of(src, ch)))
    assert out["hmtx"][glyph_of(out, ch)][0] == src["hmtx"][glyph_of(src, ch)][0]


def test_horizontal_face_is_unrotated(faces, source):
    for ch in "國「，":
        assert close(bounds(faces["H"], glyph_of(faces["H"], ch)),
                     bounds(source["U"], glyph_of(source["U"], ch)))


def test_bold_face_is_derived_from_the_bold_source(faces, source):
    g = glyph_of(faces["B"], "國")
    assert close(bounds(faces["B"], g), rotated(source["B"], glyph_of(source["B"], "國")))
    assert not close(bounds(faces["B"], g), bounds(faces["U"], glyph_of(faces["U"], "國")), tol=0.5)
    assert faces["B"]["OS/2"].usWeightClass == 700 and faces["U"]["OS/2"].usWeightClass == 400


# --- metrics and names ----------------------------------------------------------

def test_metrics_names_and_features(built, faces):
    r = built[0]
    for key, family in (("U", r.upright_family), ("H", r.horizontal_family), ("B", r.bold_family)):
        f = faces[key]
        assert (f["hhea"].ascent, f["hhea"].descent, f["hhea"].lineGap) == (880, -120, 0)
        os2 = f["OS/2"]
        assert (os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap) == (880, -120, 0)
        assert f["name"].getDebugName(1) == family
        assert "Noto" not in f["name"].getDebugName(6)
        assert "Adobe" in f["name"].getDebugName(0)   # OFL: copyright notice kept
    assert (r.upright_family, r.horizontal_family, r.bold_family) == \
        ("BookbuildTateU", "BookbuildTateH", "BookbuildTateB")
    tags = {fr.FeatureTag for fr in faces["U"]["GSUB"].table.FeatureList.FeatureRecord}
    assert tags == {"rlig", "ss19", "ss18"}


# --- tate-chu-yoko, calls, 2-em pairs ----------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("年8月7日", ["uni5E74", "tcy.8", "uni6708", "tcy.7", "uni65E5"]),
    ("第12章", ["uni7B2C", "tcy.12", "uni7AE0"]),
    ("第100師", ["uni7B2C", "tcy.100", "uni5E2B"]),
    ("1944年", ["uni0031", "uni0039", "uni0034", "uni0034", "uni5E74"]),
    ("B-29", ["uni0042", "uni002D", "uni0032", "uni0039"]),
    ("14.8", ["uni0031", "uni0034", "uni002E", "uni0038"]),
    ("10:30", ["uni0031", "uni0030", "uni003A", "uni0033", "uni0030"]),
    ("1/12", ["uni0031", "uni002F", "uni0031", "uni0032"]),
    ("30%", ["uni0033", "uni0030", "uni0025"]),
    ("全47人", ["uni5168", "tcy.47", "uni4EBA"]),
    ("全85人", ["uni5168", "uni0038", "uni0035", "uni4EBA"]),   # not a requested run
])
def test_tcy_ligature_only_on_maximal_runs(built, text, expected):
    assert [g for g, _ in shape(built[0].upright, text)] == expected


def test_tcy_glyph_is_one_upright_em_cell(faces):
    f = faces["U"]
    for run in ("8", "12", "100"):
        g = f"tcy.{run}"
        assert f["hmtx"][g][0] == 1000
        x0, y0, x1, y1 = bounds(f, g)
        assert x0 >= 0 and x1 <= 1000 and y0 >= -120 and y1 <= 880   # width in P = y extent ≤ 1 em
        assert abs((y0 + y1) / 2 - 380) <= 15 and abs((x0 + x1) / 2 - 500) <= 15
    # digits side by side in P = along L's y: "12" is wider than "8"
    assert bounds(f, "tcy.12")[3] - bounds(f, "tcy.12")[1] > bounds(f, "tcy.8")[3] - bounds(f, "tcy.8")[1]


def test_note_call_glyphs(built, faces):
    up = built[0].upright
    assert shape(up, "12", {"ss19": True}) == [("call.12", 0)]
    assert shape(up, "123", {"ss19": True}) == [("call.123", 0)]
    assert shape(up, "1", {"ss19": True}) == [("call.1", 0)]
    assert [g for g, _ in shape(up, "12")] == ["tcy.12"]
    for run in CALLS:
        x0, y0, x1, y1 = bounds(faces["U"], f"call.{run}")
        assert faces["U"]["hmtx"][f"call.{run}"][0] == 0
        assert x0 >= -1000 and x1 <= 0 and x1 >= -200      # ends near the origin (VT-23)
        assert y0 >= 1760 and y1 <= 1760 + 1000            # above the em box at 0.5 em


def test_ss18_sets_acronyms_and_digits_upright(built, faces, source):
    up = built[0].upright
    assert shape(up, "USA", {"ss18": True}) == [(f"upr.uni{ord(c):04X}", 1000) for c in "USA"]
    assert [g for g, _ in shape(up, "第12章", {"ss18": True})][1] == "tcy.12"   # tcy wins
    assert [a for _, a in shape(up, "1944", {"ss18": True})] == [1000] * 4
    wide = glyph_of(source["U"], "Ａ")
    assert points(faces["U"], "upr.uni0041") == points(source["U"], wide, rotate=True)


def test_two_em_dash_is_one_unbroken_stroke(built, faces):
    glyphs = shape(built[0].upright, "中——中")
    assert [a for _, a in glyphs] == [1000, 2000, 1000]
    pair = glyphs[1][0]
    parts = contours(faces["U"], pair)
    assert len(parts) == 1
    x0, y0, x1, y1 = parts[0]
    assert x1 - x0 >= 1800 and abs((y0 + y1) / 2 - 380) <= 25 and y1 - y0 < 150
    assert [a for _, a in shape(built[0].upright, "————")] == [2000, 2000]


def test_two_em_ellipsis_is_six_evenly_spaced_dots(built, faces):
    glyphs = shape(built[0].upright, "……")
    assert len(glyphs) == 1 and glyphs[0][1] == 2000
    dots = sorted(contours(faces["U"], glyphs[0][0]))
    assert len(dots) == 6
    xs = [(d[0] + d[2]) / 2 for d in dots]
    ys = [(d[1] + d[3]) / 2 for d in dots]
    assert max(ys) - min(ys) <= 10 and abs(ys[0] - 380) <= 25
    steps = [b - a for a, b in zip(xs, xs[1:])]
    assert all(abs(s - 1000 / 3) <= 50 for s in steps), steps


# --- in a real PDF -------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_weasyprint_text_layer_is_the_source_text(built, tmp_path):
    import weasyprint
    r = built[0]
    line = "民國33年（1944年）8月7日——第12章……"
    html = f"""<html><head><style>
      @font-face {{ font-family: {r.upright_family}; src: url({r.upright.as_uri()}); }}
      @font-face {{ font-family: {r.bold_family}; font-weight: bold; src: url({r.bold.as_uri()}); }}
      @page {{ size: 200mm 100mm; margin: 10mm }}
      p {{ font-family: {r.upright_family}; font-size: 12pt; white-space: pre; margin: 0 }}
      h1 {{ font-family: {r.bold_family}; font-size: 14pt; margin: 0 }}
      .call {{ font-size: .5em; font-feature-settings: "ss19" }}
    </style></head><body><h1>第12章</h1><p>{line}</p>
    <p>問題。<span class="call">12</span>雙方</p></body></html>"""
    pdf = tmp_path / "t.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [ln for ln in text.split("\n") if ln.strip()]
    assert lines == ["第12章", line, "問題。12雙方"]
    assert cc.forbidden_chars(text) == []
    fonts_out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = [row.split()[0] for row in fonts_out.splitlines()[2:]]
    assert len(names) == 2 and all("+BookbuildTate" in n for n in names)
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        all_chars = doc.pages[0].chars
    chars = [c for c in all_chars if c["size"] > 11]
    width = {c["text"]: round((c["x1"] - c["x0"]) / 12, 2) for c in chars if "Bold" not in c["fontname"]}
    assert width["33"] == width["8"] == width["12"] == width["國"] == 1.0      # tcy: one em cell
    assert width["——"] == width["……"] == 2.0                                  # 2-em units
    assert width["1"] < 0.6                                                    # 1944 lies sideways
    calls = [c for c in all_chars if c["text"] == "12" and c["size"] < 11]
    assert len(calls) == 1 and calls[0]["x1"] == calls[0]["x0"]               # zero advance


# --- cache ------------------------------------------------------------------------------

def test_cache_hit_is_fast_and_keyed(built):
    result, cache, _ = built
    fonts._find_font.cache_clear()          # a fresh process asks fontconfig again
    t = time.perf_counter()
    again = derived.build_derived_fonts(set(TEXT + MISSING), TCY, FAMILY, cache, call_numbers=CALLS)
    assert time.perf_counter() - t < 0.05
    assert again == result
    other = derived.build_derived_fonts(set(TEXT + MISSING), TCY | {"9"}, FAMILY, cache,
                                        call_numbers=CALLS)
    assert other.upright.parent != result.upright.parent
    assert "tcy.9" in TTFont(other.upright).getGlyphOrder()


def test_unknown_family_raises(tmp_path):
    with pytest.raises(fonts.FontNotFound):
        derived.build_derived_fonts({"中"}, set(), "No Such Family Bookbuild", tmp_path)


def test_prune_keeps_the_most_recently_used_folders(tmp_path):
    import os
    for i in range(5):
        d = tmp_path / f"derived-{i:024d}"
        d.mkdir()
        (d / "manifest.json").write_text("{}")
        os.utime(d / "manifest.json", (1000 + i, 1000 + i))
    (tmp_path / "derived-building").mkdir()          # no manifest yet: left alone
    derived.prune(tmp_path, keep=2)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["derived-000000000000000000000003", "derived-000000000000000000000004",
                    "derived-building"]


def test_smaller_horizontal_and_bold_sets(tmp_path):
    r = derived.build_derived_fonts(set("中文一二三第章"), set(), FAMILY, tmp_path,
                                    horizontal_chars=set("中文"), bold_chars=set("第章"))
    assert ord("一") in TTFont(r.upright).getBestCmap()
    assert ord("一") not in TTFont(r.horizontal).getBestCmap()
    assert ord("中") in TTFont(r.horizontal).getBestCmap()
    assert ord("中") not in TTFont(r.bold).getBestCmap() and ord("第") in TTFont(r.bold).getBestCmap()
    assert ord("7") in TTFont(r.bold).getBestCmap()    # ASCII always present


def test_advances_em(built, source):
    adv = derived.advances_em(built[0].upright)
    assert adv["國"] == adv["「"] == adv["，"] == 1.0
    assert adv["A"] == source["U"]["hmtx"][glyph_of(source["U"], "A")][0] / 1000
    assert 0.2 < adv[" "] < 0.5


@pytest.mark.parametrize("face", ["H", "U"])
def test_the_heads_glyphs_are_the_faces_cmap_and_advances(built, faces, face):
    """finishing/stamp.HeadFace reads a face with HarfBuzz: the glyph and hmtx
    advance of every character fontTools' best cmap gives (the stamped heads'
    glyph ids and /W widths)."""
    from bookbuild.render.pdf.finishing.stamp import HeadFace
    font = faces[face]
    upem, hmtx, order = font["head"].unitsPerEm, font["hmtx"], font.getGlyphOrder()
    index = {name: i for i, name in enumerate(order)}
    expected = {chr(cp): (index[name], hmtx[name][0] * 1000 / upem) for cp, name in font.getBestCmap().items()}
    path = built[0].horizontal if face == "H" else built[0].upright
    assert HeadFace.load(path).glyphs == expected and len(expected) > 50
