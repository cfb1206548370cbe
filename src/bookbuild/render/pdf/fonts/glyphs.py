"""Outlines of derived glyphs: a glyph is a list of (source glyph, transform)
drawn into one CFF charstring (docs/PRINT-ENGINE.md §2 "Rotation").

Frames: the derived face is used in the landscape layout frame L; a glyph that
must look upright in the reading frame P is turned 90° counter-clockwise so that
its vertical box becomes the horizontal advance and its centre sits on the em
box centre (ascent 880, descent −120 → centre 380 for a 1000-unit em).
The transform is that of docs/PRINT-ENGINE.md §2; the pen is `charstring_pen.T2Writer` (same result
as TransformPen → T2CharStringPen, ~5x faster).
"""
from __future__ import annotations

from dataclasses import dataclass

from fontTools.misc.psCharStrings import T2CharString
from fontTools.misc.transform import Identity, Transform

from .charstring_pen import T2Writer
from .source import Choice, SourceFace

ASCENT_RATIO, DESCENT_RATIO = 0.88, -0.12
# ss19 call glyphs are drawn for `font-size: 0.5em` on the column baseline:
# their ink starts at the body em box top, i.e. ascent / CALL_SCALE call units.
CALL_SCALE = 0.5


@dataclass(frozen=True, slots=True)
class Drawing:
    advance: int
    parts: tuple[tuple[str, Transform], ...]


def metrics(upem: int) -> tuple[int, int, float]:
    """(ascent, descent, em-box centre) of every derived face."""
    ascent, descent = round(upem * ASCENT_RATIO), round(upem * DESCENT_RATIO)
    return ascent, descent, (ascent + descent) / 2


def rotation(src: SourceFace, glyph: str, upem: int | None = None) -> Transform:
    """x' = vy − y, y' = x − hadv/2 + centre: the glyph's vertical box, top first,
    becomes the advance; its horizontal centre lands on the em-box centre.
    A fallback face's glyph (src.scale ≠ 1) is scaled to the primary's em
    first, `upem` being the primary's: the same rule in the same em box."""
    k = src.scale
    _, _, centre = metrics(upem or src.upem)
    vy = src.vertical_origin(glyph)
    return Transform(0, k, -k, 0, k * vy, centre - k * src.advance(glyph) / 2)


def for_char(src: SourceFace, choice: Choice, upem: int | None = None) -> Drawing:
    """One character's glyph; `upem`: the primary face's, when `src` is a fallback."""
    k = src.scale
    if not choice.rotate:
        place = Identity if k == 1 and not src.shift else Transform(k, 0, 0, k, 0, src.shift)
        return Drawing(round(k * src.advance(choice.glyph)), ((choice.glyph, place),))
    return Drawing(round(k * src.vertical_advance(choice.glyph)),
                   ((choice.glyph, rotation(src, choice.glyph, upem)),))


def vertical_pair(src: SourceFace, pair: str, single: Choice) -> Drawing:
    """A 2-em —— / …… unit, pre-rotated: the font's own vertical ligature when it
    has one (one unbroken dash), else the two vertical forms end to end."""
    lig = src.vertical_pair(pair)
    if lig is not None:
        return for_char(src, Choice(lig, True))
    one = for_char(src, single)
    step = Transform().translate(one.advance, 0)
    second = tuple((g, step.transform(t)) for g, t in one.parts)
    return Drawing(2 * one.advance, one.parts + second)


def horizontal_pair(src: SourceFace, pair: str) -> Drawing:
    lig = src.horizontal_pair(pair)
    if lig is not None:
        return Drawing(src.advance(lig), ((lig, Identity),))
    g = src.cmap[ord(pair[0])]
    adv = src.advance(g)
    return Drawing(2 * adv, ((g, Identity), (g, Transform().translate(adv, 0))))


def _upright_digits(src: SourceFace, digits: str) -> list[tuple[str, Transform]]:
    """Digits side by side in one upright em cell, centred on (upem/2, centre)."""
    forms = src.digit_forms(digits)
    widths = [src.advance(g) * sx for g, sx in forms]
    extents = [e for e in (src.y_extent(g) for g, _ in forms) if e]
    ymin, ymax = min(e[0] for e in extents), max(e[1] for e in extents)
    _, _, centre = metrics(src.upem)
    dy = centre - (ymin + ymax) / 2
    x = (src.upem - sum(widths)) / 2
    parts = []
    for (g, sx), w in zip(forms, widths):
        parts.append((g, Transform().translate(x, dy).scale(sx, 1)))
        x += w
    return parts


def _cell_rotation(src: SourceFace) -> Transform:
    ascent, _, centre = metrics(src.upem)
    return Transform(0, 1, -1, 0, ascent, centre - src.upem / 2)


def tcy(src: SourceFace, digits: str) -> Drawing:
    """Tate-chu-yoko unit: 1–3 digits upright in one 1-em cell (VT-13)."""
    rot = _cell_rotation(src)
    return Drawing(src.upem, tuple((g, rot.transform(t)) for g, t in _upright_digits(src, digits)))


def stacked(src: SourceFace, marks: str) -> Drawing:
    """！！/？！… as one upright 1-em cell (VT-15): the proportional ASCII marks side
    by side, centred, turned like a tcy unit."""
    glyphs = [src.cmap[ord(m)] for m in marks]
    widths = [src.advance(g) for g in glyphs]
    scale = min(1.0, src.upem / sum(widths))
    extents = [e for e in (src.y_extent(g) for g in glyphs) if e]
    _, _, centre = metrics(src.upem)
    dy = centre - (min(e[0] for e in extents) + max(e[1] for e in extents)) / 2
    x, parts, rot = (src.upem - sum(widths) * scale) / 2, [], _cell_rotation(src)
    for g, w in zip(glyphs, widths):
        parts.append((g, rot.transform(Transform().translate(x, dy).scale(scale, 1))))
        x += w * scale
    return Drawing(src.upem, tuple(parts))


def call(src: SourceFace, digits: str) -> Drawing:
    """Note-call glyph (VT-23): the tcy unit at full scale with zero advance; its
    cell ends at the glyph origin (bottom-aligned with the preceding cell in P) and
    lies above the body em box at `CALL_SCALE` (right of the column in P)."""
    ascent, descent, _ = metrics(src.upem)
    shift = Transform().translate(-src.upem, ascent / CALL_SCALE - descent)
    place = shift.transform(_cell_rotation(src))
    return Drawing(0, tuple((g, place.transform(t)) for g, t in _upright_digits(src, digits)))


def call_horizontal(src: SourceFace, digits: str) -> Drawing:
    """Note-call glyph of a horizontal edition: the same cell as `call`, digits
    unrotated; it ends at the glyph origin and lies above the body em box at
    `CALL_SCALE`, i.e. in the line gap over the end of the preceding cell
    (docs/FORMAT.md: in a horizontal pdf, read "column" as "line")."""
    ascent, descent, _ = metrics(src.upem)
    place = Transform().translate(-src.upem, ascent / CALL_SCALE - descent)
    return Drawing(0, tuple((g, place.transform(t)) for g, t in _upright_digits(src, digits)))


def notdef(src: SourceFace) -> Drawing:
    return Drawing(src.advance(".notdef"), ((".notdef", Identity),))


def compile_drawing(src: SourceFace, drawing: Drawing) -> tuple[T2CharString, tuple | None]:
    """(charstring, control bounds or None for an empty glyph) of a drawing."""
    pen = T2Writer(drawing.advance)
    for glyph, t in drawing.parts:
        pen.transform = tuple(t)
        src.draw(glyph, pen)
    return T2CharString(bytecode=pen.bytecode()), (tuple(pen.box) if pen.box else None)
