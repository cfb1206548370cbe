"""Preflight: open a built PDF and report what a printer's preflight rejects (BB801–BB809).

    preflight(path, Expect(...), shown_as="dist/print.pdf") -> [Diagnostic]

Each finding is a Diagnostic whose file is the PDF and whose line is the
1-based page (line 1 for the whole document), one per page and code.
`Expect` says what the file should be: PDF/X variant, colour mode, bleed and
page multiple; left empty, the preflight takes them from the file itself
(its GTS_PDFXVersion, its output intent's colour space, its boxes).
Run by `bookbuild preflight` on any PDF and after every PDF/X print build.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ...diagnostics import Diagnostic
from .content import PageUse, page_use
from .rules import (  # noqa: I001  one rule per code
    Finding,
    check_boxes,
    check_colours,
    check_fonts,
    check_images,
    check_marks,
    check_pdfx,
    check_text_margin,
    check_transparency,
    declared_pdfx,
    intent_colour,
)

MM = 72 / 25.4


@dataclass(frozen=True, slots=True)
class Expect:
    pdfx: str = ""            # "x-4" / "x-1a"; "" = what the file declares
    color: str = ""           # "gray" / "cmyk" / "rgb"; "" = from the output intent
    bleed: float = 0.0        # pt; 0 = not checked against a setting
    multiple: int = 1         # pages_multiple_of
    safety: float = 3 * MM    # text at least this far inside the trim
    min_ppi: float = 300.0


def preflight(path: Path, expect: Expect = Expect(), shown_as: str | None = None) -> list[Diagnostic]:
    shown = shown_as or str(path)
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as e:
        return [Diagnostic("BB807", f"cannot open the PDF: {e}", shown, 1, 1, "is it a PDF?")]
    with pdf:
        findings = _run(pdf, path, expect)
    return [Diagnostic(f.code, f.message, shown, f.page or 1, 1, f.hint) for f in findings]


def _run(pdf: pikepdf.Pdf, path: Path, expect: Expect) -> list[Finding]:
    pdfx = expect.pdfx or declared_pdfx(pdf)
    color = expect.color or intent_colour(pdf)
    uses: list[PageUse] = [page_use(p) for p in pdf.pages]
    out: list[Finding] = []
    if pdfx:
        out += check_pdfx(pdf, pdfx)
    out += check_boxes(pdf, expect.bleed)
    out += check_fonts(pdf)
    for i, (page, use) in enumerate(zip(pdf.pages, uses), 1):
        out += check_colours(i, use, color)
        out += check_images(i, use, expect.min_ppi)
        out += check_marks(i, page, use)
        if pdfx == "x-1a":
            out += check_transparency(i, page, use)
    out += check_text_margin(path, pdf, expect.safety)
    if expect.multiple > 1 and len(pdf.pages) % expect.multiple:
        n = len(pdf.pages)
        out.append(Finding("BB809", 0, f"{n} pages is not a multiple of {expect.multiple}",
                           f"set pages_multiple_of = {expect.multiple} (adds {-n % expect.multiple} blank "
                           "pages at the end) or shorten the book"))
    return sorted(out, key=lambda f: (f.page, f.code))
