"""The preflight's rules, one function per code family (see docs/ERRORS.md BB801–BB809)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from .content import PageUse, space_kind

# colour kinds each file colour mode allows (DeviceGray maps to K in a CMYK intent)
ALLOWED = {"gray": {"gray", "pattern"}, "cmyk": {"gray", "cmyk", "pattern"}}
TOLERANCE = 0.5     # pt, for box comparisons


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    page: int          # 1-based; 0 = the document
    message: str
    hint: str = ""


# ------------------------------------------------------------------ PDF/X

def declared_pdfx(pdf: pikepdf.Pdf) -> str:
    """"x-4", "x-1a" or "" from the Info dictionary or the XMP."""
    version = str(pdf.docinfo.get("/GTS_PDFXVersion", ""))
    if not version:
        try:
            version = pdf.open_metadata().get("pdfxid:GTS_PDFXVersion", "") or ""
        except Exception:     # unreadable XMP: check_pdfx reports it  # noqa: BLE001
            version = ""
    if version.startswith("PDF/X-4"):
        return "x-4"
    if version.startswith("PDF/X-1"):
        return "x-1a"
    return ""


def intent_colour(pdf: pikepdf.Pdf) -> str:
    """The colour mode the GTS_PDFX output intent implies: cmyk, gray, or rgb (none: no check)."""
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile")
        if intent.get("/S") == Name.GTS_PDFX and profile is not None:
            return {1: "gray", 4: "cmyk"}.get(int(profile.get("/N", 4)), "rgb")
    return "rgb"


def check_pdfx(pdf: pikepdf.Pdf, pdfx: str) -> list[Finding]:
    out = []
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == Name.GTS_PDFX]
    if not intents:
        out.append(Finding("BB807", 0, "no /OutputIntents with /S /GTS_PDFX",
                           'build with pdfx = "x-4" (an ICC output profile is embedded)'))
    elif "/DestOutputProfile" not in intents[0] or "/OutputConditionIdentifier" not in intents[0]:
        out.append(Finding("BB807", 0, "the output intent has no embedded ICC profile or no identifier",
                           "PDF/X needs /DestOutputProfile and /OutputConditionIdentifier"))
    meta = pdf.Root.get("/Metadata")
    xmp_version = ""
    if meta is None:
        out.append(Finding("BB807", 0, "no XMP metadata stream", "PDF/X requires XMP metadata in the catalog"))
    else:
        with pdf.open_metadata() as m:
            xmp_version = m.get("pdfxid:GTS_PDFXVersion", "") or m.get("pdfx:GTS_PDFXVersion", "")
        if not xmp_version:
            out.append(Finding("BB807", 0, "the XMP has no pdfxid:GTS_PDFXVersion", ""))
    info_version = str(pdf.docinfo.get("/GTS_PDFXVersion", ""))
    if pdfx == "x-1a" and not str(pdf.docinfo.get("/GTS_PDFXConformance", "")).startswith("PDF/X-1a"):
        out.append(Finding("BB807", 0, "PDF/X-1a without /GTS_PDFXConformance (PDF/X-1a:2003)", ""))
    if info_version and xmp_version and info_version != xmp_version:
        out.append(Finding("BB807", 0, f"Info says {info_version}, XMP says {xmp_version}",
                           "the two must agree"))
    if pdf.docinfo.get("/Trapped") not in (Name("/True"), Name("/False")):
        out.append(Finding("BB807", 0, "/Trapped is not /True or /False in the document info", ""))
    if "/ID" not in pdf.trailer:
        out.append(Finding("BB807", 0, "the trailer has no /ID", ""))
    return out


# ------------------------------------------------------------------ boxes

def _box(page, key):
    return [float(v) for v in page.obj[key]] if key in page.obj else None


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def check_boxes(pdf: pikepdf.Pdf, bleed: float) -> list[Finding]:
    out = []
    size = None
    for i, page in enumerate(pdf.pages, 1):
        media, trim, bleed_box = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page, "/BleedBox")
        if trim is None:
            out.append(Finding("BB804", i, "page has no TrimBox", "PDF/X needs a TrimBox on every page"))
            continue
        outer = bleed_box or trim
        if not _inside(trim, outer) or not _inside(outer, media):
            out.append(Finding("BB804", i, f"boxes not nested (TrimBox {_fmt(trim)} ⊆ BleedBox "
                               f"{_fmt(outer)} ⊆ MediaBox {_fmt(media)})", ""))
        elif bleed > 0 and any(abs(d - bleed) > TOLERANCE for d in _margins(trim, outer)):
            out.append(Finding("BB804", i, f"bleed is {min(_margins(trim, outer)) / (72 / 25.4):.1f} mm, "
                               f"the edition asks for {bleed / (72 / 25.4):.1f} mm on every side", ""))
        dims = (round(trim[2] - trim[0], 1), round(trim[3] - trim[1], 1))
        if size is None:
            size = dims
        elif dims != size:
            out.append(Finding("BB804", i, f"trim size {dims[0]}×{dims[1]} pt differs from page 1's "
                               f"{size[0]}×{size[1]} pt", "every page of a book has the same trim"))
    return out


def _margins(inner, outer):
    return (inner[0] - outer[0], inner[1] - outer[1], outer[2] - inner[2], outer[3] - inner[3])


def _fmt(box) -> str:
    return "[" + " ".join(f"{v:.1f}" for v in box) + "]"


# ----------------------------------------------------------- colour, marks

def check_colours(page: int, use: PageUse, color: str) -> list[Finding]:
    if color not in ALLOWED:
        return []
    bad = {k: n for k, n in use.colours.items() if k not in ALLOWED[color]}
    bad_images = [space_kind(s) for s in use.spaces if space_kind(s) not in ALLOWED[color]]
    out = []
    if bad or bad_images:
        what = ", ".join([f"{k} ×{n}" for k, n in sorted(bad.items())] +
                         [f"{k} image" for k in sorted(set(bad_images))])
        out.append(Finding("BB801", page, f"colour outside a {color} file: {what}",
                           f'build with color = "{color}" (bookbuild converts every colour), '
                           "or convert the art before placing it"))
    if color == "cmyk":
        rich = sorted(v for v in use.cmyk_text if v[:3] != (0, 0, 0) and v[3] > 0.9)
        if rich:
            out.append(Finding("BB801", page, f"text in four-colour black {rich[0]}",
                               "black text must be K only (0 0 0 1)"))
    return out


def check_marks(page_no: int, page: pikepdf.Page, use: PageUse) -> list[Finding]:
    """A stroked path wholly outside the TrimBox that reaches into the BleedBox: a mark over the bleed."""
    trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
    if trim is None or bleed is None:
        return []
    for s in use.strokes:
        outside_trim = s[2] <= trim[0] + 0.01 or s[0] >= trim[2] - 0.01 or s[3] <= trim[1] + 0.01 \
            or s[1] >= trim[3] - 0.01
        in_bleed = s[0] < bleed[2] - 0.01 and s[2] > bleed[0] + 0.01 and s[1] < bleed[3] - 0.01 \
            and s[3] > bleed[1] + 0.01
        if outside_trim and in_bleed:
            return [Finding("BB805", page_no, f"a mark (stroke {_fmt(s)}) lies inside the bleed {_fmt(bleed)}",
                            "marks belong outside the BleedBox: bookbuild's crop_marks draw them there")]
    return []


# ------------------------------------------------------- fonts and images

def check_fonts(pdf: pikepdf.Pdf) -> list[Finding]:
    out, seen = [], set()
    for i, page in enumerate(pdf.pages, 1):
        for name, font in _fonts(page.obj.get("/Resources")):
            base = str(font.get("/BaseFont", name))[1:]
            key = font.objgen if font.is_indirect else (base, str(font.get("/Subtype")))
            if key in seen:       # each font once, at the first page that uses it
                continue
            seen.add(key)
            if font.get("/Subtype") == Name.Type3:
                out.append(Finding("BB802", i, f"Type 3 font {base}", "printers reject bitmap/Type 3 fonts"))
                continue
            desc = font.DescendantFonts[0].get("/FontDescriptor") if "/DescendantFonts" in font \
                else font.get("/FontDescriptor")
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                out.append(Finding("BB802", i, f"font {base} is not embedded", "embed every font"))
    return out


def _fonts(resources, depth: int = 0):
    if resources is None or depth > 8:
        return
    yield from resources.get("/Font", {}).items()
    for x in resources.get("/XObject", {}).values():
        if x.get("/Subtype") == Name.Form and "/Resources" in x:
            yield from _fonts(x.Resources, depth + 1)


def check_images(page: int, use: PageUse, min_ppi: float) -> list[Finding]:
    for image, w, h in use.images:
        if w <= 0 or h <= 0:
            continue
        ppi = min(int(image.Width) / (w / 72), int(image.Height) / (h / 72))
        if ppi < min_ppi - 0.5 and not image.get("/ImageMask"):
            return [Finding("BB803", page, f"image {int(image.Width)}×{int(image.Height)} px placed at "
                            f"{w / 72 * 25.4:.0f}×{h / 72 * 25.4:.0f} mm is {ppi:.0f} ppi (< {min_ppi:.0f})",
                            "use a larger image or place it smaller")]
    return []


def check_transparency(page_no: int, page: pikepdf.Page, use: PageUse) -> list[Finding]:
    group = page.obj.get("/Group")
    if group is not None and group.get("/S") == Name.Transparency:
        return [Finding("BB808", page_no, "page has a transparency group", "PDF/X-1a allows no transparency")]
    for state in use.states:
        get = state.get
        smask = get("/SMask")
        if (smask is not None and smask != Name("/None")) or "/Group" in state or \
                float(get("/ca", 1)) < 1 or float(get("/CA", 1)) < 1 or \
                get("/BM", Name.Normal) not in (Name.Normal, Name.Compatible):
            return [Finding("BB808", page_no, "transparency (soft mask, alpha below 1 or a blend mode)",
                            'PDF/X-1a allows none: use pdfx = "x-4", or flatten the art')]
    return []


# ---------------------------------------------------------------- text

def check_text_margin(path: Path, pdf: pikepdf.Pdf, safety: float) -> list[Finding]:
    """Glyphs closer than `safety` to the trim edge (or beyond it): the cut may touch them."""
    # deferred: pdfium, loaded only by the preflight
    import pypdfium2 as pdfium

    out = []
    doc = pdfium.PdfDocument(str(path))
    try:
        for i, page in enumerate(pdf.pages):
            trim = _box(page, "/TrimBox")
            if trim is None:
                continue
            text = doc[i].get_textpage()
            # text runs' rectangles (pdfium joins a line's glyphs): far fewer than glyphs on a book page
            for r in range(text.count_rects()):
                left, bottom, right, top = text.get_rect(r)
                if (left >= trim[0] + safety and bottom >= trim[1] + safety and right <= trim[2] - safety
                        and top <= trim[3] - safety):
                    continue
                run = text.get_text_bounded(left, bottom, right, top).strip()
                if not run:
                    continue
                gap = _distance((left, bottom, right, top), trim) / (72 / 25.4)
                out.append(Finding("BB806", i + 1, f"text '{run[:12]}' lies {gap:.1f} mm from the trim "
                                   f"(safety margin {safety / (72 / 25.4):.0f} mm)",
                                   "keep text inside the type area; the cut wanders by a millimetre or two"))
                break
    finally:
        doc.close()
    return out


def _distance(box, trim) -> float:
    return min(box[0] - trim[0], box[1] - trim[1], trim[2] - box[2], trim[3] - box[3])
