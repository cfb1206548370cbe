"""The page frame in pt: where the type area lies on the drawn page (html, stamping, links).

The layout works in em; the drawing side places things in pt on the
landscape page L (page width and height swapped, y grows downwards), which
finishing/turn.py turns into the portrait reading page P.  A horizontal
edition is drawn on P itself.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ....config import MM, EditionConfig
from . import layout_types as lt

HEAD_SIZE = 0.8   # folio and running head size, body em (VT-26)

# A fixed blank (½ em after a note number, 1 em between table cells) as a
# space character of exactly its width, where the derived face has it
# (Frame.blanks): no margin, so no span of its own.  Spacing after it then
# falls as the layout counts it (one gap after the blank, too).
BLANKS = {0.5: "\u2002", 1.0: "\u3000"}


@dataclass(frozen=True, slots=True)
class Frame:
    """The type area on the landscape page L, in pt (y grows downwards)."""
    s: float            # body size S
    width: float        # L trim width  = P trim height
    height: float       # L trim height = P trim width
    bleed: float        # added by WeasyPrint on every side (@page bleed)
    x0: float           # L left of the type area = P top
    length: float       # along the column: N × S
    across: float       # across the columns (type-area width in P)
    y_odd: float        # L top of the type area on odd pages (gutter on P-right = L top)
    y_even: float       # same on even pages (gutter on P-left = L bottom)
    # A horizontal edition is drawn on P itself (no turn): L = P, a line is a
    # line, and the gutter (left on odd pages, an ltr book) moves x0 instead.
    horizontal: bool = False
    x0_even: float = 0.0
    # Fixed blanks (BLANKS) drawn as space characters: the derived face has them.
    blanks: bool = False

    @classmethod
    def of(cls, ed: EditionConfig) -> Frame:
        pw, ph = ed.page_size_pt()
        b = ed.bleed * MM
        gutter = ed.margin_gutter * MM
        if not ed.vertical:
            length, across = ed.type_area_pt()
            head = ed.margin_head * MM
            return cls(ed.font_size, pw, ph, b, gutter, length, across, head, head, True,
                       pw - gutter - length)
        across, length = ed.type_area_pt()
        return cls(ed.font_size, ph, pw, b, ed.margin_head * MM, length, across, gutter,
                   pw - gutter - across)

    def at(self, page: lt.Page) -> Frame:
        """The frame of one page (a horizontal even page has its type area further right)."""
        return replace(self, x0=self.x0_even) if self.horizontal and not page.odd else self

    def top(self, page: lt.Page) -> float:
        return self.y_odd if page.odd else self.y_even

    def ta_p(self, odd: bool) -> dict[str, float]:
        """The type area in the P frame as pdfplumber reports it (top-down,
        from the media box corner, i.e. bleed included)."""
        y, b = (self.y_odd if odd else self.y_even), self.bleed
        if self.horizontal:
            x = b + (self.x0 if odd else self.x0_even)
            return {"top": b + y, "bottom": b + y + self.across, "left": x, "right": x + self.length}
        return {"top": b + self.x0, "bottom": b + self.x0 + self.length,
                "left": b + self.height - (y + self.across), "right": b + self.height - y}


def css_pt(v: float) -> str:
    """A length as the HTML and CSS write it (0.001 pt): stamping reads the same value back."""
    return f"{v:.3f}".rstrip("0").rstrip(".") + "pt"
