"""The cover through the interior's press step (render/pdf/finishing/press.py).

The same keys (`pdfx`, `color`, `output_profile`, `bleed`, `crop_marks`,
`center_marks`, `slug`) mean the same on a cover: `PressRun` turns them
into the interior's `PressSettings`, `make_press_ready` converts the colours,
grows the MediaBox around the BleedBox for the marks and writes the PDF/X
keys, and the preflight reads the written file back.  A cover adds fold
marks: short hairlines in the mark area, on the line of every fold (spine
edges, flap edges), so the binder finds the spine.
"""
from __future__ import annotations

from pathlib import Path

import pikepdf

from ...model import Book
from ..pdf.finishing.marks import MARK_AREA, MARK_GAP, MARK_LEN, MARK_WIDTH
from ..pdf.finishing.press import make_press_ready
from ..pdf.finishing.pressrun import PressRun
from .geometry import CoverGeometry

MM = 72 / 25.4
_STROKE = {"gray": "0 G", "cmyk": "0 0 0 1 K", "rgb": "0 0 0 RG"}


def press_run(book: Book, ed, fonts, pdf_path: Path) -> PressRun:
    """The interior's press run for the cover: one page, no padding."""
    return PressRun.of(book, ed, fonts, pdf_path, 0, 1)


def finish(pdf: pikepdf.Pdf, run: PressRun, geo: CoverGeometry) -> None:
    """Colour, boxes and marks, PDF/X (in place); then the fold marks outside the bleed."""
    make_press_ready(pdf, run.settings)
    s = run.settings
    if not (s.crop_marks or s.center_marks):
        return
    page = pdf.pages[0]
    x0, y0, _, y1 = (float(v) for v in page.obj.TrimBox)
    lines = []
    for fold in geo.folds():
        x = x0 + fold * MM
        for start, end in ((y1 + s.bleed + MARK_GAP, y1 + s.bleed + MARK_GAP + MARK_LEN),
                           (y0 - s.bleed - MARK_GAP, y0 - s.bleed - MARK_GAP - MARK_LEN)):
            lines.append(f"{x:.3f} {start:.3f} m {x:.3f} {end:.3f} l S")
    stroke = _STROKE[s.color]
    ops = f"q {MARK_WIDTH} w [2 1] 0 d {stroke} " + " ".join(lines) + " Q\n"
    page.contents_add(pikepdf.Stream(pdf, ops.encode()))
    assert MARK_AREA >= MARK_GAP + MARK_LEN      # the fold marks fit the area place_marks made
