"""Press-ready finishing: PDF/X identification, colour, bleed and printer's marks.

    make_press_ready(pdf, settings)        # in place, the last step before save
    save_options(settings) -> dict         # what merge.save must pass to pikepdf

Works on any pikepdf document whose pages carry a TrimBox (WeasyPrint writes
one; the cover edition makes its own) and knows nothing of books or
editions: the caller turns its keys into a `PressSettings`.  In order:

1. colour (colour.py): `gray` rewrites every colour operator and image to
   DeviceGray, `cmyk` to DeviceCMYK with black text and rules as pure K;
   `rgb` leaves the pages alone;
2. boxes and marks (marks.py): BleedBox = TrimBox + bleed; with marks the
   MediaBox grows around the BleedBox and the marks (crop, centre, slug) are
   drawn there, never over the bleed;
3. PDF/X (`pdfx` = "x-4" or "x-1a"): /OutputIntents with the embedded ICC
   output profile, Info and XMP with GTS_PDFXVersion (and
   GTS_PDFXConformance for X-1a), /Trapped /False, dates from the settings'
   epoch (SOURCE_DATE_EPOCH) so equal input gives equal bytes.  The /ID is
   written by merge.save (deterministic).  X-1a also loses the link
   annotations (no annotation may sit inside the BleedBox of a PDF/X-1a page).
"""
from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from .colour import convert_colours
from .marks import MarkSettings, place_marks

# Ghostscript's CMYK default (Debian package ghostscript): "Artifex CMYK SWOP
# Profile", the characterization of SWOP web offset on coated stock, whose
# registered printing condition is CGATS TR 001.  A gray book is printed with
# this CMYK intent too: DeviceGray maps to the K ink (PDF/X requires an output
# device profile, and Debian ships no gray one).
NAMED_PROFILES = {
    "swop": (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"), "CGATS TR 001",
             "SWOP (CGATS TR 001): web offset, coated paper"),
}
DEFAULT_PROFILE = "swop"
PDFX_VERSIONS = {"x-4": ("PDF/X-4", "", "1.6"), "x-1a": ("PDF/X-1:2003", "PDF/X-1a:2003", "1.4")}


@dataclass(frozen=True, slots=True)
class OutputProfile:
    """An ICC output profile and the printing condition it stands for."""
    path: Path
    identifier: str          # /OutputConditionIdentifier (a registered name, or "Custom")
    condition: str           # human-readable /OutputCondition and /Info

    @classmethod
    def named(cls, name_or_path: str, root: Path | None = None) -> OutputProfile:
        """A named default ("swop") or an ICC file (relative to `root`)."""
        if name_or_path in NAMED_PROFILES:
            return cls(*NAMED_PROFILES[name_or_path])
        path = Path(name_or_path)
        if root is not None and not path.is_absolute():
            path = root / path
        return cls(path, "Custom", _description(path))

    @property
    def usable(self) -> bool:
        """An ICC output profile file (the named ones are known good when present)."""
        return self.path.is_file() and (self.identifier != "Custom" or bool(self.condition))

    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def components(self) -> int:
        """/N of the ICC stream, from the profile header's colour space (bytes 16–20)."""
        return {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}.get(self.data()[16:20], 4)


@dataclass(frozen=True, slots=True)
class PressSettings:
    """Plain settings of one press-ready file (an interior or a cover)."""
    pdfx: str = ""                      # "", "x-4", "x-1a"
    color: str = "rgb"                  # "rgb" (unchanged), "gray", "cmyk"
    profile: OutputProfile | None = None
    bleed: float = 0.0                  # pt on every side of the TrimBox
    crop_marks: bool = False
    center_marks: bool = False
    slug: str = ""                      # slug-line text ("" = none); the page number is appended
    slug_font: Path | None = None       # a font file with the slug's characters (drawn as outlines)
    title: str = ""
    epoch: int | None = None            # SOURCE_DATE_EPOCH; None = now

    @property
    def marks(self) -> MarkSettings:
        return MarkSettings(self.bleed, self.crop_marks, self.center_marks, self.slug,
                            self.slug_font, self.color, _date(self.epoch)[:10])


def make_press_ready(pdf: Pdf, settings: PressSettings) -> None:
    """Colour, boxes and marks, then the PDF/X keys, all in place (see the module doc)."""
    if settings.color != "rgb":
        convert_colours(pdf, settings.color, settings.profile.path if settings.profile else None,
                        flatten=settings.pdfx == "x-1a")
    place_marks(pdf, settings.marks)
    if settings.pdfx:
        _identify(pdf, settings)


def save_options(settings: PressSettings) -> dict:
    """pikepdf.save keywords: X-1a:2003 is PDF 1.4 (no object streams), X-4 PDF 1.6."""
    if not settings.pdfx:
        return {}
    version = PDFX_VERSIONS[settings.pdfx][2]
    if settings.pdfx == "x-1a":
        return {"min_version": version, "force_version": version,
                "object_stream_mode": pikepdf.ObjectStreamMode.disable}
    return {"min_version": version}


def _identify(pdf: Pdf, s: PressSettings) -> None:
    version, conformance, _ = PDFX_VERSIONS[s.pdfx]
    profile = s.profile or OutputProfile.named(DEFAULT_PROFILE)
    icc = pikepdf.Stream(pdf, profile.data())
    icc.N = profile.components
    pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX,
        OutputConditionIdentifier=String(profile.identifier),
        OutputCondition=String(profile.condition), Info=String(profile.condition),
        RegistryName=String("http://www.color.org"),
        DestOutputProfile=pdf.make_indirect(icc)))])
    if s.pdfx == "x-1a":
        _drop_links(pdf)
    info = pdf.docinfo
    # the Info dates when the document has them (docinfo.py: SOURCE_DATE_EPOCH), so Info and XMP agree
    date = _iso(str(info.get("/CreationDate", ""))) or _date(s.epoch)
    info.Trapped = Name("/False")
    info.GTS_PDFXVersion = String(version)
    if conformance:
        info.GTS_PDFXConformance = String(conformance)
    if "/Title" not in info and s.title:
        info.Title = String(s.title)
    for key in ("/CreationDate", "/ModDate"):
        if key not in info:
            info[key] = String(time.strftime("D:%Y%m%d%H%M%SZ", time.strptime(date, "%Y-%m-%dT%H:%M:%SZ")))
    _write_xmp(pdf, s, version, conformance, date)


def _write_xmp(pdf: Pdf, s: PressSettings, version: str, conformance: str, date: str) -> None:
    """XMP with the same facts as the Info dictionary (PDF/X requires both to agree)."""
    info = pdf.docinfo
    title = str(info.get("/Title", s.title))
    # Stable IDs: a hash of what identifies the document, not a random UUID.
    seed = hashlib.sha256(f"{title}\0{date}\0{version}".encode()).hexdigest()
    doc_id = f"uuid:{uuid.UUID(seed[:32])}"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        if "/Author" in info:
            meta["dc:creator"] = [str(info.Author)]
        meta["dc:format"] = "application/pdf"
        meta["xmp:CreateDate"] = date
        meta["xmp:ModifyDate"] = date
        meta["xmp:MetadataDate"] = date
        meta["xmp:CreatorTool"] = str(info.get("/Creator", "bookbuild"))
        meta["pdf:Producer"] = str(info.get("/Producer", "bookbuild"))
        meta["pdf:Trapped"] = "False"
        meta["xmpMM:DocumentID"] = doc_id
        meta["xmpMM:InstanceID"] = doc_id
        meta["pdfxid:GTS_PDFXVersion"] = version
        if conformance:
            meta["pdfx:GTS_PDFXConformance"] = conformance
            meta["pdfx:GTS_PDFXVersion"] = version


def _drop_links(pdf: Pdf) -> None:
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = [a for a in annots if a.get("/Subtype") != Name.Link]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]


def _date(epoch: int | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch if epoch is not None else time.time()))


def _iso(pdf_date: str) -> str:
    """D:YYYYmmddHHMMSSZ (as docinfo.py writes it) → the XMP form; "" for anything else."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(pdf_date, "D:%Y%m%d%H%M%SZ"))
    except ValueError:
        return ""


def _description(path: Path) -> str:
    """The profile's own description, for /Info of a custom output intent ("" when it is no ICC profile)."""
    # deferred: Pillow's colour engine, needed only for a custom profile
    from PIL import ImageCms
    try:
        return ImageCms.getOpenProfile(str(path)).profile.profile_description or path.name
    except (OSError, ValueError, ImageCms.PyCMSError):
        return ""
