"""Text pages drawn straight into PDF content streams, without WeasyPrint
(docs/PRINT-ENGINE.md §12).

The layout has fixed every cell already: column, place along it, size.
WeasyPrint was asked to lay all that out again, and that was 86 % of a
cold print build (bench/PROFILE.md, 2026-12-07).  A page that holds only
text columns, the interlinear marks and the note rule is written here
instead: each column is one `TJ` in the derived face, each glyph placed at
the position layout/positions.py gives its unit (the same numbers
page_html.py writes as letter-spacing and margins), the marks as paths
(overlays.py).  Glyphs come from HarfBuzz with the same features Pango
uses (shaping.py); their widths and ToUnicode entries go into the merged
font of the face (subsets.unify_fonts), as the stamped heads' do.

A page goes to WeasyPrint as before when it holds anything else: a figure,
a table, a head not stamped (finishing/stamp.py), a rule of the
book's own stylesheet that reaches it (bookrules.py), or a character the
face has no glyph for (WeasyPrint then reports the .notdef, BB703).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pikepdf import Name

from ..fonts.derived import DerivedFonts
from ..layout import layout_types as lt
from ..layout.frame import BLANKS, Frame
from ..layout.positions import unit_spans
from .bookrules import BookRules
from .overlays import column_marks, mark_ops, rule_ops
from .shaping import CALL, PLAIN, UPRIGHT, Shaper

# The derived faces put the em box's top 0.88 em above the baseline
# (fonts/face.py); a line box of any height centres the em box (half-leading).
ASCENT = 0.88
FACES = {"upright": Name("/BBT0"), "bold": Name("/BBT1")}


@dataclass(frozen=True)
class TextPage:
    """One page's content stream on L (turned later like a WeasyPrint page),
    and its glyphs: (face, gid, width in 1000ths of an em, ToUnicode hex), in
    the order they first appear."""
    content: bytes
    glyphs: tuple[tuple[str, int, int, str], ...]
    # face -> (family, derived file, its sha256): the files whose glyph ids the
    # content uses (set by drawing/pages.py; a page reused from the cache keeps its own)
    fonts: tuple[tuple[str, str, str, str], ...] = ()

    def faces(self) -> set[str]:
        return {g[0] for g in self.glyphs}

    def font_of(self, face: str) -> tuple[str, str]:
        return next((family, path) for f, family, path, _ in self.fonts if f == face)


def extra_glyphs(pages) -> dict[tuple[str, str], dict[int, tuple[float, bytes]]]:
    """{(family, file): {gid: (width, UTF-16BE hex)}} of the text pages, for
    subsets.unify_fonts: in page order, the first text of a glyph kept (a
    build that reuses cached pages writes the fonts a cold build does)."""
    out: dict[tuple[str, str], dict[int, tuple[float, bytes]]] = {}
    for page in pages:
        for face, gid, width, text in page.glyphs if page is not None else ():
            used = out.setdefault(page.font_of(face), {})
            if gid not in used or (text and not used[gid][1]):
                used[gid] = (width, text.encode())
    return out


@dataclass
class _Text:
    """Glyphs of one column in one face and size: (gid, x, rise, text) in pt on L."""
    face: str
    size: float
    baseline: float
    glyphs: list[tuple[int, float, float, str]] = field(default_factory=list)


class Painter:
    """Draws the pages it can (one build's derived faces and frame)."""

    def __init__(self, fonts: DerivedFonts, frame: Frame, rules: BookRules):
        self.frame = frame
        self.rules = rules
        self.shapers = {"upright": Shaper(fonts.upright), "bold": Shaper(fonts.bold)}

    def paint(self, page: lt.Page, html: str) -> TextPage | None:
        """The page's content, or None when WeasyPrint must draw it."""
        if not drawable(page) or self.rules.reach(html):
            return None
        frame = self.frame.at(page)
        y0 = frame.top(page)
        texts: list[_Text] = []
        paths: list[str] = []
        for cols in (page.columns, page.note_columns):
            for col in cols:
                if col.role == lt.BLANK_COL or not (col.units or col.foot):
                    continue
                got = self._column(col, frame, y0)
                if got is None:
                    return None
                texts += got
                paths += [mark_ops(m) for m in column_marks(col, frame, y0)]
        if page.rule_x_em is not None and page.note_columns:
            paths.append(rule_ops(frame.x0, y0 + page.rule_x_em * frame.s, frame.length))
        widths = {f: s.width for f, s in self.shapers.items()}
        return TextPage(_content(texts, paths, frame, widths), self._glyphs(texts))

    def _glyphs(self, texts: list[_Text]) -> tuple[tuple[str, int, int, str], ...]:
        seen: dict[tuple[str, int], str] = {}
        for t in texts:
            for gid, _, _, text in t.glyphs:
                if not seen.get((t.face, gid)):
                    seen[t.face, gid] = text
        return tuple((face, gid, self.shapers[face].width(gid), text.encode("utf-16-be").hex())
                     for (face, gid), text in seen.items())

    # ------------------------------------------------------------ columns

    def _column(self, col: lt.Column, frame: Frame, y0: float) -> list[_Text] | None:
        """The column's glyph runs in text order: each note call right after
        its cell (a call drawn apart would be extracted out of place, §4)."""
        face = "bold" if col.role in lt.BOLD_ROLES else "upright"
        shaper = self.shapers[face]
        em = col.size * frame.s
        base = y0 + col.x_em * frame.s + (ASCENT - 0.5) * em
        spans = unit_spans(col)
        cells = _cells(spans, shaper, frame, em)
        if cells is None:
            return None
        index = {id(u): i for i, (u, _, _) in enumerate(spans)}
        calls: dict[int, list] = {}
        last = -1
        for u in col.units:
            if u.kind == lt.CALL:    # at the end of the cell before it, zero advance (print.css .call)
                x = frame.x0 + (spans[last][2] if last >= 0 else col.indent_em) * em
                got = _run(shaper, u.text, CALL, x, em / 2)
                if got is None:
                    return None
                calls.setdefault(last, []).extend(got)
            else:
                last = index.get(id(u), last)
        runs = [_Text(face, em / 2, base, calls.get(-1, []))]
        for i, (u, a, _) in enumerate(spans):
            if u.kind == lt.WARICHU:
                got = _warichu(u, shaper, frame.x0 + a * em, em)
                if got is None:
                    return None
                runs.append(_Text(face, em / 2, base, got))
            else:
                runs.append(_Text(face, em, base, cells.get(i, [])))
            runs.append(_Text(face, em / 2, base, calls.get(i, [])))
        if col.foot:
            used = max((b for _, _, b in spans), default=col.indent_em)
            gap = frame.length / em - sum(u.width_em for u in col.foot) - used
            got = _run(shaper, "".join(u.text for u in col.foot), PLAIN, frame.x0 + (used + max(gap, 0)) * em, em)
            if got is None:
                return None
            runs.append(_Text(face, em, base, got))
        return _joined(runs)


def _joined(runs: list[_Text]) -> list[_Text]:
    """Consecutive runs of one size as one (one TJ)."""
    out: list[_Text] = []
    for r in runs:
        if not r.glyphs:
            continue
        if out and out[-1].size == r.size:
            out[-1].glyphs = out[-1].glyphs + r.glyphs
        else:
            out.append(_Text(r.face, r.size, r.baseline, list(r.glyphs)))
    return out


def drawable(page: lt.Page) -> bool:
    """Only text, marks and the note rule (heads: stamped, see module doc)."""
    if page.figures or page.folio or page.running_head:
        return False
    for cols in (page.columns, page.note_columns):
        for c in cols:
            if c.table is not None or c.figure is not None or c.role == lt.FIGURE:
                return False
    return True


def _cells(spans, shaper: Shaper, frame: Frame, em: float) -> dict[int, list] | None:
    """The glyphs of each visible unit (by index into `spans`): one shaping
    run of the plain ones (the font's contextual rules see the whole column,
    as in one Pango run), each glyph placed from its unit's start; upright
    letters shaped alone (ss18, as the `.up` span is).  None: a glyph is missing."""
    text: list[str] = []
    owner: list[int] = []            # index into spans of each character of `text`
    out: dict[int, list] = {}
    for i, (u, a, _) in enumerate(spans):
        if u.kind == lt.WARICHU:
            continue                 # its own two lines (_warichu)
        if u.kind == lt.UPRIGHT:
            got = _run(shaper, u.text, UPRIGHT, frame.x0 + a * em, em)
            if got is None:
                return None
            out[i] = got
            continue
        t = _cell_text(u, frame)
        text.append(t)
        owner += [i] * len(t)
    joined = "".join(text)
    pen: dict[int, float] = {}
    for g in shaper.shape(joined, PLAIN) if joined else ():
        if g.gid == 0:
            return None
        i = owner[g.cluster]
        x = pen.get(i, spans[i][1])
        out.setdefault(i, []).append((g.gid, frame.x0 + (x + g.dx) * em, g.dy * em, g.text))
        pen[i] = x + g.advance
    return out


def _cell_text(u: lt.Unit, frame: Frame) -> str:
    if u.kind == lt.BLANK:      # a fixed blank: its space character, where the face has it
        return BLANKS.get(u.width_em, "") if frame.blanks else ""
    return u.text + "-" if u.flags & lt.HYPHEN else u.text     # VT-12a: the hyphen at the column end


def _warichu(u: lt.Unit, shaper: Shaper, x: float, em: float) -> list | None:
    """割注 (VT-25): two half-size lines in the cell row, the first (P right)
    in the L-upper half, the second in the lower half; as column_html draws
    it, the second line's baseline 0.06 em below the body baseline (so the
    first one's 0.44 em above it), each line shaped alone from the cell start."""
    out = []
    for text, rise in ((u.text[:u.split], 0.44 * em), (u.text[u.split:], -0.06 * em)):
        got = _run(shaper, text, PLAIN, x, em / 2) if text else []
        if got is None:
            return None
        out += [(gid, gx, dy + rise, t) for gid, gx, dy, t in got]
    return out


def _run(shaper: Shaper, text: str, features: dict, x: float, size: float) -> list | None:
    """A run shaped on its own, its glyphs one after the other from `x`."""
    out = []
    for g in shaper.shape(text, features):
        if g.gid == 0:
            return None
        out.append((g.gid, x + g.dx * size, g.dy * size, g.text))
        x += g.advance * size
    return out


# ------------------------------------------------------------ the content stream

def _content(texts: list[_Text], paths: list[str], frame: Frame, widths) -> bytes:
    """L's content as WeasyPrint's pages have it: y down from the trim box's
    top-left corner; text space flipped back upright."""
    ops = [f"1 0 0 -1 0 {_n(frame.height)} cm\n0 g 0 G\nBT\n"]
    current = None
    for t in texts:
        if (t.face, t.size) != current:
            ops.append(f"{FACES[t.face]} {_n(t.size)} Tf\n")
            current = (t.face, t.size)
        ops.append(_tj(t, widths[t.face]))
    ops.append("ET\n")
    ops += paths
    return "".join(ops).encode()


def _tj(t: _Text, width) -> str:
    """One `Tm` and one `TJ` per baseline run: after each glyph the pen has
    moved by its width; an adjustment brings it to the next glyph's place."""
    out: list[str] = []
    arr: list[str] = []
    pen = rise = None
    k = 1000 / t.size
    for gid, x, dy, _ in t.glyphs:
        if pen is None or dy != rise:
            if arr:
                out.append(f"[{''.join(arr)}] TJ\n")
                arr = []
            out.append(f"1 0 0 -1 {_n(x)} {_n(t.baseline - dy)} Tm ")
            pen, rise = x, dy
        adj = round((pen - x) * k, 1)
        if adj:
            arr.append(f"{adj:g}")
        arr.append(f"<{gid:04x}>")
        pen = pen - adj / k + width(gid) * t.size / 1000     # where the rounded adjustment put it
    if arr:
        out.append(f"[{''.join(arr)}] TJ\n")
    return "".join(out)


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"
