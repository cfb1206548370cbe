"""What a page's content streams do, as the preflight needs it: colours set,
paths painted (with their bounding boxes), images placed, graphics states used.

A small interpreter over pikepdf.parse_content_stream: it keeps the CTM
(q/Q/cm), the current path's bounding box and the fill/stroke colour
spaces, and follows form XObjects with their /Matrix
(text.py keeps the text matrix and gives the boxes of the text shown).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Name

from .text import TextState, apply, mul

DEVICE = {"/DeviceGray": "gray", "/DeviceRGB": "rgb", "/DeviceCMYK": "cmyk"}
_SET = {"g": "gray", "G": "gray", "rg": "rgb", "RG": "rgb", "k": "cmyk", "K": "cmyk"}
_PAINT_STROKE = {"S", "s", "B", "B*", "b", "b*"}
_PAINT = _PAINT_STROKE | {"f", "F", "f*"}


@dataclass
class PageUse:
    colours: dict[str, int] = field(default_factory=dict)         # space kind → times used
    cmyk_text: set[tuple] = field(default_factory=set)            # k values text was drawn in
    strokes: list[tuple[float, float, float, float]] = field(default_factory=list)  # stroked path bboxes
    text: list[tuple[float, float, float, float]] = field(default_factory=list)     # shown text boxes
    images: list[tuple[object, float, float]] = field(default_factory=list)  # (image, width pt, height pt)
    states: list[object] = field(default_factory=list)            # ExtGState dictionaries used
    spaces: list[object] = field(default_factory=list)            # image colour spaces

    def colour(self, kind: str) -> None:
        self.colours[kind] = self.colours.get(kind, 0) + 1


def space_kind(space) -> str:
    """gray / rgb / cmyk / lab / spot / pattern / indexed / other for a colour space object."""
    if isinstance(space, Name):
        return DEVICE.get(str(space), "pattern" if str(space) == "/Pattern" else "other")
    if isinstance(space, Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(int(space[1].get("/N", 0)), "other")
        if family in ("/Separation", "/DeviceN"):
            names = [str(space[1])] if family == "/Separation" else [str(n) for n in space[1]]
            process = {"/Cyan", "/Magenta", "/Yellow", "/Black", "/None"}
            return "cmyk" if all(n in process for n in names) else "spot"
        if family == "/Indexed":
            return space_kind(space[1])
        return {"/Lab": "lab", "/CalRGB": "rgb", "/CalGray": "gray", "/Pattern": "pattern"}.get(family, "other")
    return "other"


def page_use(page: pikepdf.Page, metrics: dict | None = None) -> PageUse:
    """`metrics`: the fonts' metrics already read (text.py), shared across the pages of a file."""
    use = PageUse()
    _walk(page.obj, page.obj.get("/Resources"), (1, 0, 0, 1, 0, 0), use, set(), {} if metrics is None else metrics)
    return use


def _walk(owner, resources, ctm, use: PageUse, seen: set, metrics: dict) -> None:
    spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    states = resources.get("/ExtGState", {}) if resources is not None else {}
    shadings = resources.get("/Shading", {}) if resources is not None else {}
    for pattern in (resources.get("/Pattern", {}) if resources is not None else {}).values():
        if "/Shading" in pattern:          # a gradient fill: its colour space counts where it is defined
            use.colour(space_kind(pattern.Shading.get("/ColorSpace")))
        elif pattern.get("/PatternType") == 1 and pattern.objgen not in seen:
            # a tiling pattern's cell is a content stream of its own (an SVG's hatching): its
            # colours count; its strokes and text are in pattern space, not marks on the page
            seen.add(pattern.objgen)
            cell = PageUse()
            _walk(pattern, pattern.get("/Resources"), (1, 0, 0, 1, 0, 0), cell, seen, metrics)
            for kind, times in cell.colours.items():
                use.colours[kind] = use.colours.get(kind, 0) + times
    stack, path = [], []
    fill = stroke = "gray"
    in_text = False
    text = TextState(resources.get("/Font", {}) if resources is not None else {}, metrics)
    for operands, op in pikepdf.parse_content_stream(owner):
        name = str(op)
        if name == "q":
            stack.append((ctm, text.saved()))
        elif name == "Q" and stack:
            ctm, saved = stack.pop()
            text.restore(saved)
        elif text.handles(name):
            in_text = in_text or name == "BT"
            text.run(name, operands, ctm, use.text)
        elif name == "cm":
            ctm = mul(tuple(float(v) for v in operands), ctm)
        elif name in _SET:
            use.colour(_SET[name])
            if name == "k" and in_text:
                use.cmyk_text.add(tuple(round(float(v), 3) for v in operands))
            if name.islower():
                fill = _SET[name]
            else:
                stroke = _SET[name]
        elif name in ("cs", "CS"):
            key = str(operands[0])
            kind = DEVICE.get(key) or ("pattern" if key == "/Pattern" else
                                       space_kind(spaces[key]) if key in spaces else "other")
            use.colour(kind)
            if name == "cs":
                fill = kind
            else:
                stroke = kind
        elif name in ("sc", "scn", "SC", "SCN"):
            use.colour(stroke if name.isupper() else fill)
        elif name in ("m", "l"):
            path.append(apply(ctm, float(operands[0]), float(operands[1])))
        elif name == "c":
            path += [apply(ctm, float(operands[i]), float(operands[i + 1])) for i in (0, 2, 4)]
        elif name in ("v", "y"):
            path += [apply(ctm, float(operands[i]), float(operands[i + 1])) for i in (0, 2)]
        elif name == "re":
            x, y, w, h = (float(v) for v in operands)
            path += [apply(ctm, x, y), apply(ctm, x + w, y + h), apply(ctm, x, y + h), apply(ctm, x + w, y)]
        elif name in _PAINT or name == "n":
            if name in _PAINT_STROKE and path:
                xs, ys = [p[0] for p in path], [p[1] for p in path]
                use.strokes.append((min(xs), min(ys), max(xs), max(ys)))
            path = []
        elif name == "sh" and str(operands[0]) in shadings:
            use.colour(space_kind(shadings[str(operands[0])].get("/ColorSpace")))
        elif name == "gs" and str(operands[0]) in states:
            use.states.append(states[str(operands[0])])
        elif name == "ET":
            in_text = False
        elif name == "Do" and str(operands[0]) in xobjects:
            _xobject(xobjects[str(operands[0])], resources, ctm, use, seen, metrics)


def _xobject(x, resources, ctm, use: PageUse, seen: set, metrics: dict) -> None:
    if x.get("/Subtype") == Name.Image:
        # the unit square's sides under the CTM: the placed size in pt
        use.images.append((x, math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])))
        if "/ColorSpace" in x:
            use.spaces.append(x.ColorSpace)
        if "/SMask" in x:
            use.states.append({"/SMask": x.SMask})
    elif x.get("/Subtype") == Name.Form and x.objgen not in seen:
        seen = seen | {x.objgen}
        matrix = tuple(float(v) for v in x.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        if "/Group" in x and x.Group.get("/S") == Name.Transparency:
            use.states.append({"/Group": x.Group})
        _walk(x, x.get("/Resources", resources), mul(matrix, ctm), use, seen, metrics)
