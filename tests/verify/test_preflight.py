"""The preflight (verify/preflight, BB801–BB809): a clean press-ready file passes; each rule,
broken on purpose in a small PDF made with pikepdf, is caught with its code and page."""
from __future__ import annotations

import subprocess
import sys

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

from bookbuild.render.pdf.finishing.press import OutputProfile, PressSettings, make_press_ready, save_options
from bookbuild.verify.preflight import Expect, preflight

MM = 72 / 25.4
W, H = 148 * MM, 210 * MM
BLEED = 3 * MM
GRAY_X4 = PressSettings(pdfx="x-4", color="gray", profile=OutputProfile.named("swop"), bleed=BLEED,
                        crop_marks=True, title="試印", epoch=0)


def _pdf(content: bytes = b"0 g 120 150 100 200 re f", pages: int = 4, resources=None):
    """A small book: `pages` A5 pages with a TrimBox (as WeasyPrint writes them) and `content` on each;
    `resources` a dictionary, or a function of the new PDF returning one."""
    pdf = pikepdf.new()
    if callable(resources):
        resources = resources(pdf)
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=(W, H))
        page.obj.TrimBox = Array([0, 0, W, H])
        page.obj.Contents = pdf.make_stream(content)
        page.obj.Resources = resources if resources is not None else Dictionary()
    pdf.docinfo.Title = "試印"
    return pdf


def _check(pdf, tmp_path, settings: PressSettings | None = GRAY_X4, expect: Expect | None = None,
           name: str = "t.pdf") -> list:
    if settings is not None:
        make_press_ready(pdf, settings)
    path = tmp_path / name
    pdf.save(path, deterministic_id=True, **(save_options(settings) if settings else {}))
    return preflight(path, expect or Expect(pdfx=settings.pdfx if settings else "", color="gray",
                                            bleed=BLEED, multiple=4))


def _codes(diags) -> dict[str, list[int]]:
    assert all(d.hint and d.file and d.line >= 1 for d in diags), diags     # every finding says what to do
    out: dict[str, list[int]] = {}
    for d in diags:
        out.setdefault(d.code, []).append(d.line)
    return out


def test_a_press_ready_file_is_clean(tmp_path):
    assert _check(_pdf(), tmp_path) == []


def test_bb801_rgb_in_a_gray_file(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    pdf.pages[2].contents_add(pdf.make_stream(b"1 0 0 rg 150 150 20 20 re f"))
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="gray"))
    assert _codes(diags) == {"BB801": [3]}
    assert "rgb" in diags[0].message and diags[0].file.endswith("t.pdf")


def test_bb801_spot_colour_and_rgb_image(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, PressSettings(pdfx="x-4", color="cmyk", profile=OutputProfile.named("swop"),
                                        bleed=BLEED, crop_marks=True, epoch=0))
    spot = Array([Name.Separation, Name("/PANTONE 185 C"), Name.DeviceCMYK,
                  Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[0, 1, 1, 0], N=1)])
    page = pdf.pages[0]
    page.obj.Resources.ColorSpace = Dictionary(Spot=spot)
    page.contents_add(pdf.make_stream(b"/Spot cs 1 scn 150 150 20 20 re f"))
    pdf.pages[1].obj.Resources.XObject = Dictionary(Im=_image(pdf, "RGB", 300))
    pdf.pages[1].contents_add(pdf.make_stream(b"q 72 0 0 72 150 150 cm /Im Do Q"))
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="cmyk"))
    assert _codes(diags) == {"BB801": [1, 2]}
    assert "spot" in diags[0].message and "rgb image" in diags[1].message


def test_bb801_rgb_gradient(tmp_path):
    """A CSS gradient is a shading (`sh`): its colour space counts like a colour operator's."""
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    shading = Dictionary(ShadingType=2, ColorSpace=Name.DeviceRGB, Coords=[0, 0, 100, 0],
                         Function=Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 0, 0], C1=[0, 0, 1], N=1))
    pdf.pages[1].obj.Resources.Shading = Dictionary(Sh=shading)
    pdf.pages[1].contents_add(pdf.make_stream(b"q /Sh sh Q"))
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="gray"))
    assert _codes(diags) == {"BB801": [2]} and "rgb" in diags[0].message


def _hatched(pdf) -> Dictionary:
    """Resources with a coloured tiling pattern whose cell strokes in RGB (as WeasyPrint draws an
    SVG <pattern>: the hatching of a map's hills)."""
    cell = pdf.make_stream(b"0.48 0.42 0.31 RG 1.2 w 2 12 m 8 4 l 14 12 l S")
    cell.Type, cell.PatternType, cell.PaintType, cell.TilingType = Name.Pattern, 1, 1, 1
    cell.BBox, cell.XStep, cell.YStep, cell.Resources = Array([0, 0, 16, 16]), 16, 16, Dictionary()
    return Dictionary(Pattern=Dictionary(P0=cell))


def test_bb801_rgb_inside_a_tiling_pattern(tmp_path):
    """A pattern's cell is a content stream of its own: its RGB counts; its strokes, in pattern
    space near (0, 0), are no marks in the bleed."""
    pdf = _pdf(b"/Pattern cs /P0 scn 150 150 100 100 re f", pages=4, resources=_hatched)
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="", color="gray"))
    assert _codes(diags) == {"BB801": [1, 2, 3, 4]} and "rgb" in diags[0].message


def test_press_turns_a_tiling_patterns_colours_gray(tmp_path):
    pdf = _pdf(b"/Pattern cs /P0 scn 150 150 100 100 re f", pages=4, resources=_hatched)
    assert _check(pdf, tmp_path) == []
    with pikepdf.open(tmp_path / "t.pdf") as done:
        cell = done.pages[0].obj.Resources.Pattern.P0
        ops = [str(op) for _, op in pikepdf.parse_content_stream(cell)]
        assert "G" in ops and "RG" not in ops, ops


def test_bb801_four_colour_black_text_in_cmyk(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, PressSettings(pdfx="x-4", color="cmyk", bleed=BLEED, crop_marks=True, epoch=0))
    pdf.pages[0].contents_add(pdf.make_stream(b"BT 0.7 0.6 0.6 1 k ET"))
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="cmyk"))
    assert _codes(diags) == {"BB801": [1]} and "four-colour black" in diags[0].message


def test_bb802_font_not_embedded_or_type3(tmp_path):
    helvetica = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    type3 = Dictionary(Type=Name.Font, Subtype=Name.Type3, FontBBox=[0, 0, 1, 1], FontMatrix=[1, 0, 0, 1, 0, 0],
                       CharProcs=Dictionary(), Encoding=Dictionary(Differences=[]), FirstChar=0, LastChar=0,
                       Widths=[0], Resources=Dictionary())
    pdf = _pdf(b"BT /F1 10 Tf 200 300 Td (Hi) Tj ET", resources=Dictionary(Font=Dictionary(F1=helvetica, F3=type3)))
    diags = _codes(_check(pdf, tmp_path))
    assert diags == {"BB802": [1, 1]}


def test_bb803_image_under_300_ppi(tmp_path):
    pdf = _pdf()
    pdf.pages[1].obj.Resources = Dictionary(XObject=Dictionary(Im=_image(pdf, "L", 100)))
    # 100 px over 72 pt (1 in): 100 ppi; the same image at 1/4 in is 400 ppi (page 3)
    pdf.pages[1].contents_add(pdf.make_stream(b"q 72 0 0 72 150 150 cm /Im Do Q"))
    pdf.pages[2].obj.Resources = Dictionary(XObject=Dictionary(Im=pdf.pages[1].obj.Resources.XObject.Im))
    pdf.pages[2].contents_add(pdf.make_stream(b"q 18 0 0 18 150 150 cm /Im Do Q"))
    diags = _check(pdf, tmp_path)
    assert _codes(diags) == {"BB803": [2]} and "100 ppi" in diags[0].message


def test_bb804_missing_and_inconsistent_boxes(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    del pdf.pages[1].obj["/TrimBox"]
    trim = [float(v) for v in pdf.pages[2].obj.TrimBox]
    pdf.pages[2].obj.TrimBox = Array([trim[0], trim[1], trim[2] - 10, trim[3]])     # narrower page
    pdf.pages[3].obj.BleedBox = pdf.pages[3].obj.TrimBox                           # no bleed
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="gray", bleed=BLEED))
    assert _codes(diags) == {"BB804": [2, 3, 3, 4]}


def test_bb805_marks_inside_the_bleed(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    trim = [float(v) for v in pdf.pages[0].obj.TrimBox]
    # WeasyPrint's `marks: crop` style: a hairline from the trim corner out into the bleed
    x, y = trim[0], trim[1]
    pdf.pages[0].contents_add(pdf.make_stream(f"0 G 0.25 w {x - 8:.2f} {y:.2f} m {x - 1:.2f} {y:.2f} l S".encode()))
    diags = _check(pdf, tmp_path, settings=None)
    assert _codes(diags) == {"BB805": [1]}


def test_bb806_text_too_close_to_the_trim(tmp_path, monkeypatch):
    inside = b"BT /F1 10 Tf 100 300 Td (Hi) Tj ET"
    near = b"BT /F1 10 Tf 3 300 Td (Hi) Tj ET"     # 3 pt ≈ 1 mm from the left trim edge
    pdf = _pdf(inside, resources=lambda pdf: Dictionary(Font=Dictionary(F1=_embedded_font(pdf))))
    pdf.pages[3].obj.Contents = pdf.make_stream(near)
    diags = _check(pdf, tmp_path)
    assert _codes(diags) == {"BB806": [4]}
    assert diags[0].severity == "warning"


def test_bb807_missing_output_intent_and_xmp(tmp_path):
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    del pdf.Root["/OutputIntents"]
    del pdf.Root["/Metadata"]
    del pdf.docinfo["/Trapped"]
    diags = _check(pdf, tmp_path, settings=None, expect=Expect(pdfx="x-4", color="gray"))
    assert _codes(diags) == {"BB807": [1, 1, 1]}
    assert {"no /OutputIntents", "no XMP", "/Trapped"} <= {w for d in diags for w in
                                                          ("no /OutputIntents", "no XMP", "/Trapped") if w in d.message}


def test_bb808_transparency_in_x1a(tmp_path):
    settings = PressSettings(pdfx="x-1a", color="gray", profile=OutputProfile.named("swop"), bleed=BLEED,
                             crop_marks=True, epoch=0)
    clean = _pdf()
    assert _check(clean, tmp_path, settings, Expect(pdfx="x-1a", color="gray")) == []
    pdf = _pdf(b"/A gs 0 g 120 150 100 200 re f", resources=Dictionary(ExtGState=Dictionary(A=Dictionary(ca=0.5))))
    diags = _check(pdf, tmp_path, settings, Expect(pdfx="x-1a", color="gray"), name="x1a.pdf")
    assert _codes(diags) == {"BB808": [1, 2, 3, 4]}
    # the same file as X-4 is fine: X-4 allows live transparency
    pdf = _pdf(b"/A gs 0 g 120 150 100 200 re f", resources=Dictionary(ExtGState=Dictionary(A=Dictionary(ca=0.5))))
    assert _check(pdf, tmp_path, GRAY_X4, Expect(pdfx="x-4", color="gray"), name="x4.pdf") == []


def test_bb809_page_count_not_a_multiple(tmp_path):
    diags = _check(_pdf(pages=6), tmp_path, expect=Expect(pdfx="x-4", color="gray", multiple=4))
    assert _codes(diags) == {"BB809": [1]} and "6 pages" in diags[0].message and "2 blank" in diags[0].hint


def test_without_expectations_the_file_declares_them(tmp_path):
    """No --edition: PDF/X and the colour mode come from the file (its version key, its CMYK intent)."""
    pdf = _pdf()
    make_press_ready(pdf, GRAY_X4)
    pdf.pages[0].contents_add(pdf.make_stream(b"0 0 1 rg 150 150 20 20 re f"))
    del pdf.Root["/Metadata"]
    path = tmp_path / "f.pdf"
    pdf.save(path)
    assert _codes(preflight(path)) == {"BB801": [1], "BB807": [1]}


def test_preflight_command(tmp_path):
    pdf = _pdf(pages=5)
    make_press_ready(pdf, GRAY_X4)
    path = tmp_path / "book.pdf"
    pdf.save(path, deterministic_id=True)
    run = [sys.executable, "-m", "bookbuild", "preflight", str(path)]
    ok = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.strip() == "0 errors, 0 warnings", ok.stdout + ok.stderr
    bad = subprocess.run(run + ["--pages-multiple-of", "4"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 1 and "book.pdf:1:1: error BB809 5 pages is not a multiple of 4" in bad.stdout
    missing = subprocess.run(run[:-1] + [str(tmp_path / "none.pdf")], capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode == 2


# ------------------------------------------------------------------ helpers

def _image(pdf, mode: str, size: int) -> pikepdf.Stream:
    img = Image.new(mode, (size, size), "red" if mode == "RGB" else 128)
    stream = pikepdf.Stream(pdf, img.tobytes())
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width = stream.Height = size
    stream.ColorSpace = Name.DeviceRGB if mode == "RGB" else Name.DeviceGray
    stream.BitsPerComponent = 8
    return stream


def _embedded_font(pdf) -> Dictionary:
    """A TrueType font with its file embedded (DejaVu, Latin only): text the preflight's BB802 accepts."""
    path = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True).stdout
    with open(path, "rb") as f:
        data = f.read()
    pdf_font = Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name("/DejaVuSans"), FirstChar=32,
                          LastChar=126, Widths=[600] * 95, Encoding=Name.WinAnsiEncoding)
    pdf_font.FontDescriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name("/DejaVuSans"), Flags=32,
                                         FontBBox=[0, -200, 1000, 900], ItalicAngle=0, Ascent=900, Descent=-200,
                                         CapHeight=700, StemV=80)
    pdf_font.FontDescriptor.FontFile2 = pikepdf.Stream(pdf, data)
    return pdf_font
