"""Font chains on real output (issue 16; docs/FORMAT.md `font_fallback`).

A generated book holds 200 characters Noto Serif CJK TC lacks — CJK Ext. B–F
(Noto has all of Ext. A; no installed font has Ext. G), compatibility
ideographs (U+F900–FAFF and the supplement block) and ideographic variation
sequences only HanaMinA lists — each between
two 國. Every edition is built by the command line (print vertical, print
horizontal, EPUB with `embed_font = true`), then:

- PDF: each such character has ink inside its cell, centred like its 國
  neighbours; in vertical columns it stands upright (its cell raster matches
  the horizontal edition's, not that turned 90°); the text layer returns
  exactly the input code points in order (astral ones and selectors too);
- EPUB: the embedded subsets cover them, each fallback face declared with a
  unicode-range of exactly what it supplies; EPUBCheck reports nothing;
- check: BB402 only for what no font of the chain has (`font_fallback = []`,
  a chain of HanaMinA alone); `check --format json` lists the fallback chars;
- cache: a second build reuses the derived faces.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from fontTools.ttLib import TTFont

from bookbuild.fonts import find_font
from bookbuild.render.pdf.fonts.derived import derived_dir
from helpers.books import make_book
from helpers.cli import bookbuild, check_json
from helpers.epub import epubcheck_problems

EPOCH = "1700000000"
DPI = 300
NEIGHBOUR = "國"
# (first, last, how many) per block; the characters are taken evenly spread
# from those the default chain has and the primary lacks.
BLOCKS = (("compatibility", 0xF900, 0xFAFF, 25), ("Ext. B", 0x20000, 0x2A6DF, 45), ("Ext. C", 0x2A700, 0x2B73F, 25),
          ("Ext. D", 0x2B740, 0x2B81F, 15), ("Ext. E", 0x2B820, 0x2CEAF, 25), ("Ext. F", 0x2CEB0, 0x2EBEF, 25),
          ("compatibility supplement", 0x2F800, 0x2FA1F, 25))
N_IVS = 15


def _cmap(family: str) -> dict[int, str]:
    ref = find_font(family)
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        return font.getBestCmap()
    finally:
        font.close()


def _uvs(family: str) -> set[tuple[int, int]]:
    ref = find_font(family)
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        table = font["cmap"].getcmap(0, 5)
        return {(base, vs) for vs, entries in table.uvsDict.items() for base, _ in entries} if table else set()
    finally:
        font.close()


CHAIN = ("TW-Sung", "TW-Sung-Ext-B", "TW-Sung-Plus", "HanaMinA", "HanaMinB")


@pytest.fixture(scope="module")
def rare() -> dict:
    """{"chars": [...single characters...], "ivs": [...base+selector...]} chosen from the fonts."""
    primary = set(_cmap("Noto Serif CJK TC"))
    covered = set().union(*(_cmap(f) for f in CHAIN))
    chars = []
    for _, lo, hi, n in BLOCKS:
        pool = sorted(cp for cp in covered - primary if lo <= cp <= hi)
        assert len(pool) >= n, (hex(lo), len(pool))
        chars += [chr(pool[i * len(pool) // n]) for i in range(n)]
    noto_uvs = _uvs("Noto Serif CJK TC")
    seqs = sorted((b, v) for b, v in _uvs("HanaMinA") - noto_uvs
                  if b in primary and v >= 0xE0100 and 0x4E00 <= b <= 0x9FFF)
    ivs = [chr(b) + chr(v) for b, v in (seqs[i * len(seqs) // N_IVS] for i in range(N_IVS))]
    assert len(chars) + len(ivs) >= 200
    return {"chars": chars, "ivs": ivs, "primary": primary}


TOML = """[book]
title = "缺字測試"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504031616"
chapters = ["manuscript/01.md"]

[editions.print]
format = "pdf"

[editions.print-h]
format = "pdf"
writing = "horizontal"
chars_per_column = 30
columns_per_page = 24
margin_head = 25
margin_gutter = 20

[editions.epub]
format = "epub"
embed_font = true
"""


def _paragraph(units: list[str]) -> str:
    return "".join(NEIGHBOUR + u for u in units) + NEIGHBOUR + "。"


@pytest.fixture(scope="module")
def book(rare, tmp_path_factory) -> Path:
    units = rare["chars"] + rare["ivs"]
    paragraphs = [_paragraph(units[i:i + 40]) for i in range(0, len(units), 40)]
    paragraphs.append(_paragraph([s[0] for s in rare["ivs"]]))      # the bases alone
    text = "# 缺字\n\n" + "\n\n".join(paragraphs) + "\n"
    return make_book(tmp_path_factory.mktemp("fallback") / "book",
                     {"book.toml": TOML, "manuscript/01.md": text}, base={})


@pytest.fixture(scope="module")
def built(book) -> Path:
    r = bookbuild("build", book, "--out", book / "dist", env={"SOURCE_DATE_EPOCH": EPOCH}, with_src=True,
                  timeout=1500)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 errors, 0 warnings" in r.stdout + r.stderr, r.stdout + r.stderr
    return book / "dist"


def _body_chars(pdf: Path) -> list[dict]:
    """Body-size chars of the body pages, in drawing order."""
    out = []
    with pdfplumber.open(pdf) as doc:
        sizes = [c["size"] for p in doc.pages for c in p.chars]
        body = max(set(sizes), key=sizes.count)
        for number, page in enumerate(doc.pages, 1):
            out += [dict(c, page=number) for c in page.chars if abs(c["size"] - body) < 0.01]
    return out


@pytest.mark.parametrize("edition", ["print", "print-h"])
def test_text_layer_returns_the_input_code_points_in_order(built, rare, edition):
    text = "".join(c["text"] for c in _body_chars(built / f"{edition}.pdf"))
    units = rare["chars"] + rare["ivs"]
    for i in range(0, len(units), 40):
        assert _paragraph(units[i:i + 40])[:-1] in text, f"paragraph {i // 40 + 1} of {edition}"
    assert "\ufffd" not in text and not re.search("[\ue000-\uf8ff]", text)


def _render(pdf: Path):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    return [doc[i].render(scale=DPI / 72).to_pil().convert("L") for i in range(len(doc))]


def _cells(pdf: Path, units: list[str], across: float = 0.0) -> list[tuple[str, dict, object, object]]:
    """(unit, its char, its cell's ink mask, the next 國's ink mask) for each
    unit; a cell is pdfplumber's 1 em box, widened by `across` em on both sides
    across the line (x in vertical columns, y in horizontal lines), where no
    neighbour's ink can be."""
    chars, images, s = _body_chars(pdf), _render(pdf), DPI / 72
    vertical = not pdf.stem.endswith("-h")      # print-h: the horizontal edition

    def mask(c):
        ex, ey = (across * c["size"], 0) if vertical else (0, across * c["size"])
        box = (round((c["x0"] - ex) * s), round((c["top"] - ey) * s), round((c["x1"] + ex) * s),
               round((c["bottom"] + ey) * s))
        return images[c["page"] - 1].crop(box).point(lambda v: 255 if v < 128 else 0)

    by_text = {}
    for i, c in enumerate(chars):
        if c["text"] in units and i + 1 < len(chars) and chars[i + 1]["text"] == NEIGHBOUR:
            by_text.setdefault(c["text"], (c, chars[i + 1]))
    out = []
    for u in units:
        assert u in by_text, f"{u!r} U+{ord(u[0]):04X} not found as its own cell"
        c, n = by_text[u]
        out.append((u, c, mask(c), mask(n)))
    return out


def _centre(mask) -> tuple[float, float]:
    x0, y0, x1, y1 = mask.getbbox()
    return (x0 + x1) / 2 / mask.width, (y0 + y1) / 2 / mask.height


@pytest.mark.parametrize("edition", ["print", "print-h"])
def test_each_fallback_glyph_has_ink_inside_its_cell_centred_like_its_neighbours(built, rare, edition):
    """Ink: a real glyph (over half an em long), not spilling out of its
    cell across the line (looked for in a crop 0.25 em wider: along the line
    the neighbours touch, and the centring bounds that direction); its ink
    centre within 0.1 em of its 國 neighbour's."""
    units = rare["chars"] + rare["ivs"]
    for u, c, ink, neighbour in _cells(built / f"{edition}.pdf", units, across=0.25):
        name = f"U+{ord(u[0]):04X}"
        box = ink.getbbox()
        assert box is not None, f"no ink for {name}"
        em_px = (c["bottom"] - c["top"]) * DPI / 72
        pad = (ink.width - em_px) / 2 if edition == "print" else (ink.height - em_px) / 2
        lo, hi = (box[0], box[2]) if edition == "print" else (box[1], box[3])
        assert lo >= pad - 1 and hi <= pad + em_px + 1, (name, box, ink.size, pad)
        assert max(box[2] - box[0], box[3] - box[1]) > em_px / 2, (name, box)     # 一 is one stroke
        (cx, cy), (nx, ny) = _centre(ink), _centre(neighbour)
        assert abs(cx - nx) * ink.width < 0.1 * em_px and abs(cy - ny) * ink.height < 0.1 * em_px, \
            (name, (cx, cy), (nx, ny))


def _iou(a, b) -> float:
    """IoU of two ink masks cropped to their ink, the smaller padded, one pixel of tolerance."""
    from PIL import Image, ImageChops, ImageFilter
    a, b = a.crop(a.getbbox()), b.crop(b.getbbox())
    w, h = max(a.width, b.width), max(a.height, b.height)
    pa, pb = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    pa.paste(a, ((w - a.width) // 2, (h - a.height) // 2))
    pb.paste(b, ((w - b.width) // 2, (h - b.height) // 2))
    da, db = pa.filter(ImageFilter.MaxFilter(3)), pb.filter(ImageFilter.MaxFilter(3))
    inter = ImageChops.logical_and(pa.convert("1"), db.convert("1")).histogram()[255] + \
        ImageChops.logical_and(pb.convert("1"), da.convert("1")).histogram()[255]
    total = pa.histogram()[255] + pb.histogram()[255]
    return inter / total if total else 0.0


def test_fallback_glyphs_stand_upright_in_vertical_columns(built, rare):
    """A vertical cell's raster is the horizontal edition's glyph (both upright
    on the page), and not that glyph turned a quarter."""
    units = rare["chars"] + rare["ivs"]
    vertical = {u: m for u, _, m, _ in _cells(built / "print.pdf", units)}
    horizontal = {u: m for u, _, m, _ in _cells(built / "print-h.pdf", units)}
    upright, better = [], 0
    for u in units:
        same = _iou(vertical[u], horizontal[u])
        turned = _iou(vertical[u], horizontal[u].rotate(90, expand=True))
        upright.append(same)
        better += same > turned
    assert min(upright) > 0.75, sorted(upright)[:5]
    assert better >= len(units) - 2      # a near-symmetric glyph may look the same turned


def test_variation_sequences_draw_the_variant_glyph(built, rare):
    """The cell of base+selector is not the base's own glyph (the book also
    sets each base alone, in the last paragraph)."""
    ivs = rare["ivs"]
    bases = [s[0] for s in ivs]
    for edition in ("print", "print-h"):
        cells = {u: m for u, _, m, _ in _cells(built / f"{edition}.pdf", ivs + bases)}
        # the same glyph in two cells scores 1.0; a few variants differ from
        # their base by less than a pixel of stroke at 300 dpi
        differ = sum(_iou(cells[seq], cells[base]) < 0.995 for seq, base in zip(ivs, bases))
        assert differ >= len(ivs) - 3, (edition, differ)


def test_epub_embeds_subsets_that_cover_the_fallback_chars(built, rare):
    path = built / "epub.epub"
    with zipfile.ZipFile(path) as z:
        css = z.read("EPUB/css/font.css").decode()
        faces = re.findall(r'@font-face \{\s*font-family: "([^"]+)";\s*src: url\("\.\./([^"]+)"\);'
                           r'(?:\s*unicode-range: ([^;]+);)?', css)
        cmaps = {}
        for family, file, _ in faces:
            font = TTFont(__import__("io").BytesIO(z.read("EPUB/" + file)))
            cmaps[family] = set(font.getBestCmap())
    ranged = {}
    for family, _, ranges in faces:
        cps = set()
        for part in filter(None, ranges.split(", ")):
            lo, _, hi = part[2:].partition("-")
            cps |= set(range(int(lo, 16), int(hi or lo, 16) + 1))
        ranged[family] = cps
    fallback = {ord(c) for c in rare["chars"]}
    declared = set().union(*(cps for cps in ranged.values()))
    assert declared == fallback, "unicode-range lists exactly the fallback chars"
    for family, cps in ranged.items():
        assert cps <= cmaps[family], family            # each subset has what its range declares
    assert "bookbuild-embedded" in cmaps and not ranged["bookbuild-embedded"]
    assert re.search(r'html \{ font-family: "bookbuild-embedded", "Noto Serif CJK TC", "bookbuild-fallback-1"', css)
    assert epubcheck_problems(path) == []


def test_check_json_lists_the_fallback_characters(book, rare):
    import io

    from bookbuild.commands.check import run_check
    out = io.StringIO()
    assert run_check([book], fmt="json", stdout=out, stderr=io.StringIO()) == 0
    report = json.loads(out.getvalue())["fallback_fonts"]
    listed = {c for family in report["print"].values() for c in family}
    assert listed == set(rare["chars"]) | set(rare["ivs"])
    assert set(report["print"]) <= set(CHAIN)


def _with(book: Path, tmp_path: Path, line: str) -> Path:
    copy = make_book(tmp_path / "b", {p.relative_to(book).as_posix(): p.read_text("utf-8")
                                      for p in book.rglob("*") if p.is_file() and "dist" not in p.parts
                                      and ".bookbuild" not in p.parts}, base={})
    toml = copy / "book.toml"
    toml.write_text(toml.read_text("utf-8").replace('format = "pdf"\n', f'format = "pdf"\n{line}\n', 1), "utf-8")
    return copy


def test_bb402_only_for_characters_no_chain_font_has(book, rare, tmp_path):
    status, diags = check_json(_with(book, tmp_path / "none", "font_fallback = []"))
    reported = {re.search(r"'(.)' U\+", d["message"]).group(1) for d in diags if d["code"] == "BB402"}
    assert status == 1 and reported == set(rare["chars"])
    bb403 = [d for d in diags if d["code"] == "BB403"]
    assert len(bb403) == len(rare["ivs"])          # and the variants then fall back to their bases
    hana = set(_cmap("HanaMinA"))
    status, diags = check_json(_with(book, tmp_path / "hana", 'font_fallback = ["HanaMinA"]'))
    reported = {re.search(r"'(.)' U\+", d["message"]).group(1) for d in diags if d["code"] == "BB402"}
    assert reported == {c for c in rare["chars"] if ord(c) not in hana}
    assert all("tried: Noto Serif CJK TC, HanaMinA" in d["message"] for d in diags if d["code"] == "BB402")


def test_second_build_reuses_the_derived_faces(built, book):
    """Same sources, same chain: no derived face is written again (a hit only
    touches the folder's manifest), and the PDF is byte-identical."""
    # the print edition's faces, in the machine's font cache (shared with other books and tests)
    with pikepdf.open(built / "print.pdf") as pdf:
        embedded = {o.FontFile3.read_bytes() for o in pdf.objects
                    if isinstance(o, pikepdf.Dictionary) and "/FontFile3" in o}
    fonts = derived_dir(book / ".bookbuild" / "cache")
    stamps = {p: p.stat().st_mtime_ns for p in fonts.glob("derived-*/*.otf") if p.read_bytes() in embedded}
    assert any(p.name == "TateU.otf" for p in stamps)
    r = bookbuild("build", book, "--out", book / "dist2", "--edition", "print", env={"SOURCE_DATE_EPOCH": EPOCH},
                  with_src=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert (book / "dist2" / "print.pdf").read_bytes() == (built / "print.pdf").read_bytes()


def test_derived_cache_key_holds_the_chain(tmp_path):
    """The same characters with another chain are another derived folder; the
    fallback's glyph is in the face only when the chain has it."""
    from bookbuild.render.pdf.fonts.derived import build_derived_fonts
    ch = "\U0002ceb0"                                      # Ext. F: only HanaMinB has it
    alone = build_derived_fonts({ch}, set(), "Noto Serif CJK TC", tmp_path)
    chained = build_derived_fonts({ch}, set(), "Noto Serif CJK TC", tmp_path, fallback=("HanaMinB",))
    assert alone.upright.parent != chained.upright.parent
    assert ch in alone.missing and ch not in chained.missing
    for face in (chained.upright, chained.horizontal, chained.bold):
        assert ord(ch) in TTFont(str(face)).getBestCmap()
