"""Figures in the vertical print PDF, measured on the real output (PRINT-ENGINE.md §10).

A generated book of 30 figures — portrait, landscape, tiny, full-page, a
turned plate, SVG and raster, some with a width — built once.  layout.json
only says which figure should be on which page and where in the grid; the
PDF itself is read for everything else: image objects and their uses
(pikepdf), the drawn pixels of each placed region (pypdfium2) compared with
the source image, character boxes (pdfplumber) and the text layer
(pdftotext -raw).
"""
from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw

from bookbuild.config import EditionConfig
from bookbuild.render.pdf.layout.frame import Frame
from helpers.pdf import EPOCH, build_small_book

# (kind, width, height, attributes): raster sizes are all different, so a
# PDF image object tells which figure it is by its pixel size
RASTERS = [(120, 300, ""), (400, 200, ""), (24, 24, ""), (40, 16, ""), (300, 300, ""),
           (2000, 2800, ".plate"), (600, 300, ".landscape"), (90, 240, "width=40%"), (500, 120, ""),
           (64, 200, ""), (210, 100, ""), (150, 150, "width=20mm"), (330, 90, ""), (80, 80, ""),
           (1200, 1700, ""), (256, 400, ""), (48, 100, ""), (360, 240, ""), (100, 50, ""), (72, 144, "")]
SVGS = [(300, 200, ""), (100, 300, ""), (30, 30, ""), (400, 120, ".landscape"), (200, 200, "width=50%"),
        (150, 400, ""), (260, 180, ""), (50, 120, ""), (500, 260, ""), (180, 90, "")]
COLOURS = [(200, 30, 30), (30, 90, 200), (20, 150, 60), (200, 140, 0)]


def _png(w: int, h: int, k: int) -> bytes:
    """A band across the top and a square at the bottom left: any turn or mirror shows."""
    im = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, w - 1, max(1, h // 4)], fill=COLOURS[k % 4])
    d.rectangle([0, h // 2, w // 2, h - 1], fill=(0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG", dpi=(300, 300) if w >= 1000 else (96, 96))
    return buf.getvalue()


def _svg(w: int, h: int, k: int) -> str:
    text = '<text x="4" y="14" font-size="12" font-family="DejaVu Sans">衡陽</text>' if k == 0 else ""
    r, g, b = COLOURS[k % 4]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
            f'<rect width="{w}" height="{h}" fill="white"/>'
            f'<rect width="{w}" height="{max(1, h // 4)}" fill="rgb({r},{g},{b})"/>'
            f'<rect x="0" y="{h // 2}" width="{w // 2}" height="{h - h // 2}" fill="black"/>{text}</svg>')


def _svg_raster(w: int, h: int, k: int) -> Image.Image:
    im = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, w - 1, max(1, h // 4) - 1], fill=COLOURS[k % 4])
    d.rectangle([0, h // 2, w // 2 - 1, h - 1], fill=(0, 0, 0))
    return im


def _book() -> tuple[dict, dict]:
    files, sources, paras = {}, {}, ["# 第三章　圖版\n"]
    figs = [("png", i, *r) for i, r in enumerate(RASTERS)] + [("svg", i, *s) for i, s in enumerate(SVGS)]
    for n, (kind, i, w, h, attrs) in enumerate(figs):
        name = f"images/f{n:02d}.{kind}"
        if kind == "png":
            files[name] = _png(w, h, i)
            sources[f"fig-{n}"] = Image.open(io.BytesIO(files[name])).convert("RGB")
        else:
            files[name] = _svg(w, h, i)
            sources[f"fig-{n}"] = _svg_raster(w, h, i)
        text = "守軍在城南構築工事，日軍反覆進攻。" * (1 + (n * 7) % 9)
        ref = f"見[](#fig-{n}){{.page}}。" if n % 3 == 0 else ""
        paras.append(f"{ref}{text}\n")
        paras.append(f"![第{n}號圖的說明](images/f{n:02d}.{kind}){{#fig-{n} {attrs}}}\n")
    paras.append("全章完。\n")
    files["manuscript/03.md"] = "\n".join(paras)
    return files, sources


TOML_ADD = '  "manuscript/02.md",\n  "manuscript/03.md",\n'


@pytest.fixture(scope="module")
def figbook(tmp_path_factory):
    from helpers.books import PRINT_TOML
    files, sources = _book()
    files["book.toml"] = PRINT_TOML.replace('  "manuscript/02.md",\n', TOML_ADD)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp("figs"), extra=files)
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
    return out / "print.pdf", layout, sources


def _figures(layout) -> list[tuple[dict, dict]]:
    return [(p, f) for p in layout["pages"] for f in p["figures"] if f["kind"] == "figure"]


def _edition() -> EditionConfig:
    return EditionConfig(name="print", format="pdf")


def _box(page: dict, fig: dict, geo: dict) -> tuple[float, float, float, float]:
    """The image's box on the P page (x0, top, x1, bottom; pdfplumber's frame), from its grid place."""
    ed = _edition()
    s, ta = ed.font_size, Frame.of(ed).ta_p(page["number"] % 2 == 1)
    b = fig["box"]
    room = b["image_slots"] * geo["pitch_em"] - geo["gap_em"]
    across0 = b["across_em"] + max(0.0, room - b["across_size_em"]) / 2
    along0 = (geo["chars_per_column"] - b["along_size_em"]) / 2 if fig["placement"] == "plate" else 0.0
    right = ta["right"] - across0 * s
    top = ta["top"] + along0 * s
    return right - b["across_size_em"] * s, top, right, top + b["along_size_em"] * s


def _render(pdf: Path, number: int, box, scale: float = 3.0) -> Image.Image:
    import pypdfium2 as pdfium  # deferred: only the pixel tests render pages
    doc = pdfium.PdfDocument(str(pdf))
    page = doc[number - 1]
    w, h = page.get_size()
    x0, top, x1, bottom = box
    img = page.render(scale=scale, crop=(x0, h - bottom, w - x1, top)).to_pil().convert("RGB")
    doc.close()
    return img


def _diff(a: Image.Image, b: Image.Image) -> float:
    b = b.resize(a.size, Image.Resampling.BILINEAR)
    hist = ImageChops.difference(a, b).convert("L").histogram()
    return sum(i * n for i, n in enumerate(hist)) / max(1, sum(hist))


# ------------------------------------------------------------------ tests

def test_every_figure_is_placed_once(figbook):
    pdf, layout, sources = figbook
    placed = [f["id"] for _, f in _figures(layout)]
    assert sorted(placed) == sorted(sources), "every figure on exactly one page"


def test_each_raster_is_one_image_object_drawn_once(figbook):
    """pikepdf: one image XObject per raster (identified by its pixel size), drawn by one `Do` in the book."""
    pdf, layout, _ = figbook
    uses: dict[tuple, int] = {}
    objects: dict[tuple, set] = {}
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            xobjects = page.resources.get("/XObject", {})
            for operands, op in pikepdf.parse_content_stream(page):
                if op == pikepdf.Operator("Do") and str(operands[0]) in xobjects:
                    img = xobjects[str(operands[0])]
                    if img.get("/Subtype") == pikepdf.Name.Image:
                        size = (int(img.Width), int(img.Height))
                        uses[size] = uses.get(size, 0) + 1
                        objects.setdefault(size, set()).add(img.objgen)
    want = {(w, h) for w, h, _ in RASTERS}
    assert set(uses) == want
    assert all(n == 1 for n in uses.values()), uses
    assert all(len(o) == 1 for o in objects.values()), objects


def test_figures_are_upright_at_their_place_inside_the_text_block(figbook):
    """The drawn pixels of each placed box match the source image upright (a
    .landscape plate: turned with its top to the page's right), and the box
    lies inside the type area."""
    pdf, layout, sources = figbook
    geo = layout["geometry"]
    for page, fig in _figures(layout):
        box = _box(page, fig, geo)
        ta = Frame.of(_edition()).ta_p(page["number"] % 2 == 1)
        assert ta["left"] - 0.01 <= box[0] and box[2] <= ta["right"] + 0.01, (fig["id"], box, ta)
        assert ta["top"] - 0.01 <= box[1] and box[3] <= ta["bottom"] + 0.01, (fig["id"], box, ta)
        src = sources[fig["id"]]
        want = src.rotate(-90, expand=True) if fig["turned"] else src
        got = _render(pdf, page["number"], box)
        right, wrong = _diff(got, want), _diff(got, want.transpose(Image.Transpose.ROTATE_180))
        assert right < 25 and right < wrong / 2, (fig["id"], right, wrong)


def test_no_character_inside_a_figure_and_the_caption_beside_it(figbook):
    """pdfplumber: no character box overlaps an image (an SVG's own text aside);
    the caption's first character is in the column right after the image's slots."""
    pdf, layout, _ = figbook
    geo = layout["geometry"]
    s = _edition().font_size
    with pdfplumber.open(pdf) as doc:
        for page, fig in _figures(layout):
            x0, top, x1, bottom = _box(page, fig, geo)
            chars = doc.pages[page["number"] - 1].chars
            inside = [c["text"] for c in chars if c["x1"] > x0 + 0.5 and c["x0"] < x1 - 0.5
                      and c["bottom"] > top + 0.5 and c["top"] < bottom - 0.5]
            assert "".join(inside) == fig["text"], (fig["id"], inside)
            slots_left = Frame.of(_edition()).ta_p(page["number"] % 2 == 1)["right"] \
                - (fig["box"]["across_em"] + fig["box"]["image_slots"] * geo["pitch_em"]) * s
            label = next(c for c in chars if c["text"] == fig["caption"][0]
                         and slots_left - geo["pitch_em"] * s <= (c["x0"] + c["x1"]) / 2 <= slots_left)
            assert label["top"] < top + 3 * s or fig["placement"] == "plate", fig["id"]


def test_every_column_stays_on_the_grid(figbook):
    """layout.json: body and caption columns sit at 0.5 + k·pitch; a figure starts at a slot edge.
    The PDF: every character of the body (not of an SVG) is centred on such a column."""
    pdf, layout, _ = figbook
    geo = layout["geometry"]
    pitch, s = geo["pitch_em"], _edition().font_size
    for page in layout["pages"]:
        if page["role"] not in ("body", "plate", "chapter-open"):
            continue
        for c in page["body"]["columns"]:
            k = (c["x_em"] - 0.5) / pitch
            assert abs(k - round(k)) < 1e-6 or c["role"] == "heading1", (page["number"], c["x_em"])
        for f in page["figures"]:
            k = f["box"]["across_em"] / pitch
            assert abs(k - round(k)) < 1e-6
    with pdfplumber.open(pdf) as doc:
        for page in layout["pages"]:
            if not page["figures"] or any(f["text"] for f in page["figures"]):
                continue
            right = Frame.of(_edition()).ta_p(page["number"] % 2 == 1)["right"]
            for c in doc.pages[page["number"] - 1].chars:
                if abs(c["size"] - s) > 0.05 or not ("\u3400" <= c["text"] <= "\u9fff"):
                    continue
                k = ((right - (c["x0"] + c["x1"]) / 2) / s - 0.5) / pitch
                assert abs(k - round(k)) < 0.05, (page["number"], c["text"], k)


def test_text_layer_in_reading_order_with_captions(figbook):
    """pdftotext -raw of every figure page equals layout.json's text of the
    page (captions included, where they stand), then an SVG's own text."""
    pdf, layout, _ = figbook
    for page in layout["pages"]:
        if not page["figures"]:
            continue
        n = page["number"]
        raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        want = page["body"]["text"] + page["notes"]["text"] + "".join(f["text"] for f in page["figures"])
        clean = re.compile(r"\s+")
        got = clean.sub("", raw)
        for head in (page["folio"] or "", page["running_head"] or ""):   # stamped last
            i = got.rfind(clean.sub("", head)) if head else -1
            got = got[:i] + got[i + len(clean.sub("", head)):] if i >= 0 else got
        assert got == clean.sub("", want), n


def test_page_of_a_cross_reference_is_the_figures_page(figbook):
    """見圖N（第M頁）: M is the page layout.json places the figure on."""
    _, layout, _ = figbook
    page_of = {f["id"]: p["number"] for p, f in _figures(layout)}
    label_of = {f["id"]: f["label"] for _, f in _figures(layout)}
    text = layout["text"]
    for n in range(0, len(RASTERS) + len(SVGS), 3):
        fid = f"fig-{n}"
        assert f"見{label_of[fid]}（第{page_of[fid]}頁）" in text, fid


def test_no_text_lost_or_doubled_around_figures(figbook):
    """Every character of the chapter of figures is on exactly one page, and no
    character of the book on two (figures waiting for a later page must not
    drop or repeat a column)."""
    _, layout, _ = figbook
    text = layout["text"]
    seen = [0] * len(text)
    for page in layout["pages"]:
        for area in ("body", "notes"):
            for c in page[area]["columns"]:
                for offset, length in c["pieces"]:
                    for i in range(offset, offset + length):
                        seen[i] += 1
    first, last = text.index("第三章"), text.index("全章完。") + 4      # the chapter of figures
    missing = [i for i in range(first, last) if text[i].strip() and seen[i] == 0]
    doubled = [i for i, n in enumerate(seen) if n > 1]
    assert not doubled, [text[i] for i in doubled[:20]]
    assert not missing, text[missing[0] - 10:missing[0] + 10]
