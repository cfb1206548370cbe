"""The press-ready keys of a pdf edition (docs/FORMAT.md "Press-ready print"), checked apart from config.py.

`pdfx`, `color`, `output_profile`, `center_marks`, `slug` and
`pages_multiple_of` join the older `bleed` and `crop_marks`; what they do is
render/pdf/finishing/press.py's business, whether they agree is checked here.
"""
from __future__ import annotations

PRESS_KEYS = {"pdfx": str, "color": str, "output_profile": str, "center_marks": bool, "slug": bool,
              "pages_multiple_of": int}
MAX_BLEED_MM = 10.0


def press_problems(ed) -> list[tuple[str, str, str]]:
    """(key, message, hint) for each press-ready setting that cannot work."""
    out = []
    if ed.pdfx and ed.color == "rgb":
        out.append(("pdfx", f'pdfx = "{ed.pdfx}" needs color = "gray" or "cmyk": PDF/X with a CMYK '
                    "output intent allows no RGB", 'add color = "gray" (black-and-white) or "cmyk"'))
    if not 0 <= ed.bleed <= MAX_BLEED_MM:
        out.append(("bleed", f"bleed = {ed.bleed} mm is outside 0–{MAX_BLEED_MM:g} mm",
                    "printers ask for 3 mm (some 5 mm)"))
    if not 1 <= ed.pages_multiple_of <= 64:
        out.append(("pages_multiple_of", f"pages_multiple_of = {ed.pages_multiple_of} is outside 1–64",
                    "use 4 for saddle stitch, 8, 16 or 32 for signatures, 1 for none"))
    if ed.slug and not (ed.crop_marks or ed.center_marks):
        out.append(("slug", "slug = true needs crop_marks or center_marks: the slug line sits in the marks' area",
                    "add crop_marks = true"))
    if not ed.output_profile.strip():
        out.append(("output_profile", "output_profile is empty",
                    'use "swop" (the default) or the path of your printer\'s ICC output profile'))
    return out
