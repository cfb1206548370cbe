"""make_press_ready on small pikepdf documents: images converted with the profile, soft masks
flattened for X-1a, the page's colours, and the same bytes for the same input (SOURCE_DATE_EPOCH)."""
from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

from bookbuild.render.pdf.finishing.press import OutputProfile, PressSettings, make_press_ready, save_options

W, H = 300.0, 400.0


def _doc() -> pikepdf.Pdf:
    """One page: an RGB image (red left half, white right) with a soft mask, and a blue rule."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(W, H))
    page.obj.TrimBox = Array([0, 0, W, H])
    img = Image.new("RGB", (64, 32), "white")
    img.paste((255, 0, 0), (0, 0, 32, 32))
    im = pikepdf.Stream(pdf, img.tobytes())
    im.Type, im.Subtype, im.Width, im.Height = Name.XObject, Name.Image, 64, 32
    im.ColorSpace, im.BitsPerComponent = Name.DeviceRGB, 8
    mask = pikepdf.Stream(pdf, bytes([255] * 64 * 16 + [0] * 64 * 16))   # top half opaque, bottom clear
    mask.Type, mask.Subtype, mask.Width, mask.Height = Name.XObject, Name.Image, 64, 32
    mask.ColorSpace, mask.BitsPerComponent = Name.DeviceGray, 8
    im.SMask = mask
    page.obj.Resources = Dictionary(XObject=Dictionary(Im=im))
    page.obj.Contents = pdf.make_stream(b"q 64 0 0 32 20 20 cm /Im Do Q 0 0 1 RG 2 w 20 100 m 200 100 l S")
    pdf.docinfo.Title = "t"
    return pdf


def _settings(**kw) -> PressSettings:
    return PressSettings(**{"pdfx": "x-4", "color": "gray", "profile": OutputProfile.named("swop"),
                            "bleed": 8.5, "crop_marks": True, "epoch": 1700000000, **kw})


def _image(pdf) -> pikepdf.Stream:
    return pdf.pages[0].obj.Resources.XObject.Im


def test_gray_image_and_rule():
    pdf = _doc()
    make_press_ready(pdf, _settings())
    im = _image(pdf)
    assert im.ColorSpace == Name.DeviceGray and "/SMask" in im          # X-4 keeps the soft mask
    pil = pikepdf.PdfImage(im).as_pil_image().getchannel("L")    # (pikepdf adds the soft mask as alpha)
    red, white = pil.getpixel((5, 5)), pil.getpixel((60, 5))
    assert 60 < red < 160 and white > 250       # red keeps its lightness (about 50 %), white stays white
    ops = [(str(op), [float(v) for v in args]) for args, op in pikepdf.parse_content_stream(pdf.pages[0])
           if str(op) in ("G", "RG", "g", "rg")]
    blue = [v[0] for op, v in ops if op == "G" and v[0] > 0]
    assert not [op for op, _ in ops if op in ("rg", "RG")] and blue and blue[0] < 0.35   # blue is a dark gray


def test_cmyk_image_and_x1a_flattening():
    pdf = _doc()
    make_press_ready(pdf, _settings(pdfx="x-1a", color="cmyk"))
    im = _image(pdf)
    assert im.ColorSpace == Name.DeviceCMYK and "/SMask" not in im      # X-1a: flattened onto white
    pil = pikepdf.PdfImage(im).as_pil_image()
    c, m, y, k = pil.getpixel((5, 5))
    assert m > 200 and y > 200 and c < 40                                # red: magenta and yellow ink
    assert pil.getpixel((5, 28)) == (0, 0, 0, 0)                         # the clear part: paper white


def test_same_input_same_bytes():
    outs = []
    for _ in range(2):
        pdf = _doc()
        settings = _settings(center_marks=True)
        make_press_ready(pdf, settings)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True, **save_options(settings))
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]
    assert b"2023-11-14T22:13:20Z" in outs[0]
