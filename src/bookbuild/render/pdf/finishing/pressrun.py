"""One pdf edition's press-ready settings, its preflight and its log entry.

The edition's keys (docs/FORMAT.md "Press-ready print") become plain
`PressSettings` for press.py; after the PDF is written, the preflight
(verify/preflight) reads it back when the edition asks for PDF/X, and its
findings (BB8xx) become the build's diagnostics.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ....config import MM, EditionConfig
from ....diagnostics import Diagnostic
from ....model import Book
from ....verify.preflight import Expect, preflight
from .press import OutputProfile, PressSettings


@dataclass(frozen=True)
class PressRun:
    settings: PressSettings
    edition: EditionConfig
    shown_as: str            # the PDF as the diagnostics name it
    added: int               # blank pages added for pages_multiple_of
    pages: int
    problems: tuple[Diagnostic, ...] = ()

    @classmethod
    def of(cls, book: Book, ed: EditionConfig, fonts, pdf: Path, added: int, pages: int) -> PressRun:
        profile = OutputProfile.named(ed.output_profile, book.root)
        problems = ()
        if (ed.pdfx or ed.color == "cmyk") and not profile.usable:
            what = "is not an ICC profile" if profile.path.is_file() else "is not a file"
            problems = (Diagnostic("BB810", f"edition '{ed.name}': output profile {profile.path} {what}",
                                   book.config.path, 1, 1,
                                   'install icc-profiles-free/ghostscript (for "swop") or fix output_profile'),)
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        settings = PressSettings(
            pdfx=ed.pdfx if not problems else "", color=ed.color if not problems else "rgb",
            profile=profile, bleed=ed.bleed * MM, crop_marks=ed.crop_marks, center_marks=ed.center_marks,
            slug=book.config.title if ed.slug else "", slug_font=Path(fonts.horizontal) if ed.slug else None,
            title=book.config.title, epoch=int(epoch) if epoch.isdigit() else None)
        try:
            shown = pdf.resolve().relative_to(book.root.resolve()).as_posix()
        except ValueError:
            shown = str(pdf)
        return cls(settings, ed, shown, added, pages, problems)

    def preflight(self, pdf: Path) -> list[Diagnostic]:
        """BB8xx of the written file (only for PDF/X editions: a screen PDF has no printer to please)."""
        if not self.edition.pdfx or self.problems:
            return list(self.problems)
        return preflight(pdf, expect_of(self.edition), shown_as=self.shown_as)

    def report(self) -> dict:
        """log.json's "press" entry."""
        ed = self.edition
        return {"pdfx": self.settings.pdfx, "color": self.settings.color, "bleed_mm": ed.bleed,
                "crop_marks": ed.crop_marks, "pages": self.pages, "pages_multiple_of": ed.pages_multiple_of,
                "blank_pages_added": self.added,
                "output_condition": self.settings.profile.identifier if self.settings.pdfx else ""}


def expect_of(ed: EditionConfig) -> Expect:
    """What the preflight holds an edition's PDF to."""
    return Expect(pdfx=ed.pdfx, color=ed.color, bleed=ed.bleed * MM, multiple=ed.pages_multiple_of)
