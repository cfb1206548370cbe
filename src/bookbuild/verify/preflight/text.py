"""Where text is drawn: each text-showing operator's box in page space, from the fonts' own widths.

The preflight's safety-margin rule (BB806) needs the boxes of the glyphs;
pdfium gives them but spends ~25 ms a page parsing each page's fonts again
(30 s for an 870-page book), so the content walk (content.py) computes them
itself: the text matrix (Tm, Td, TD, T*, ', "), the text state (Tf, Tc, Tw,
Tz, TL, Ts) and the advances from /W (CID fonts) or /Widths (simple fonts);
a glyph's height runs from the font's Descent to its Ascent, or its FontBBox
where that reaches further.
"""
from __future__ import annotations

from pikepdf import Array, Name, String

_SHOW = {"Tj", "TJ", "'", '"'}
_STATE = {"Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Td", "TD", "Tm", "T*", "BT"}


class FontMetrics:
    """Advance widths (1000 units per em) and vertical extent of one font dictionary."""

    def __init__(self, font):
        self.two_byte = font.get("/Subtype") == Name.Type0
        desc_font = font.DescendantFonts[0] if self.two_byte else font
        desc = desc_font.get("/FontDescriptor") or {}
        # the font box's height where it is larger than Ascent/Descent: a pre-rotated CJK glyph
        # (the derived upright face) reaches beyond them; for a safety margin, more is right
        bbox = [float(v) for v in desc.get("/FontBBox", [0, -120, 0, 880])]
        self.ascent = max(float(desc.get("/Ascent", 880)), bbox[3]) / 1000
        self.descent = min(float(desc.get("/Descent", -120)), bbox[1]) / 1000
        self.widths: dict[int, float] = {}
        if self.two_byte:
            self.default = float(desc_font.get("/DW", 1000))
            _cid_widths(desc_font.get("/W", Array()), self.widths)
        else:
            self.default = float(desc.get("/MissingWidth", 500))
            first = int(font.get("/FirstChar", 0))
            for i, w in enumerate(font.get("/Widths", [])):
                self.widths[first + i] = float(w)

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)


def _cid_widths(w, out: dict[int, float]) -> None:
    """/W: `c [w1 w2 …]` (from c on) or `c_first c_last w` (a range)."""
    items, i = list(w), 0
    while i < len(items):
        first = int(items[i])
        if i + 1 < len(items) and isinstance(items[i + 1], Array):
            for k, width in enumerate(items[i + 1]):
                out[first + k] = float(width)
            i += 2
        elif i + 2 < len(items):
            for c in range(first, int(items[i + 1]) + 1):
                out[c] = float(items[i + 2])
            i += 3
        else:
            break


class TextState:
    """Text matrix and state of one content stream; boxes of what it shows."""

    def __init__(self, fonts, metrics: dict):
        self.fonts = fonts              # the /Font resource dictionary
        self.metrics = metrics          # font objgen → FontMetrics, shared by the pages of one file
        self.cache: dict[str, FontMetrics | None] = {}
        self.font: FontMetrics | None = None
        self.size = self.tc = self.tw = self.rise = self.leading = 0.0
        self.th = 1.0
        self.tm = self.tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def saved(self) -> tuple:
        return (self.font, self.size, self.tc, self.tw, self.th, self.rise, self.leading)

    def restore(self, state: tuple) -> None:
        self.font, self.size, self.tc, self.tw, self.th, self.rise, self.leading = state

    def handles(self, name: str) -> bool:
        return name in _SHOW or name in _STATE

    def run(self, name: str, operands, ctm, boxes: list) -> None:
        if name == "BT":
            self.tm = self.tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif name == "Tf":
            key = str(operands[0])
            if key not in self.cache:
                self.cache[key] = self._metrics(key)
            self.font, self.size = self.cache[key], float(operands[1])
        elif name in ("Tc", "Tw", "Tz", "TL", "Ts"):
            value = float(operands[0])
            if name == "Tc":
                self.tc = value
            elif name == "Tw":
                self.tw = value
            elif name == "Tz":
                self.th = value / 100
            elif name == "TL":
                self.leading = value
            else:
                self.rise = value
        elif name in ("Td", "TD"):
            tx, ty = float(operands[0]), float(operands[1])
            if name == "TD":
                self.leading = -ty
            self._line((1.0, 0.0, 0.0, 1.0, tx, ty))
        elif name == "Tm":
            self.tm = self.tlm = tuple(float(v) for v in operands)
        elif name == "T*":
            self._line((1.0, 0.0, 0.0, 1.0, 0.0, -self.leading))
        else:
            self._show(name, operands, ctm, boxes)

    def _metrics(self, key: str) -> FontMetrics | None:
        if key not in self.fonts:
            return None
        font = self.fonts[key]
        if not font.is_indirect:
            return FontMetrics(font)
        if font.objgen not in self.metrics:
            self.metrics[font.objgen] = FontMetrics(font)
        return self.metrics[font.objgen]

    def _line(self, move) -> None:
        self.tm = self.tlm = mul(move, self.tlm)

    def _show(self, name: str, operands, ctm, boxes: list) -> None:
        if name in ("'", '"'):
            if name == '"':
                self.tw, self.tc = float(operands[0]), float(operands[1])
            self._line((1.0, 0.0, 0.0, 1.0, 0.0, -self.leading))
            operands = operands[-1:]
        parts = operands[0] if name == "TJ" else [operands[0]]
        start = 0.0
        advance = 0.0
        for part in parts:
            if isinstance(part, String):
                advance += self._advance(bytes(part))
            else:
                advance -= float(part) / 1000 * self.size * self.th
        if self.font is None or advance == start:
            return
        lo, hi = self.font.descent * self.size + self.rise, self.font.ascent * self.size + self.rise
        m = mul(self.tm, ctm)
        pts = [apply(m, x, y) for x in (0.0, advance) for y in (lo, hi)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
        self.tm = mul((1.0, 0.0, 0.0, 1.0, advance, 0.0), self.tm)

    def _advance(self, data: bytes) -> float:
        if self.font is None:
            return 0.0
        total = 0.0
        for code in self.font.codes(data):
            w = self.font.widths.get(code, self.font.default) / 1000 * self.size
            space = self.tw if code == 32 and not self.font.two_byte else 0.0
            total += (w + self.tc + space) * self.th
        return total


def mul(a, b):
    """a × b of two PDF matrices (a applied first)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def apply(m, x, y):
    """The point (x, y) under matrix m."""
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
