"""Turn landscape pages into portrait reading pages, merge parts, fix the catalog.

WeasyPrint cannot set vertical text, so every page is laid out on a
landscape page (L) and turned here 90° clockwise into the portrait reading
page (P), see vertical-pdf-design.md §7.  The turn is baked into the
content stream (`q 0 -1 1 0 0 W cm … Q`): a point (x, y) of L lands at
(y, W − x) in P, W being the landscape width.  So the L top edge becomes
the P right edge and an L line, read left to right, becomes a P column read
top to bottom.  No `/Rotate` is ever written (VT-29).
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
_TAG = re.compile(r"^([A-Z]{6})\+(.*)$")


# ------------------------------------------------------------------ turn

class _Turn:
    """(x, y) of L → (y − y0, x1 − x) of P, for the L media box [x0 y0 x1 y1].

    WeasyPrint puts the media box origin at (−bleed, −bleed); the turned page
    gets its media box at the origin: [0 0 (y1 − y0) (x1 − x0)].
    """

    def __init__(self, mbox):
        x0, y0, x1, y1 = (float(v) for v in mbox)
        self.x1, self.y0 = x1, y0

    def point(self, x: float, y: float) -> tuple[float, float]:
        return y - self.y0, self.x1 - x

    def rect(self, rect) -> Array:
        x1, y1, x2, y2 = (float(v) for v in rect)
        (a, b), (c, d) = self.point(x1, y1), self.point(x2, y2)
        return Array([min(a, c), min(b, d), max(a, c), max(b, d)])

    def dest(self, dest) -> None:
        """Map an explicit destination [page /XYZ left top zoom] in place."""
        if isinstance(dest, Array) and len(dest) >= 4 and dest[1] == Name.XYZ:
            try:
                x, y = float(dest[2]), float(dest[3])
            except (TypeError, ValueError):   # null: "keep the current value"
                return
            dest[2], dest[3] = self.point(x, y)

    def cm(self) -> bytes:
        # x' = y − y0, y' = −x + x1
        return f"q 0 -1 1 0 {-self.y0:.4f} {self.x1:.4f} cm\n".encode()


def turn_page(pdf: Pdf, page: pikepdf.Page) -> None:
    """Turn one landscape page 90° clockwise, in place."""
    t = _Turn(page.obj.MediaBox)
    # Why prepend/append separate streams: the original stream stays
    # untouched (and compressed); q/Q isolate our matrix from its state.
    page.contents_add(pikepdf.Stream(pdf, t.cm()), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
    for box in _BOXES:
        if box in page.obj:
            page.obj[box] = t.rect(page.obj[box])
    if "/Rotate" in page.obj:
        del page.obj["/Rotate"]
    for annot in page.obj.get("/Annots", []):
        if "/Rect" in annot:
            annot.Rect = t.rect(annot.Rect)
        if "/QuadPoints" in annot:
            q = [float(v) for v in annot.QuadPoints]
            pts = [t.point(q[i], q[i + 1]) for i in range(0, len(q), 2)]
            annot.QuadPoints = Array([c for p in pts for c in p])
        if "/Dest" in annot:
            t.dest(annot.Dest)


def turn_pages(pdf: Pdf) -> None:
    for page in pdf.pages:
        turn_page(pdf, page)


# ------------------------------------------------------------- subsets

def retag_fonts(pdf: Pdf, part: int | str) -> int:
    """Give every font subset of this part a tag of its own; return the count.

    WeasyPrint derives the tag from the font description, so the parts of a
    parallel render would share one tag for different subsets after the
    merge; ISO 32000-1 §9.6.4 requires distinct tags.
    """
    renamed: dict[str, str] = {}
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            if key not in obj or not isinstance(obj[key], Name):
                continue
            name = str(obj[key])[1:]
            m = _TAG.match(name)
            if not m:
                continue
            if name not in renamed:
                renamed[name] = _new_tag(m.group(1), part) + "+" + m.group(2)
            obj[key] = Name("/" + renamed[name])
    return len(renamed)


def _new_tag(old: str, part: int | str) -> str:
    digest = hashlib.md5(f"{part}:{old}".encode(), usedforsecurity=False).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def merge_pages(pages: list[tuple[Path, int]]) -> tuple[Pdf, list[Pdf]]:
    """A new PDF of the given (file, page index) pages, in order (page cache:
    pages come from the chunks of several builds); returns (merged, sources to
    close after saving).  A page used twice (blank pages) is copied twice."""
    out = Pdf.new()
    opened: dict[Path, Pdf] = {}
    for path, i in pages:
        src = opened.get(path)
        if src is None:
            src = opened[path] = Pdf.open(path)
        out.pages.append(src.pages[i])
    return out, list(opened.values())


def merge_parts(paths: list[Path]) -> tuple[Pdf, list[Pdf]]:
    """Concatenate turned part files; returns (merged, sources to close after saving)."""
    out = Pdf.new()
    sources = []
    for i, path in enumerate(paths):
        src = Pdf.open(path)
        sources.append(src)
        out.pages.extend(src.pages)
    return out, sources


# ------------------------------------------------------------- catalog

@dataclass(frozen=True, slots=True)
class OutlineEntry:
    title: str
    page: int      # 0-based page index in the merged document
    level: int = 1


@dataclass(frozen=True, slots=True)
class DocInfo:
    title: str
    authors: tuple[str, ...]
    language: str
    subject: str = ""
    publisher: str = ""
    epoch: int | None = None   # SOURCE_DATE_EPOCH; None = now
    direction: str = "R2L"     # /ViewerPreferences /Direction: L2R for a horizontal edition


def pdf_date(epoch: int | None) -> str:
    t = time.gmtime(epoch if epoch is not None else time.time())
    return time.strftime("D:%Y%m%d%H%M%SZ", t)


def finish_catalog(pdf: Pdf, info: DocInfo, outline: list[OutlineEntry]) -> None:
    """/Lang, /ViewerPreferences /Direction (merged), outline, document info."""
    root = pdf.Root
    root.Lang = String(info.language)
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        prefs = Dictionary()
    prefs.Direction = Name("/" + info.direction)
    prefs.DisplayDocTitle = True
    root.ViewerPreferences = prefs
    _write_outline(pdf, outline)
    date = pdf_date(info.epoch)
    pdf.docinfo = pdf.make_indirect(Dictionary(
        Title=String(info.title), Author=String("、".join(info.authors)),
        Creator=String("bookbuild"), Producer=String("bookbuild (WeasyPrint, pikepdf)"),
        CreationDate=String(date), ModDate=String(date)))
    if info.subject:
        pdf.docinfo.Subject = String(info.subject)


def _write_outline(pdf: Pdf, entries: list[OutlineEntry]) -> None:
    """Nest entries by level; each points at its page (fit to the window), all
    open.  Written as plain dictionaries: pikepdf's outline helper took 0.3 s
    for the stress book's 262 entries."""
    if not entries:
        return
    pages = [p.obj for p in pdf.pages]
    tree: list = []                              # [(item, children)]
    stack: list[tuple[int, list]] = [(0, tree)]
    for e in entries:
        item = pdf.make_indirect(Dictionary(Title=String(e.title), Dest=Array([pages[e.page], Name.Fit])))
        while stack[-1][0] >= e.level:
            stack.pop()
        node = (item, [])
        stack[-1][1].append(node)
        stack.append((e.level, node[1]))
    root = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    root.Count = _link_outline(root, tree)
    pdf.Root.Outlines = root
    pdf.Root.PageMode = Name.UseOutlines


def _link_outline(parent: Dictionary, kids: list) -> int:
    """Parent/Prev/Next/First/Last of one level; returns the items shown under parent."""
    parent.First, parent.Last = kids[0][0], kids[-1][0]
    shown = 0
    for i, (item, sub) in enumerate(kids):
        item.Parent = parent
        if i:
            item.Prev = kids[i - 1][0]
        if i + 1 < len(kids):
            item.Next = kids[i + 1][0]
        if sub:
            item.Count = _link_outline(item, sub)
            shown += item.Count
        shown += 1
    return shown


def save(pdf: Pdf, target: Path) -> None:
    """Deterministic /ID so that equal input gives byte-identical output.

    QPDF writes into memory and Python writes the file: a write error inside
    QPDF's own file output (a full disk) aborts the process ("terminate called
    after throwing QPDFSystemError"), where Python's is an OSError (BB601)."""
    import io
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with open(target, "wb") as f:
        f.write(buf.getbuffer())


# ------------------------------------------------------------- links

@dataclass(frozen=True, slots=True)
class Link:
    page: int                                   # 0-based page holding the link
    rect: tuple[float, float, float, float]     # P frame, PDF user space (y up)
    target: int                                 # 0-based destination page


def add_links(pdf: Pdf, links: list[Link]) -> None:
    """Link annotations over the whole merged document (targets may lie in
    another part, so WeasyPrint cannot make them)."""
    objs = [p.obj for p in pdf.pages]     # one lookup per page, not per link
    by_page: dict[int, list] = {}
    for link in links:
        if not (0 <= link.page < len(objs) and 0 <= link.target < len(objs)):
            continue
        by_page.setdefault(link.page, []).append(pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([round(v, 3) for v in link.rect]),
            Border=Array([0, 0, 0]), Dest=Array([objs[link.target], Name.Fit]))))
    for i, annots in by_page.items():
        page = objs[i]
        if "/Annots" in page:
            page.Annots.extend(annots)
        else:
            page.Annots = Array(annots)
