"""Colour conversion of a finished PDF: every colour to DeviceGray, or to DeviceCMYK with pure-K black.

    convert_colours(pdf, "gray" | "cmyk", output_profile, flatten=False)

Content streams (pages and form XObjects, each once) are parsed with pikepdf
and every colour operator is rewritten: rg/RG, k/K, g/G, and cs/CS with
sc/scn/SC/SCN in DeviceRGB, DeviceGray, DeviceCMYK, Lab or an ICCBased space.
A tiling pattern's cell (an SVG's hatching, say) is a content stream of its
own and is rewritten like a form.  Shading patterns, Separation and DeviceN
colours are left as they are: the preflight reports them (a book's CSS does
not make them; a cover's art might).

* gray: one `g`/`G` value per colour, the sRGB → gray conversion done by
  Pillow's ImageCms (sRGB to Ghostscript's sGray, perceptual), so text,
  rules, 專名號, wavy lines, emphasis dots and folios all end as gray ink;
* cmyk: a neutral colour (r = g = b, or a gray) becomes K only (0 0 0 k):
  text and rules never turn into four-colour black; other colours go through
  the output profile (sRGB → CMYK, perceptual).  The default fill and stroke
  (black in DeviceGray) is made explicit as 0 0 0 1 at the start of each page.

Images: DeviceRGB/ICCBased/Indexed images are converted the same way with
ImageCms and rewritten as DeviceGray (or DeviceCMYK) Flate streams; with
`flatten` (PDF/X-1a: no transparency) an image's soft mask is composited
onto white and removed.  Colour-space resources no stream uses any more
(WeasyPrint declares two Lab spaces on every page) are dropped.
"""
from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Name, Operator, Pdf

GRAY_PROFILE = Path("/usr/share/color/icc/ghostscript/default_gray.icc")
_N = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}
_FILL = {"rg": 3, "g": 1, "k": 4}
_STROKE = {"RG": 3, "G": 1, "K": 4}


def convert_colours(pdf: Pdf, mode: str, profile: Path | None, flatten: bool = False) -> None:
    conv = _Converter(mode, profile)
    done: set = set()
    used: set[str] = set()
    for page in pdf.pages:
        prefix = "0 0 0 1 k 0 0 0 1 K\n" if mode == "cmyk" else ""
        _convert_stream_owner(pdf, page.obj, page.obj.get("/Resources"), conv, done, used, flatten)
        if prefix:
            page.contents_add(pikepdf.Stream(pdf, prefix.encode()), prepend=True)
    for page in pdf.pages:
        _drop_unused_spaces(page.obj.get("/Resources"), used)


def _convert_stream_owner(pdf, owner, resources, conv, done, used, flatten) -> None:
    """Rewrite one page's (or form's) content, then its forms and images."""
    key = owner.objgen if owner.is_indirect else id(owner)
    if key in done:
        return
    done.add(key)
    spaces = _spaces(resources)
    is_page = owner.get("/Type") == Name.Page
    content = pikepdf.parse_content_stream(owner)
    new = conv.rewrite(content, spaces, used)
    data = pikepdf.unparse_content_stream(new)
    if is_page:
        owner.Contents = pdf.make_stream(data)
    else:
        owner.write(data)
    patterns = resources.get("/Pattern", {}) if resources is not None else {}
    for name in list(patterns.keys()):
        pattern = patterns[name]
        if pattern.get("/PatternType") == 1 and pattern.get("/PaintType") == 1:    # coloured tiling
            _convert_stream_owner(pdf, pattern, pattern.get("/Resources"), conv, done, used, flatten)
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    for name in list(xobjects.keys()):
        x = xobjects[name]
        if x.get("/Subtype") == Name.Form:
            _convert_stream_owner(pdf, x, x.get("/Resources", resources), conv, done, used, flatten)
        elif x.get("/Subtype") == Name.Image and x.objgen not in done:
            done.add(x.objgen)
            conv.image(pdf, x, flatten)


def _spaces(resources) -> dict[str, int | str]:
    """Colour-space resource name → components (1/3/4), "lab", or "other" (pattern, spot)."""
    out: dict[str, int | str] = {}
    cs = resources.get("/ColorSpace", {}) if resources is not None else {}
    for name in cs:
        out[name] = _kind(cs[name])
    return out


def _kind(space) -> int | str:
    if isinstance(space, Name):
        return _N.get(str(space), "other")
    if isinstance(space, Array) and len(space):
        family = str(space[0])
        if family == "/Lab":
            return "lab"
        if family == "/ICCBased":
            return int(space[1].get("/N", 3))
        if family in ("/CalRGB", "/CalGray"):
            return 3 if family == "/CalRGB" else 1
    return "other"


class _Converter:
    def __init__(self, mode: str, profile: Path | None):
        self.mode = mode
        self.profile = profile

    # ----------------------------------------------------------- operators

    def rewrite(self, content, spaces, used: set[str]) -> list:
        fill: int | str = 1
        stroke: int | str = 1
        out = []
        for operands, op in content:
            name = str(op)
            if name in _FILL or name in _STROKE:
                out.append(self._set(name in _STROKE, _FILL.get(name) or _STROKE[name], operands))
            elif name in ("cs", "CS"):
                kind = _N.get(str(operands[0])) or spaces.get(str(operands[0]), "other")
                if kind == "other":
                    used.add(str(operands[0]))
                    out.append((operands, op))
                else:
                    target = "/DeviceGray" if self.mode == "gray" else "/DeviceCMYK"
                    out.append(([Name(target)], op))
                if name == "cs":
                    fill = kind
                else:
                    stroke = kind
            elif name in ("sc", "scn", "SC", "SCN"):
                kind = stroke if name.isupper() else fill
                if kind == "other" or any(isinstance(o, Name) for o in operands):
                    out.append((operands, op))
                else:
                    out.append(self._set(name.isupper(), kind, operands, op="SC" if name.isupper() else "sc"))
            else:
                out.append((operands, op))
        return out

    def _set(self, stroke: bool, kind, operands, op: str | None = None):
        values = tuple(float(v) for v in operands)
        if self.mode == "gray":
            return [round(self.gray(kind, values), 4)], Operator(op or ("G" if stroke else "g"))
        cmyk = self.cmyk(kind, values)
        return [round(v, 4) for v in cmyk], Operator(op or ("K" if stroke else "k"))

    def gray(self, kind, v: tuple) -> float:
        if kind == 1:
            return v[0]
        if kind == 4:
            c, m, y, k = v
            return max(0.0, 1 - min(1.0, 0.3 * c + 0.59 * m + 0.11 * y + k))
        if kind == "lab":
            return max(0.0, min(1.0, v[0] / 100))
        return _rgb_to_gray(*(round(x * 255) for x in v[:3])) / 255

    def cmyk(self, kind, v: tuple) -> tuple:
        if kind == 4:
            return v
        if kind == 1 or kind == "lab":
            return (0.0, 0.0, 0.0, 1 - (v[0] if kind == 1 else v[0] / 100))
        r, g, b = v[:3]
        if abs(r - g) < 1e-3 and abs(g - b) < 1e-3:
            return (0.0, 0.0, 0.0, 1 - r)      # neutral: K only, never four-colour black
        return tuple(x / 255 for x in _rgb_to_cmyk(self.profile, *(round(x * 255) for x in (r, g, b))))

    # ------------------------------------------------------------- images

    def image(self, pdf: Pdf, x, flatten: bool) -> None:
        if x.get("/ImageMask"):
            return                      # a stencil: painted in the current (converted) fill colour
        target = "L" if self.mode == "gray" else "CMYK"
        cs = x.get("/ColorSpace")
        unmask = flatten and "/SMask" in x
        if cs is not None and _kind(cs) == (1 if target == "L" else 4) and not unmask:
            return
        try:
            img = pikepdf.PdfImage(x).as_pil_image()
        except (pikepdf.PdfError, NotImplementedError, ValueError):
            return                      # a space Pillow cannot read: the preflight reports it
        if unmask:
            # deferred: Pillow, only when an image is converted
            from PIL import Image
            mask = pikepdf.PdfImage(x.SMask).as_pil_image().convert("L").resize(img.size)
            white = Image.new("RGB", img.size, "white")
            img = Image.composite(img.convert("RGB"), white, mask)
            del x["/SMask"]
        img = self._convert_image(img, target)
        x.write(zlib.compress(img.tobytes()), filter=Name.FlateDecode)
        x.ColorSpace = Name.DeviceGray if target == "L" else Name.DeviceCMYK
        x.BitsPerComponent = 8
        for key in ("/Decode", "/DecodeParms"):
            if key in x:
                del x[key]

    def _convert_image(self, img, target: str):
        # deferred: Pillow's colour engine, only when an image is converted
        from PIL import ImageCms
        if img.mode == target:
            return img
        if img.mode not in ("RGB", "L", "CMYK"):
            img = img.convert("RGB")
        if img.mode == "RGB":
            out = self.profile if target == "CMYK" and self.profile else GRAY_PROFILE
            if target == "CMYK" and not self.profile:
                return img.convert("CMYK")
            return ImageCms.profileToProfile(img, ImageCms.createProfile("sRGB"), str(out),
                                             renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=target)
        return img.convert(target)


@lru_cache(maxsize=4096)
def _rgb_to_gray(r: int, g: int, b: int) -> int:
    return _one_pixel((r, g, b), None, "L")


@lru_cache(maxsize=4096)
def _rgb_to_cmyk(profile: Path | None, r: int, g: int, b: int) -> tuple:
    return _one_pixel((r, g, b), profile, "CMYK")


def _one_pixel(rgb: tuple, profile: Path | None, mode: str):
    # deferred: Pillow, only for a colour that is not black, white or gray
    from PIL import Image, ImageCms
    img = Image.new("RGB", (1, 1), rgb)
    if mode == "CMYK" and profile is None:
        return img.convert("CMYK").getpixel((0, 0))
    out = str(profile) if mode == "CMYK" else str(GRAY_PROFILE)
    px = ImageCms.profileToProfile(img, ImageCms.createProfile("sRGB"), out,
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=mode).getpixel((0, 0))
    return px


def _drop_unused_spaces(resources, used: set[str]) -> None:
    """Colour spaces no stream names any more (after the rewrite)."""
    if resources is None or "/ColorSpace" not in resources:
        return
    cs = resources.ColorSpace
    for name in list(cs.keys()):
        if name not in used:
            del cs[name]
    if not len(cs.keys()):
        del resources["/ColorSpace"]

