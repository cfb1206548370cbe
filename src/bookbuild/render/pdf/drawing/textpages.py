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

import zlib
from dataclasses import dataclass, field

from pikepdf import Name

from ..fonts.derived import DerivedFonts
from ..layout import layout_types as lt
from ..layout.frame import BLANKS, Frame
from ..layout.positions import unit_spans
from .bookrules import BookRules
from .overlays import column_marks, mark_ops, marked, num, rule_ops
from .shaping import CALL, PLAIN, UPRIGHT, Shaper

# The derived faces put the em box's top 0.88 em above the baseline
# (fonts/face.py); a line box of any height centres the em box (half-leading).
ASCENT = 0.88
FACES = {"upright": Name("/BBT0"), "bold": Name("/BBT1")}


# One face's glyphs on a page, as three comma-separated strings: the glyph ids
# (decimal; those with a text first), the texts of the first ones (UTF-16BE hex)
# and the widths of all (1000ths of an em).  Strings, not tuples: a book has
# 370,000 of these, and the cache reads them back (pagecache.py) and joins
# them (extra_glyphs) with C-level splits and dict updates.
Glyphs = tuple[str, str, str]


@dataclass(frozen=True)
class TextPage:
    """One page's content stream on L (turned later like a WeasyPrint page),
    Flate-compressed as qpdf compresses a stream when it saves (zlib level 6:
    the same bytes, so the saved PDF is the same; see drawing/pages.py), and its
    glyphs by face, faces in the order of their first glyph."""
    content: bytes
    glyphs: dict[str, Glyphs]
    # face -> (family, derived file, its sha256): the files whose glyph ids the
    # content uses (set by drawing/pages.py; a page reused from the cache keeps its own)
    fonts: tuple[tuple[str, str, str, str], ...] = ()
    # what may link on the page (finishing/links.py Areas), None until found
    links: list | None = None

    def faces(self):
        return self.glyphs.keys()

    def font_of(self, face: str) -> tuple[str, str]:
        return next((family, path) for f, family, path, _ in self.fonts if f == face)


def extra_glyphs(pages) -> dict[tuple[str, str], dict[int, tuple[float, bytes]]]:
    """{(family, file): {gid: (width, UTF-16BE hex)}} of the text pages, for
    subsets.unify_fonts: of a glyph, the first text in page order (a build
    that reuses cached pages writes the fonts a cold build does); the files
    in the order the pages first use them."""
    order: dict[tuple[str, str], tuple[dict, dict]] = {}
    used = []
    for page in pages:
        if page is not None:
            for face in page.glyphs:
                key = page.font_of(face)
                used.append((order.setdefault(key, ({}, {})), page.glyphs[face]))
    # backwards, so that an earlier page's text replaces a later one's
    for (texts, widths), (gids, hexes, ws) in reversed(used):
        ids = gids.split(",")
        widths.update(zip(ids, ws.split(",")))
        if hexes:
            texts.update(zip(ids, hexes.split(",")))
    return {key: {int(g): (int(w), texts.get(g, "").encode()) for g, w in widths.items()}
            for key, (texts, widths) in order.items()}


@dataclass
class _Text:
    """Glyphs of one face and size on one baseline: (gid, x, rise, text), pt on L."""
    face: str
    size: float
    baseline: float
    glyphs: list[tuple[int, float, float, str]] = field(default_factory=list)


class _Runs:
    """A column's glyph runs in text order; a new run where the size changes."""

    def __init__(self, face: str, baseline: float):
        self.face, self.baseline = face, baseline
        self.runs: list[_Text] = []

    def add(self, size: float, glyphs: list) -> None:
        if not glyphs:
            return
        if self.runs and self.runs[-1].size == size:
            self.runs[-1].glyphs += glyphs
        else:
            self.runs.append(_Text(self.face, size, self.baseline, list(glyphs)))


class _Missing(Exception):
    """A glyph the face does not have: WeasyPrint draws the page (and reports the .notdef)."""


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
        try:
            for cols in (page.columns, page.note_columns):
                for col in cols:
                    if col.role == lt.BLANK_COL or not (col.units or col.foot):
                        continue
                    texts += self._column(col, frame, y0)
                    if marked(col):
                        paths += [mark_ops(m) for m in column_marks(col, frame, y0)]
        except _Missing:
            return None
        if page.rule_x_em is not None and page.note_columns:
            paths.append(rule_ops(frame.x0, y0 + page.rule_x_em * frame.s, frame.length))
        widths = {f: s.widths for f, s in self.shapers.items()}
        return TextPage(zlib.compress(_content(texts, paths, frame, widths), 6), self._glyphs(texts))

    def _glyphs(self, texts: list[_Text]) -> dict[str, Glyphs]:
        """Each glyph of the page once by face, with its width and its first non-empty text."""
        seen: dict[tuple[str, int], str] = {}
        for t in texts:
            face = t.face
            for gid, _, _, text in t.glyphs:
                if not seen.get((face, gid)):      # absent, or known only without text
                    seen[face, gid] = text
        faces: dict[str, tuple[list, list]] = {}
        for (face, gid), text in seen.items():
            faces.setdefault(face, ([], []))[0 if text else 1].append((gid, text))
        out = {}
        for face, (named, bare) in faces.items():
            width = self.shapers[face].widths
            gids = [g for g, _ in named] + [g for g, _ in bare]
            out[face] = (",".join(map(str, gids)), ",".join(_hex(t) for _, t in named),
                         ",".join(str(width[g]) for g in gids))
        return out

    # ------------------------------------------------------------ columns

    def _column(self, col: lt.Column, frame: Frame, y0: float) -> list[_Text]:
        """The column's glyph runs in text order: each note call right after its
        cell (a call drawn apart would be extracted out of place, §4).  Plain
        cells between calls, upright letters and 割注 are shaped as one run, as
        WeasyPrint shapes each of its text boxes; each glyph is placed from its
        unit's start (layout/positions.py)."""
        face = "bold" if col.role in lt.BOLD_ROLES else "upright"
        shaper = self.shapers[face]
        em = col.size * frame.s
        x0 = frame.x0
        runs = _Runs(face, y0 + col.x_em * frame.s + (ASCENT - 0.5) * em)
        spans = unit_spans(col)
        calls = _calls(col, spans)
        stretch: list[int] = []

        def flush():
            if stretch:
                runs.add(em, _stretch(spans, stretch, shaper, frame, em))
                stretch.clear()

        for cell in calls.get(-1, ()):
            runs.add(em / 2, _run(shaper, cell.text, CALL, x0 + col.indent_em * em, em / 2))
        for i, (u, a, b) in enumerate(spans):
            if u.kind == lt.UPRIGHT or u.kind == lt.WARICHU:
                flush()
                if u.kind == lt.UPRIGHT:    # ss18: the font's upright letter, one per cell
                    runs.add(em, _run(shaper, u.text, UPRIGHT, x0 + a * em, em))
                else:
                    runs.add(em / 2, _warichu(u, shaper, x0 + a * em, em))
            else:
                stretch.append(i)
            if i in calls:                  # at the end of the cell, zero advance (print.css .call)
                flush()
                for call in calls[i]:
                    runs.add(em / 2, _run(shaper, call.text, CALL, x0 + b * em, em / 2))
        flush()
        if col.foot:
            used = max((b for _, _, b in spans), default=col.indent_em)
            gap = frame.length / em - sum(u.width_em for u in col.foot) - used
            runs.add(em, _run(shaper, "".join(u.text for u in col.foot), PLAIN, x0 + (used + max(gap, 0)) * em, em))
        return runs.runs


def drawable(page: lt.Page) -> bool:
    """Only text, marks and the note rule (heads: stamped, see module doc)."""
    if page.figures or page.folio or page.running_head:
        return False
    return not any(c.table is not None or c.figure is not None or c.role == lt.FIGURE
                   for cols in (page.columns, page.note_columns) for c in cols)


def _calls(col: lt.Column, spans) -> dict[int, list[lt.Unit]]:
    """The note calls after each visible unit (by index into `spans`; -1: before any)."""
    if not any(u.kind == lt.CALL for u in col.units):
        return {}
    index = {id(u): i for i, (u, _, _) in enumerate(spans)}
    out: dict[int, list[lt.Unit]] = {}
    last = -1
    for u in col.units:
        if u.kind == lt.CALL:
            out.setdefault(last, []).append(u)
        else:       # a trailing space (not visible) keeps the call on the cell before it
            last = index.get(id(u), last)
    return out


def _stretch(spans, members: list[int], shaper: Shaper, frame: Frame, em: float) -> list:
    """Plain units shaped as one run (the font's contextual rules see them
    together, as Pango sees one text box), each glyph placed from its unit's
    start; a 1-em cell whose glyph is narrower (an en dash the face keeps
    Latin) has it centred, where WeasyPrint closed the gap and left the
    column short of its foot."""
    text: list[str] = []
    owner: list[int] = []            # index into spans of each character of the run
    sideways: list[tuple[int, int, bool]] = []
    for i in members:
        t = _cell_text(spans[i][0], frame)
        if spans[i][0].kind == lt.SIDEWAYS:
            sideways.append((len(owner), len(owner) + len(t), False))
        text.append(t)
        owner += [i] * len(t)
    joined = "".join(text)
    if not joined:
        return []
    # No tcy ligature (rlig) inside a sideways run: the layout measured its digits
    # one by one (…1911–45[M]: "45" lies sideways with the rest of the citation)
    features = {**PLAIN, "rlig": sideways} if sideways else PLAIN
    units: dict[int, list] = {}
    for g in shaper.shape(joined, features):
        if g[0] == 0:
            raise _Missing
        units.setdefault(owner[g[1]], []).append(g)
    out = []
    x0 = frame.x0
    for i, glyphs in units.items():
        u, x, _ = spans[i]
        if u.kind == lt.HAN:
            x += max(0.0, u.width_em - sum(g[2] for g in glyphs)) / 2
        for gid, _, advance, dx, dy, t in glyphs:
            out.append((gid, x0 + (x + dx) * em, dy * em, t))
            x += advance
    return out


def _cell_text(u: lt.Unit, frame: Frame) -> str:
    if u.kind == lt.BLANK:      # a fixed blank: its space character, where the face has it
        return BLANKS.get(u.width_em, "") if frame.blanks else ""
    return u.text + "-" if u.flags & lt.HYPHEN else u.text     # VT-12a: the hyphen at the column end


def _warichu(u: lt.Unit, shaper: Shaper, x: float, em: float) -> list:
    """割注 (VT-25): two half-size lines in the cell row, the first (P right)
    in the L-upper half, the second in the lower half; as column_html draws
    it, the second line's baseline 0.06 em below the body baseline (so the
    first one's 0.44 em above it), each line shaped alone from the cell start."""
    out = []
    for text, rise in ((u.text[:u.split], 0.44 * em), (u.text[u.split:], -0.06 * em)):
        out += [(gid, gx, dy + rise, t) for gid, gx, dy, t in _run(shaper, text, PLAIN, x, em / 2)]
    return out


def _run(shaper: Shaper, text: str, features: dict, x: float, size: float) -> list:
    """A run shaped on its own, its glyphs one after the other from `x`."""
    out = []
    for gid, _, advance, dx, dy, t in shaper.shape(text, features) if text else ():
        if gid == 0:
            raise _Missing
        out.append((gid, x + dx * size, dy * size, t))
        x += advance * size
    return out


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex()


# ------------------------------------------------------------ the content stream

def _content(texts: list[_Text], paths: list[str], frame: Frame, widths) -> bytes:
    """L's content as WeasyPrint's pages have it: y down from the trim box's
    top-left corner; text space flipped back upright."""
    # black as WeasyPrint writes it (finishing/colour.py converts it for gray and CMYK editions)
    ops = [f"1 0 0 -1 0 {num(frame.height)} cm\n0 0 0 rg 0 0 0 RG\nBT\n"]
    current = None
    for t in texts:
        if (t.face, t.size) != current:
            ops.append(f"{FACES[t.face]} {num(t.size)} Tf\n")
            current = (t.face, t.size)
        ops.append(_tj(t, widths[t.face]))
    ops.append("ET\n")
    ops += paths
    return "".join(ops).encode()


def _tj(t: _Text, width) -> str:
    """One `Tm` and one `TJ` per baseline run: after each glyph the pen has
    moved by its width; an adjustment (in 1000ths of an em: 0.01 pt at
    10.5 pt, never accumulated) brings it to the next glyph's place."""
    out: list[str] = []
    arr: list[str] = []
    pen = rise = None
    size = t.size
    k, back = 1000 / size, size / 1000
    for gid, x, dy, _ in t.glyphs:
        if pen is None or dy != rise:
            if arr:
                out.append("[" + "".join(arr) + "] TJ\n")
                arr = []
            out.append(f"1 0 0 -1 {num(x)} {num(t.baseline - dy)} Tm ")
            pen, rise = x, dy
        adj = round((pen - x) * k)
        if adj:
            arr.append(str(adj))
            pen -= adj * back
        arr.append("<%04x>" % gid)
        pen += width[gid] * back
    if arr:
        out.append("[" + "".join(arr) + "] TJ\n")
    return "".join(out)
