"""A lean pen: affine-transform outline segments and encode them straight into
Type 2 charstring bytecode (with the glyph's control bounds on the side).

Why not TransformPen → T2CharStringPen → T2CharString.compile: for a 3,000-
glyph face those layers cost ~10 s of pure Python; this pen, fed by HarfBuzz's
C outline reader, does the same work in ~0.5 s. Output is unhinted and
unsubroutinized (WeasyPrint subsets the face again when embedding it).
"""
from __future__ import annotations

import math
import struct

_RMOVETO, _RLINETO, _RRCURVETO, _ENDCHAR = b"\x15", b"\x05", b"\x08", b"\x0e"


def _encode_small(v: int) -> bytes:
    if -107 <= v <= 107:
        return bytes([v + 139])
    if v > 0:
        v -= 108
        return bytes([(v >> 8) + 247, v & 0xFF])
    v = -v - 108
    return bytes([(v >> 8) + 251, v & 0xFF])


_SMALL = {v: _encode_small(v) for v in range(-1131, 1132)}


def encode_int(v: int) -> bytes:
    """Type 2 integer operand (CFF spec, Table 3)."""
    b = _SMALL.get(v)
    if b is not None:
        return b
    if -32768 <= v <= 32767:
        return b"\x1c" + struct.pack(">h", v)
    raise ValueError(f"coordinate {v} out of range for a Type 2 charstring")


class T2Writer:
    """Pen protocol (moveTo/lineTo/curveTo/closePath) → Type 2 bytecode.

    `transform` is the affine (a, b, c, d, e, f) applied to each point; it may be
    changed between components of one glyph. Coordinates are rounded to integers.
    """

    __slots__ = ("transform", "_out", "_x", "_y", "box", "_width", "_started",
                 "_start", "_pending", "_src")

    def __init__(self, width: int, transform=(1, 0, 0, 1, 0, 0)):
        self.transform = tuple(transform)
        self._out: list[bytes] = []
        self._x = self._y = 0
        self.box: list[int] | None = None
        self._width = width
        self._started = False
        self._start = None
        self._pending = None   # a lineTo back to the contour start, maybe redundant
        self._src = (0, 0)     # the last point before the transform (for quadratic curves)

    def _delta(self, pt) -> bytes:
        """Transform, round, bound and encode one point relative to the last."""
        a, b, c, d, e, f = self.transform
        px, py = pt
        x = math.floor(a * px + c * py + e + 0.5)
        y = math.floor(b * px + d * py + f + 0.5)
        dx, dy = x - self._x, y - self._y
        self._x, self._y = x, y
        box = self.box
        if box is None:
            self.box = [x, y, x, y]
        else:
            if x < box[0]:
                box[0] = x
            elif x > box[2]:
                box[2] = x
            if y < box[1]:
                box[1] = y
            elif y > box[3]:
                box[3] = y
        small = _SMALL
        return (small[dx] if -1131 <= dx <= 1131 else encode_int(dx)) + \
            (small[dy] if -1131 <= dy <= 1131 else encode_int(dy))

    def _flush(self) -> None:
        if self._pending is not None:
            self._out.append(self._pending[0])
            self._pending = None

    def moveTo(self, pt) -> None:
        self._flush()
        if not self._started:
            self._out.append(encode_int(round(self._width)))
            self._started = True
        self._out.append(self._delta(pt) + _RMOVETO)
        self._start = (self._x, self._y)
        self._src = pt

    def lineTo(self, pt) -> None:
        self._flush()
        self._src = pt
        before = (self._x, self._y)
        data = self._delta(pt)
        here = (self._x, self._y)
        if here == before:
            return  # zero-length line
        if here == self._start:
            # HarfBuzz closes contours with an explicit line; Type 2 closes them
            # implicitly, so drop it if closePath follows (keeping the current point).
            self._pending = (data + _RLINETO, before)
            return
        self._out.append(data + _RLINETO)

    def curveTo(self, *pts) -> None:
        self._flush()
        if len(pts) != 3:
            raise ValueError("Type 2 curves have exactly three points")
        delta = self._delta
        self._src = pts[2]
        self._out.append(delta(pts[0]) + delta(pts[1]) + delta(pts[2]) + _RRCURVETO)

    def qCurveTo(self, *pts) -> None:
        """A TrueType (quadratic) segment as cubic ones: off-curve points with
        implied on-curve midpoints; each exact as a cubic (controls at 2/3)."""
        *offs, end = pts
        p0 = self._src
        for i, q in enumerate(offs):
            p2 = end if i == len(offs) - 1 else ((q[0] + offs[i + 1][0]) / 2, (q[1] + offs[i + 1][1]) / 2)
            self.curveTo((p0[0] + 2 * (q[0] - p0[0]) / 3, p0[1] + 2 * (q[1] - p0[1]) / 3),
                         (p2[0] + 2 * (q[0] - p2[0]) / 3, p2[1] + 2 * (q[1] - p2[1]) / 3), p2)
            p0 = p2
        if not offs:
            self.lineTo(end)

    def closePath(self) -> None:
        if self._pending is not None:
            self._x, self._y = self._pending[1]
            self._pending = None

    def endPath(self) -> None:
        self.closePath()

    def bytecode(self) -> bytes:
        self._flush()
        if not self._started:
            self._out.append(encode_int(round(self._width)))
        return b"".join(self._out) + _ENDCHAR
