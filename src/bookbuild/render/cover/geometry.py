"""Where the panels of a cover spread lie (all in mm, from the left trim edge).

    full width = 2 × trim width + spine + 2 × flaps   (the trimmed spread)
                 + 2 × bleed                          (the sheet before the cut)

Panel order, outside of the cover, left to right, as the printer's template
has it: a left-bound (horizontal) book has its front on the right —
flap | back | spine | front | flap; a right-bound (vertical) book opens the
other way and has its front on the LEFT — flap | front | spine | back | flap
(Japanese printers: 右綴じ「表1が左側にくる」).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...papers import spine_mm


@dataclass(frozen=True, slots=True)
class CoverGeometry:
    trim_w: float
    trim_h: float
    spine: float
    bleed: float
    flaps: float
    right_bound: bool
    pages: int
    caliper: float

    @classmethod
    def of(cls, trim_w: float, trim_h: float, pages: int, caliper: float, bleed: float, flaps: float,
           right_bound: bool) -> CoverGeometry:
        return cls(trim_w, trim_h, spine_mm(pages, caliper), bleed, flaps, right_bound, pages, caliper)

    @property
    def width(self) -> float:
        """The trimmed spread."""
        return 2 * self.trim_w + self.spine + 2 * self.flaps

    @property
    def sheet(self) -> tuple[float, float]:
        """The spread with its bleed (the BleedBox)."""
        return self.width + 2 * self.bleed, self.trim_h + 2 * self.bleed

    def panels(self) -> dict[str, tuple[float, float]]:
        """name → (left, right) from the left trim edge: front, spine, back, and the flaps."""
        order = (["flap-front", "front", "spine", "back", "flap-back"] if self.right_bound
                 else ["flap-back", "back", "spine", "front", "flap-front"])
        widths = {"flap-front": self.flaps, "flap-back": self.flaps, "front": self.trim_w,
                  "back": self.trim_w, "spine": self.spine}
        out, x = {}, 0.0
        for name in order:
            out[name] = (x, x + widths[name])
            x += widths[name]
        return {k: v for k, v in out.items() if v[1] > v[0]}

    def folds(self) -> list[float]:
        """x of every fold (spine edges, flap edges), for the fold marks."""
        edges = sorted({x for name, (a, b) in self.panels().items() for x in (a, b)})
        return [x for x in edges if 0 < x < self.width]
