"""The cover edition on real output: the sheet's width from the page count and
the paper, the ISBN barcode read back from a raster, the spine's upright
columns centred on the spine, the panels' order by binding, the EPUB cover.

The interior here is an N-page PDF written by the test (the cover reads only
its page count), so that three page counts cost three cover drawings, not
three book layouts."""
from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from bookbuild.commands.build import renderer
from bookbuild.render.cover.front import front_png
from bookbuild.transform.build_data import prepare
from bookbuild.verify.preflight import Expect, preflight
from helpers.books import copy_sample
from helpers.epub import EPOCH, load

MM = 72 / 25.4
TRIM_W, TRIM_H, BLEED = 148.0, 210.0, 3.0          # the sample's A5 interior, the cover's default bleed
ISBN = "9786267999998"                              # book.toml's 978-626-7999-99-8


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        root = copy_sample(tmp_path_factory.mktemp("cover") / "book")
        toml = (root / "book.toml").read_text("utf-8")
        toml += ('\n[editions.cover-thin]\nformat = "cover"\ninterior = "print"\ncaliper_mm = 0.13\n'
                 'isbn = "978-626-7999-99-8"\nprice = "90350"\n'
                 '\n[editions.cover-h]\nformat = "cover"\ninterior = "print-horizontal"\npaper = "道林紙 70g"\n'
                 'isbn = "978-626-7999-99-8"\n')
        (root / "book.toml").write_text(toml, "utf-8")
        book = load(root)
        yield book, prepare(book), root.parent / "cache"


def _cover(sample, tmp_path, edition: str, pages: int, interior: str = "print") -> pikepdf.Pdf:
    """Build `edition` around an interior of `pages` pages; the cover PDF, open."""
    book, data, cache = sample
    fake = pikepdf.new()
    for _ in range(pages):
        fake.add_blank_page(page_size=(TRIM_W * MM, TRIM_H * MM))
    fake.save(tmp_path / f"{interior}.pdf")
    ed = book.config.edition(edition)
    assert renderer("cover")(book, ed, tmp_path, data, cache) == []
    return pikepdf.open(tmp_path / ed.output_file)


def _box(pdf: pikepdf.Pdf, name: str) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in pdf.pages[0].obj[name])


@pytest.mark.parametrize("pages", [88, 240, 401])
@pytest.mark.parametrize("edition, caliper", [("cover", 0.11), ("cover-thin", 0.13)])
def test_width_is_two_trims_plus_spine_plus_two_bleeds(sample, tmp_path, pages, edition, caliper):
    """道林紙100g is 11 條 = 0.11 mm; cover-thin gives the printer's 0.13 mm; 401 pages fill 201 leaves."""
    pdf = _cover(sample, tmp_path, edition, pages)
    spine = -(-pages // 2) * caliper
    x0, y0, x1, y1 = _box(pdf, "/BleedBox")
    assert abs((x1 - x0) / MM - (2 * TRIM_W + spine + 2 * BLEED)) < 0.1
    assert abs((y1 - y0) / MM - (TRIM_H + 2 * BLEED)) < 0.1
    tx0, ty0, tx1, ty1 = _box(pdf, "/TrimBox")
    assert abs((tx1 - tx0) / MM - (2 * TRIM_W + spine)) < 0.1
    assert abs((tx0 - x0) / MM - BLEED) < 0.01 and abs((ty0 - y0) / MM - BLEED) < 0.01
    mx0, my0, mx1, my1 = _box(pdf, "/MediaBox")
    assert mx0 <= x0 and my0 <= y0 and mx1 >= x1 and my1 >= y1


def _raster(pdf_path, dpi: int = 400, mode: str = "L") -> Image.Image:
    doc = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return doc[0].render(scale=dpi / 72).to_pil().convert(mode)
    finally:
        doc.close()


def test_barcode_on_the_raster_reads_as_the_isbn(sample, tmp_path):
    _cover(sample, tmp_path, "cover", 88)
    found = zxingcpp.read_barcodes(_raster(tmp_path / "cover.pdf"), formats=zxingcpp.BarcodeFormat.EAN13)
    assert [r.text for r in found] == [ISBN]


def test_price_add_on_reads_with_the_isbn(sample, tmp_path):
    _cover(sample, tmp_path, "cover-thin", 88)
    found = zxingcpp.read_barcodes(_raster(tmp_path / "cover-thin.pdf"), formats=zxingcpp.BarcodeFormat.EAN13,
                                   ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Require)
    assert [r.text.replace(" ", "") for r in found] == [ISBN + "90350"]


def test_barcode_is_vectors_not_an_image(sample, tmp_path):
    pdf = _cover(sample, tmp_path, "cover", 88)
    page = pdf.pages[0]
    assert not page.get_images()           # no raster anywhere on the sheet
    ops = [op for _, op in pikepdf.parse_content_stream(page)]
    assert ops.count(pikepdf.Operator("re")) >= 30      # 30 bars at least (EAN-13 has 30 dark bars)


def _columns(pdf_path, x_lo: float, x_hi: float) -> list[list[dict]]:
    """The chars whose centre lies in [x_lo, x_hi] (pt, trim origin), grouped by column (x0)."""
    with pdfplumber.open(pdf_path) as doc:
        chars = [c for c in doc.pages[0].chars if x_lo <= (c["x0"] + c["x1"]) / 2 <= x_hi]
    cols: dict[float, list[dict]] = {}
    for c in chars:
        cols.setdefault(round(c["x0"], 1), []).append(c)
    return [sorted(v, key=lambda c: c["top"]) for _, v in sorted(cols.items())]


def test_spine_text_is_upright_stacked_and_centred(sample, tmp_path):
    book, _, _ = sample
    trim_x = _box(_cover(sample, tmp_path, "cover", 240), "/TrimBox")[0]     # marks around it: not at 0
    spine = 120 * 0.11
    left, right = trim_x + TRIM_W * MM, trim_x + (TRIM_W + spine) * MM   # a vertical book: the front at the left
    chars = [c for col in _columns(tmp_path / "cover.pdf", left, right) for c in col]
    text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["top"]))
    assert text == book.config.title + "".join(book.config.authors) + book.config.publisher
    for c in chars:
        # the derived upright/bold faces hold the CJK glyphs turned 90° counter-clockwise; the
        # text matrix turns them back 90° clockwise: they stand upright, the line runs downwards
        assert "BookbuildTateH" not in c["fontname"] and "BookbuildTate" in c["fontname"]
        a, b, cc, d = c["matrix"][:4]
        assert abs(a) < 1e-6 and abs(d) < 1e-6 and b < 0 < cc
        assert abs(((c["x0"] + c["x1"]) / 2 - trim_x) / MM - (TRIM_W + spine / 2)) < 0.5   # centred on the spine
        assert abs((c["x1"] - c["x0"]) - (c["bottom"] - c["top"])) < 0.01            # one square em cell
    title = [c for c in chars if c["text"] in book.config.title]
    for upper, lower in zip(title, title[1:]):                                       # stacked, not side by side
        assert abs(upper["x0"] - lower["x0"]) < 0.01 and abs(lower["top"] - upper["bottom"]) < 0.01


def _title_x(pdf_path, title: str) -> float:
    """x of the title's first character, mm from the left trim edge."""
    with pikepdf.open(pdf_path) as pdf:
        trim_x = _box(pdf, "/TrimBox")[0]
    with pdfplumber.open(pdf_path) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"] == title[0]]
    return (max(chars, key=lambda c: c["size"])["x0"] - trim_x) / MM


def test_front_is_left_on_a_right_bound_vertical_book_and_right_on_a_horizontal_one(sample, tmp_path):
    """右綴じ (vertical): front | spine | back; 左綴じ (horizontal): back | spine | front."""
    book, _, _ = sample
    _cover(sample, tmp_path, "cover", 88)
    assert _title_x(tmp_path / "cover.pdf", book.config.title) < TRIM_W
    _cover(sample, tmp_path, "cover-h", 88, interior="print-horizontal")
    assert _title_x(tmp_path / "cover-h.pdf", book.config.title) > TRIM_W + 44 * 0.08
    # the barcode is on the back: right of the spine on the vertical book, left on the horizontal one
    for name, on_right in (("cover", True), ("cover-h", False)):
        img = _raster(tmp_path / f"{name}.pdf", 300)
        found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.EAN13)
        centre = (found[0].position.top_left.x + found[0].position.top_right.x) / 2 / img.width
        assert (centre > 0.5) == on_right, name


def test_same_input_gives_the_same_bytes(sample, tmp_path):
    _cover(sample, tmp_path, "cover", 88)
    first = (tmp_path / "cover.pdf").read_bytes()
    _cover(sample, tmp_path, "cover", 88)
    assert (tmp_path / "cover.pdf").read_bytes() == first


def test_epub_cover_is_the_front_panel(sample, tmp_path):
    """The sample has no cover image: its EPUB's cover.png is the print front, rasterised."""
    import zipfile
    book, data, cache = sample
    ed = book.config.edition("epub-horizontal")
    assert renderer("epub")(book, ed, tmp_path, data, cache) == []
    with zipfile.ZipFile(tmp_path / "epub-horizontal.epub") as z:
        png = z.read("EPUB/images/cover.png")
    assert png == front_png(book, book.config.edition("cover"), cache)
    image = Image.open(io.BytesIO(png))
    assert image.width == 1600 and abs(image.height - 1600 * TRIM_H / TRIM_W) <= 1
    # the title's column is there: ink in the right third, where the vertical front sets it
    right = image.convert("L").crop((1067, 300, 1600, 1500))
    assert min(right.get_flattened_data()) < 80


def test_cover_is_press_ready_like_the_interior_with_fold_marks_outside_the_bleed(sample, tmp_path):
    """The sample's cover has the interior's keys (PDF/X-4, gray, 3 mm bleed, crop marks): the
    interior's press step and preflight; the fold marks at the spine's edges stay off the bleed."""
    pdf = _cover(sample, tmp_path, "cover", 240)        # [] from the build: its own preflight was clean
    assert preflight(tmp_path / "cover.pdf", Expect(pdfx="x-4", color="gray", bleed=BLEED * MM)) == []
    assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFX and pdf.docinfo.GTS_PDFXVersion == "PDF/X-4"
    tx0 = _box(pdf, "/TrimBox")[0]
    bx0, by0, bx1, by1 = _box(pdf, "/BleedBox")
    folds = [tx0 + TRIM_W * MM, tx0 + (TRIM_W + 120 * 0.11) * MM]      # the spine's two edges
    ops = list(pikepdf.parse_content_stream(pdf.pages[0]))
    marks = [(ops[i][0], ops[i + 1][0]) for i in range(len(ops) - 1)
             if ops[i][1] == pikepdf.Operator("m") and ops[i + 1][1] == pikepdf.Operator("l")
             and any(abs(float(ops[i][0][0]) - f) < 0.01 for f in folds)]
    assert len(marks) == 4                                                # head and foot of each fold
    for (x, y), (x2, y2) in marks:
        assert float(x) == float(x2)
        assert min(float(y), float(y2)) >= by1 or max(float(y), float(y2)) <= by0


def test_cover_image_fills_the_front_and_its_bleed(sample, tmp_path):
    """cover_image: the front panel (and the bleed at its outer edge) is the image, no text on it."""
    import dataclasses
    book, data, cache = sample
    Image.new("RGB", (740, 1050), (200, 30, 30)).save(book.root / "front.png")
    ed = dataclasses.replace(book.config.edition("cover"), cover_image="front.png", pdfx="", color="rgb",
                             crop_marks=False)
    fake = pikepdf.new()
    for _ in range(88):
        fake.add_blank_page(page_size=(TRIM_W * MM, TRIM_H * MM))
    fake.save(tmp_path / "print.pdf")
    assert renderer("cover")(book, ed, tmp_path, data, cache) == []
    image = _raster(tmp_path / "cover.pdf", 72, "RGB")          # 1 px = 1 pt; no marks: the sheet starts at the bleed
    b = BLEED * MM
    for x, y in ((1, 1), (b + TRIM_W * MM / 2, image.height / 2), (b + TRIM_W * MM - 3, image.height - 2)):
        assert image.getpixel((int(x), int(y))) == (200, 30, 30), (x, y)
    assert image.getpixel((int(b + TRIM_W * MM + 44 * 0.11 * MM + 20), 20)) != (200, 30, 30)   # the back
    with pdfplumber.open(tmp_path / "cover.pdf") as doc:
        assert not [c for c in doc.pages[0].chars if c["x1"] < b + TRIM_W * MM]     # no text on the front


def test_cover_image_that_is_missing_is_bb509_at_its_key(tmp_path):
    from helpers.cli import check_json
    root = copy_sample(tmp_path / "book")
    toml = (root / "book.toml").read_text("utf-8") + 'cover_image = "assets/none.png"\n'
    (root / "book.toml").write_text(toml, "utf-8")
    status, diags = check_json(root)
    line = toml.count("\n")
    assert status == 1 and [(d["code"], d["line"], d["column"]) for d in diags] == [("BB509", line, 1)]
    assert "cover_image assets/none.png" in diags[0]["message"]
