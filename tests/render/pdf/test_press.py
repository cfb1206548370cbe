"""Press-ready print PDFs, measured on real builds of the small book (issue 17 items 1–3, 5):
PDF/X keys, XMP and boxes on every page, colour (gray / CMYK pure K), marks outside the bleed,
page padding and labels, the preflight after the build, and Ghostscript and poppler reading every page."""
from __future__ import annotations

import json
import subprocess

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest

from bookbuild.render.pdf.finishing.marks import MARK_AREA
from bookbuild.render.pdf.finishing.press import NAMED_PROFILES
from bookbuild.verify.preflight import Expect, preflight
from helpers.books import PRINT_TOML
from helpers.pdf import EPOCH, build_small_book

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
BLEED = 3 * MM
COLOUR_OPS = {"rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "scn", "SC", "SCN"}
# colour everywhere: text, 專名號 and the note rule in blue, so that the gray edition has something to convert
BLUE_CSS = "p, span, div, section { color: #1a4d80; border-color: #1a4d80; text-decoration-color: #1a4d80; }\n"


def _build(tmp_path_factory, keys: str, extra: dict | None = None):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        toml = PRINT_TOML.replace('format = "pdf"', 'format = "pdf"\n' + keys)
        out, diags = build_small_book(tmp_path_factory.mktemp("press"), extra={"book.toml": toml, **(extra or {})})
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return out, diags


@pytest.fixture(scope="module")
def gray(tmp_path_factory):
    return _build(tmp_path_factory, 'pdfx = "x-4"\ncolor = "gray"\nbleed = 3\ncrop_marks = true\n'
                  'center_marks = true\nslug = true\npages_multiple_of = 16\n', {"styles/all.css": BLUE_CSS})


@pytest.fixture(scope="module")
def cmyk(tmp_path_factory):
    return _build(tmp_path_factory, 'pdfx = "x-1a"\ncolor = "cmyk"\nbleed = 3\ncrop_marks = true\n')


def _colour_ops(pdf: pikepdf.Pdf):
    """(operator, operands, in text) of every colour operator on every page and in the cells of its
    tiling patterns (an SVG's hatching); choosing a pattern (`/Pattern cs /P0 scn`) is no colour."""
    for page in pdf.pages:
        yield from _stream_colour_ops(page)
        for pattern in page.obj.Resources.get("/Pattern", {}).values():
            if pattern.get("/PatternType") == 1:
                yield from _stream_colour_ops(pattern)
                for x in pattern.get("/Resources", {}).get("/XObject", {}).values():
                    yield from _stream_colour_ops(x)


def _stream_colour_ops(owner):
    in_text = False
    for operands, op in pikepdf.parse_content_stream(owner):
        name = str(op)
        in_text = True if name == "BT" else False if name == "ET" else in_text
        picks_pattern = name in ("cs", "CS") and str(operands[0]) == "/Pattern" or \
            name in ("scn", "SCN") and len(operands) == 1 and isinstance(operands[0], pikepdf.Name)
        if name in COLOUR_OPS and not picks_pattern:
            yield name, [str(o) if isinstance(o, pikepdf.Name) else float(o) for o in operands], in_text


def test_gray_edition_has_only_gray(gray):
    out, _ = gray
    with pikepdf.open(out / "print.pdf") as pdf:
        ops = list(_colour_ops(pdf))
        assert {op for op, _, _ in ops} <= {"g", "G"}, {op for op, _, _ in ops}
        # the blue (#1a4d80) came through as a gray value, not as black: the conversion ran
        assert any(0.2 < v[0] < 0.5 for op, v, _ in ops if op == "g")
        for page in pdf.pages:
            assert "/ColorSpace" not in page.obj.Resources   # the Lab spaces WeasyPrint declares are gone
            for x in page.obj.Resources.get("/XObject", {}).values():
                if x.get("/Subtype") == pikepdf.Name.Image:
                    assert x.ColorSpace == pikepdf.Name.DeviceGray


def test_cmyk_edition_text_is_pure_k(cmyk):
    out, _ = cmyk
    with pikepdf.open(out / "print.pdf") as pdf:
        ops = list(_colour_ops(pdf))
        assert {op for op, _, _ in ops} <= {"k", "K"}
        text = [v for op, v, in_text in ops if in_text or op == "k"]
        assert text and all(v[:3] == [0, 0, 0] for v in text), "text or rule in four-colour black"
        assert all(v[:3] == [0, 0, 0] and v[3] == 1 for op, v, _ in ops if op == "K")


def test_pdfx4_keys_xmp_and_boxes_on_every_page(gray):
    out, _ = gray
    with pikepdf.open(out / "print.pdf") as pdf:
        assert pdf.pdf_version >= "1.6"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFX and str(intent.OutputConditionIdentifier) == "CGATS TR 001"
        icc = intent.DestOutputProfile
        assert int(icc.N) == 4 and icc.read_bytes()[36:40] == b"acsp" and icc.read_bytes()[12:16] == b"prtr"
        assert pdf.docinfo.Trapped == pikepdf.Name("/False") and str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert len(pdf.trailer.ID) == 2
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4" and meta["pdf:Trapped"] == "False"
            assert meta["xmp:CreateDate"].startswith("2023-11-14T22:13:20")     # SOURCE_DATE_EPOCH
            assert meta["dc:title"] == "衡陽測試本"
        for page in pdf.pages:
            trim, bleed, media = ([float(v) for v in page.obj[k]] for k in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert trim[2] - trim[0] == pytest.approx(A5[0], abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(A5[1], abs=0.01)
            assert [b - t for b, t in zip(bleed, trim)] == pytest.approx([-BLEED, -BLEED, BLEED, BLEED], abs=0.01)
            assert media[:2] == [0, 0]
            assert [m - b for m, b in zip(media, bleed)] == pytest.approx(
                [-MARK_AREA, -MARK_AREA, MARK_AREA, MARK_AREA], abs=0.01)
            assert "/Rotate" not in page.obj


def test_pdfx1a_keys(cmyk):
    out, _ = cmyk
    raw = (out / "print.pdf").read_bytes()
    assert raw.startswith(b"%PDF-1.4") and b"/ObjStm" not in raw     # X-1a:2003: PDF 1.4, no object streams
    with pikepdf.open(out / "print.pdf") as pdf:
        assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2003"
        with pdf.open_metadata() as meta:
            assert meta["pdfx:GTS_PDFXConformance"] == "PDF/X-1a:2003"
        assert not any("/Annots" in p.obj for p in pdf.pages), "no annotation inside the BleedBox of X-1a"


def test_marks_outside_the_bleed_box(gray):
    out, _ = gray
    with pdfplumber.open(out / "print.pdf") as doc:
        for page in doc.pages[:3] + doc.pages[-2:]:
            h = float(page.height)
            b = [float(v) for v in page.page_obj.attrs["BleedBox"]]
            t = [float(v) for v in page.page_obj.attrs["TrimBox"]]
            marks = [ln for ln in page.lines + page.curves
                     if ln["x1"] <= t[0] or ln["x0"] >= t[2] or h - ln["top"] <= t[1] or h - ln["bottom"] >= t[3]]
            assert len(marks) >= 16, len(marks)        # 8 crop + 8 centre lines
            for ln in marks:   # pdfplumber: top/bottom from the page top
                y0, y1 = h - ln["bottom"], h - ln["top"]
                assert (ln["x1"] <= b[0] + 0.2 or ln["x0"] >= b[2] - 0.2 or y1 <= b[1] + 0.2 or y0 >= b[3] - 0.2), ln


def test_slug_line_below_the_bleed(gray):
    out, _ = gray
    with pdfplumber.open(out / "print.pdf") as doc:
        page = doc.pages[0]
        h = float(page.height)
        b = [float(v) for v in page.page_obj.attrs["BleedBox"]]
        fills = [c for c in page.curves if c.get("fill") and h - c["top"] < b[1]]
        assert fills, "the slug's glyph outlines"
    # outlines, not text: the text layer holds no slug
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out / "print.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert "2023-11-14" not in text


def test_pages_padded_to_the_multiple_and_reported(gray):
    out, _ = gray
    log = json.loads((out / "print.log.json").read_text(encoding="utf-8"))
    layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
    press = log["press"]
    with pikepdf.open(out / "print.pdf") as pdf:
        n = len(pdf.pages)
    assert n % 16 == 0 and n == press["pages"] == len(layout["pages"])
    assert 1 <= press["blank_pages_added"] < 16
    blank = layout["pages"][-press["blank_pages_added"]:]
    assert all(p["role"] == "blank" for p in blank)


def test_page_labels_show_the_printed_folio(gray):
    out, _ = gray
    layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
    doc = pdfium.PdfDocument(str(out / "print.pdf"))
    try:
        with_folio = [(i, p["folio"]) for i, p in enumerate(layout["pages"]) if p.get("folio")]
        assert with_folio
        for i, folio in with_folio:
            assert doc.get_page_label(i) == folio
    finally:
        doc.close()


def test_preflight_after_the_build_is_clean(gray, cmyk):
    for out, diags in (gray, cmyk):
        assert not [d for d in diags if d.code.startswith("BB8")], diags
        ed = "x-4" if out == gray[0] else "x-1a"
        color = "gray" if ed == "x-4" else "cmyk"
        assert preflight(out / "print.pdf", Expect(pdfx=ed, color=color, bleed=BLEED,
                                                   multiple=16 if ed == "x-4" else 1)) == []


def test_ghostscript_and_poppler_render_every_page(gray, cmyk):
    for out, _ in (gray, cmyk):
        path = out / "print.pdf"
        gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=nullpage", str(path)],
                            capture_output=True, text=True)
        assert gs.returncode == 0 and not (gs.stdout + gs.stderr).strip(), gs.stdout + gs.stderr
        ppm = subprocess.run(["pdftoppm", "-r", "20", "-gray", str(path), str(out / "page")],
                             capture_output=True, text=True)
        assert ppm.returncode == 0 and not ppm.stderr.strip(), ppm.stderr
        with pikepdf.open(path) as pdf:
            assert len(list(out.glob("page-*.pgm"))) == len(pdf.pages)


def test_rgb_edition_is_unchanged(tmp_path):
    """No press keys: no marks, no intent, no conversion — the screen PDF of before."""
    out, _ = build_small_book(tmp_path)
    with pikepdf.open(out / "print.pdf") as pdf:
        assert "/OutputIntents" not in pdf.Root and "/Metadata" not in pdf.Root
        page = pdf.pages[0].obj
        assert [float(v) for v in page.MediaBox] == pytest.approx([0, 0, *A5], abs=0.01)
        assert [float(v) for v in page.TrimBox] == [float(v) for v in page.MediaBox]
        assert "rg" in {op for op, _, _ in _colour_ops(pdf)}


def test_bb810_missing_output_profile(tmp_path):
    """An output_profile that is not a file: BB810 at book.toml, and the file is written as a plain PDF."""
    from types import SimpleNamespace

    from bookbuild.config import EditionConfig
    from bookbuild.render.pdf.finishing.pressrun import PressRun

    book = SimpleNamespace(root=tmp_path, config=SimpleNamespace(path="book.toml", title="書"))
    ed = EditionConfig(name="print", format="pdf", pdfx="x-4", color="gray", output_profile="icc/none.icc")
    run = PressRun.of(book, ed, SimpleNamespace(horizontal=tmp_path / "f.otf"), tmp_path / "dist" / "print.pdf", 0, 8)
    diags = run.preflight(tmp_path / "dist" / "print.pdf")
    assert [(d.code, d.file, d.severity) for d in diags] == [("BB810", "book.toml", "error")]
    assert "icc/none.icc" in diags[0].message and run.settings.pdfx == "" and run.settings.color == "rgb"
    (tmp_path / "icc").mkdir()
    (tmp_path / "icc" / "none.icc").write_bytes(b"not a profile")
    garbage = PressRun.of(book, ed, SimpleNamespace(horizontal=None), tmp_path / "p.pdf", 0, 8).problems
    assert [d.code for d in garbage] == ["BB810"] and "is not an ICC profile" in garbage[0].message
    (tmp_path / "icc" / "none.icc").write_bytes(NAMED_PROFILES["swop"][0].read_bytes())
    assert PressRun.of(book, ed, SimpleNamespace(horizontal=None), tmp_path / "p.pdf", 0, 8).problems == ()


def test_sample_print_edition_is_press_ready(printed):
    """The sample book's print edition (issue 17 item 6): PDF/X-4, gray, 3 mm bleed, crop marks; its
    preflight, held to the edition's own settings, finds nothing."""
    from bookbuild.config import parse_config
    from bookbuild.render.pdf.finishing.pressrun import expect_of
    from helpers.books import REPO

    ed = parse_config((REPO / "book.toml").read_text(encoding="utf-8"))[0].edition("print")
    assert (ed.pdfx, ed.color, ed.bleed, ed.crop_marks) == ("x-4", "gray", 3.0, True)
    assert preflight(printed.pdf, expect_of(ed)) == []
    with pikepdf.open(printed.pdf) as pdf:
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert {op for op, _, _ in _colour_ops(pdf)} <= {"g", "G"}
        for page in pdf.pages:
            trim, bleed = ([float(v) for v in page.obj[k]] for k in ("/TrimBox", "/BleedBox"))
            assert [b - t for b, t in zip(bleed, trim)] == pytest.approx([-BLEED, -BLEED, BLEED, BLEED], abs=0.01)


def test_proof_and_preview_show_the_drawn_page_without_marks(gray):
    """proof/raster.py (proof sheet, serve) shows the BleedBox: the overlays' frame, no marks."""
    import io

    from PIL import Image

    from bookbuild.proof.raster import page_sizes, render_png

    out, _ = gray
    w, h = page_sizes(out / "print.pdf")[0]
    assert (w, h) == pytest.approx((A5[0] + 2 * BLEED, A5[1] + 2 * BLEED), abs=0.01)
    image = Image.open(io.BytesIO(render_png(out / "print.pdf", 0, 300, grey=True))).convert("L")
    assert image.size == (300, round(300 * h / w))
    doc = pdfium.PdfDocument(str(out / "print.pdf"))
    try:
        full = doc[0].render(scale=4).to_pil().convert("L")     # the whole MediaBox: the marks are there
    finally:
        doc.close()
    strip = int(MARK_AREA * 4)                                   # the left margin, outside the BleedBox
    assert full.crop((0, 0, strip, full.size[1])).getextrema()[0] < 160
    assert image.crop((0, 0, 3, image.size[1])).getextrema()[0] > 200     # the bleed's edge: white
