"""The vertical print PDF: layout → derived fonts → HTML → WeasyPrint → turn/merge.

    build(book, edition, out_dir, data, cache_dir, *, jobs=None, progress=None)
        -> list[Diagnostic]

writes, atomically, `out_dir/<edition>.pdf`, `<edition>.layout.json` and
`<edition>.log.json` (vertical-pdf-design.md §1).  Problems are diagnostics,
never tracebacks: BB601 when an output cannot be written, BB703 when
WeasyPrint drew a `.notdef`, BB402 when a character reaches the page that the
derived faces lack (Pango would silently fall back to another font, VT-28).
"""
from __future__ import annotations

import json
import os
import re
import signal
import tempfile
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Callable

from ...atomic import Staged, remove_stale
from ...config import EditionConfig
from ...diagnostics import Diagnostic, cannot_write, to_json_obj
from ...model import Book
from ...transform.build_data import BuildData
from . import layout_types as lt
from .draw import book_css, font_css, geometry_css
from .html import Faces, Frame, page_html, unit_spans, wrap_pages
from .messages import part_diagnostics

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    pass


def build(book: Book, ed: EditionConfig, out_dir: Path, data: BuildData, cache_dir: Path, *,
          jobs: int | None = None, progress: Progress | None = None) -> list[Diagnostic]:
    """Build one pdf edition of `book`; returns its diagnostics (BB4xx/6xx/7xx)."""
    progress = progress or _noop
    out_dir, cache_dir = Path(out_dir), Path(cache_dir)
    edition = ed.name
    targets = [out_dir / f"{edition}{ext}" for ext in (".pdf", ".layout.json", ".log.json")]
    bad = _unwritable(out_dir, targets)
    if bad:
        return bad
    from .draw import Workers

    workers = Workers(jobs)     # forked now: they import WeasyPrint while the book is laid out
    try:
        return _build(book, ed, data, targets, cache_dir, jobs, progress, workers)
    finally:
        workers.close()
        # a worker terminated while writing a chunk leaves its temporary file
        remove_stale(cache_dir / "pages" / edition)


def _build(book: Book, ed, data: BuildData, targets: list[Path], cache_dir: Path, jobs, progress,
           workers) -> list[Diagnostic]:
    from .layout import layout_book   # the layout engine (another module's owner)

    progress("layout", 0, 1)
    result, diags = layout_book(book, ed, data)
    diags = list(diags)
    progress("layout", 1, 1)
    if result is None or any(d.severity == "error" for d in diags):
        return diags

    progress("fonts", 0, 1)
    fonts, d = _fonts(result, ed, cache_dir, book)
    diags += d
    progress("fonts", 1, 1)
    if fonts is None:
        return diags

    diags += _render(book, ed, result, fonts, targets, cache_dir, jobs, progress, diags, workers)
    return diags


def _unwritable(out_dir: Path, targets: list[Path]) -> list[Diagnostic]:
    """BB601 before any work when the output folder cannot take our files."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".bookbuild-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return [cannot_write(out_dir, e)]
    return [cannot_write(t, "is a directory") for t in targets if t.is_dir()]


# ------------------------------------------------------------ fonts

def _fonts(result: lt.LayoutResult, ed, cache_dir: Path, book: Book):
    """Derived faces for every character that reaches the page (VT-28)."""
    from ...fonts import FontNotFound
    from .font import build_derived_fonts

    chars, bold, tcy, calls = page_chars(result.pages)
    blanks = _blank_chars(result.pages)
    # The horizontal face draws only folios and running heads (a third of the
    # font build when it held every character of the book).
    heads = {ch for p in result.pages for ch in (p.folio or "") + (p.running_head or "")}
    try:
        fonts = build_derived_fonts(chars | bold | blanks, tcy, ed.font, cache_dir / "fonts",
                                    call_numbers=calls, bold_chars=bold, horizontal_chars=heads,
                                    vertical=ed.vertical)
    except FontNotFound as e:
        return None, [Diagnostic("BB402", f"font {ed.font!r} is not installed: {e}", book.config.path,
                                 1, 1, "install the font or set the edition's font to an installed family")]
    diags = []
    for ch in sorted(fonts.missing - blanks):     # a missing blank is drawn as a margin
        pos = _find_pos(result.pages, ch)
        # text bookbuild generates (目次, 第一章, the colophon's labels) has no
        # source: point at the edition's font, the thing to change
        file, line, col = (pos.file, pos.line, pos.col) if pos else (book.config.path, *_font_key(book, ed))
        diags.append(Diagnostic("BB402", f"character {ch!r} (U+{ord(ch):04X}) is not in the font {ed.font!r}",
                                file, line, col, "replace the character or choose a font that has it"))
    return fonts, diags


def _font_key(book: Book, ed) -> tuple[int, int]:
    """Line and column of the edition's `font =` in book.toml (else its table header)."""
    from ...config import _KeyIndex
    return _KeyIndex(book.texts.get(book.config.path, "")).key(f"editions.{ed.name}", "font")


# ------------------------------------------------------------ drawing

def _book_styles(book: Book, ed) -> list[str]:
    """The book's styles/all.css and styles/<edition>.css, as written."""
    paths = [book.root / "styles" / name for name in ("all.css", f"{ed.name}.css")]
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file()]


def _css(book: Book, ed, frame: Frame, faces: Faces, urls: dict[str, str]) -> str:
    base = (resources.files("bookbuild") / "data" / "styles" / "print.css").read_text(encoding="utf-8")
    own = [base, geometry_css(frame, faces, ed.crop_marks)] + [book_css(t) for t in _book_styles(book, ed)]
    # @font-face first: the faces must be known before any rule uses them.
    return font_css(faces, urls) + "\n" + "\n".join(own)


def _render(book, ed, result: lt.LayoutResult, fonts, targets, cache_dir, jobs, progress,
            earlier: list[Diagnostic] = (), workers=None) -> list[Diagnostic]:
    """Draw, merge, write; the log gets the layout's BB7xx (`earlier`) and the drawing's."""
    from . import pagecache
    from .layout_json import layout_json
    from .stamp import Heads

    frame = replace(Frame.of(ed), blanks=not (_blank_chars(result.pages) & fonts.missing))
    faces = Faces(fonts.upright_family, fonts.horizontal_family, fonts.bold_family)
    urls = {fonts.upright_family: fonts.upright.as_uri(), fonts.horizontal_family: fonts.horizontal.as_uri(),
            fonts.bold_family: fonts.bold.as_uri()}
    css = _css(book, ed, frame, faces, urls)
    heads = Heads(ed, fonts, result.pages, "".join(_book_styles(book, ed)))
    htmls = [page_html(heads.unstamped(p), frame, ed, result.geometry) for p in result.pages]
    base_url = book.root.resolve().as_uri() + "/"
    identity = pagecache.font_identity(ed.font, ed.vertical, cache_dir / "fonts")
    job = dict(context=pagecache.context_key(css, identity, ed.vertical, base_url),
               fonts={f: str(p) for f, p in ((faces.upright, fonts.upright),
                                             (faces.horizontal, fonts.horizontal), (faces.bold, fonts.bold))},
               base_url=base_url, jobs=jobs, progress=progress, turned=ed.vertical, extra_glyphs=heads.extra,
               workers=workers,
               roots=[book.root, Path(str(resources.files("bookbuild") / "data")), cache_dir])
    pdf_path, layout_path, log_path = targets
    diags: list[Diagnostic] = []
    try:
        # The three files are renamed into place together, after all are
        # written: an interrupt or an error before that keeps the previous set.
        with Staged() as staged:
            # layout.json (~14 MB of JSON for the stress book) is written by a
            # child process while this one draws and merges.
            finish_layout = _in_background(lambda tmp: tmp.write_text(
                json.dumps(layout_json(result, ed), ensure_ascii=False), encoding="utf-8"),
                staged.path(layout_path))
            try:
                with pagecache.locked(cache_dir / "pages" / ed.name) as folder:
                    _draw(htmls, ed, css, folder, job, book, result, frame, faces, heads,
                          staged.path(pdf_path), diags, workers)
                progress("merge", 1, 1)
            except BaseException:
                finish_layout(False)
                raise
            finish_layout(True)
            warnings = sorted((d for d in list(earlier) + diags if d.code.startswith("BB7")),
                              key=Diagnostic.sort_key)
            log = to_json_obj(warnings, book.root)
            staged.path(log_path).write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    except _Rejected as r:
        return diags + r.diags
    except OSError as e:
        return diags + [cannot_write(Path(e.filename) if e.filename else pdf_path, e)]
    return diags


def _draw(htmls, ed, css, folder, job, book, result, frame, faces, heads, pdf_tmp: Path,
          diags: list[Diagnostic], workers) -> None:
    """Draw the new pages, merge, write the PDF to pdf_tmp; the drawing's BB703 go to `diags`."""
    from . import pagecache

    try:
        drawn = pagecache.draw_book(htmls, lambda a, b: wrap_pages(htmls[a:b], ed, css), folder=folder, **job)
    except BaseException:
        if workers is not None:
            workers.close()     # before `locked` may remove a temporary folder they write in
        raise
    try:
        diags += _notdef(drawn.parts, result.pages, book)
        diags += part_diagnostics(drawn.parts, book, ed.name, job["base_url"])   # WeasyPrint's messages, refusals
        _finish_pdf(drawn, book, ed, result.pages, frame, faces, heads, pdf_tmp)
    finally:
        drawn.close()
        drawn.cache.save(set(drawn.keys))


def _finish_pdf(drawn, book, ed, pages, frame: Frame, faces: Faces, heads, pdf_tmp: Path) -> None:
    """Heads, font check, catalog, links; then write the PDF (to its staged temporary file)."""
    from . import turn
    from .subsets import font_problems

    pdf = drawn.pdf
    heads.stamp(pdf, drawn.fonts, frame)
    problems = font_problems(pdf, {faces.upright, faces.horizontal, faces.bold})
    if problems:
        # Keep the previous good PDF: a fallback font is a wrong book.
        raise _Rejected([Diagnostic("BB402", p, book.config.path, *_font_key(book, ed),
                                    "a character reached the page that the derived faces lack")
                         for p in problems])
    turn.finish_catalog(pdf, _docinfo(book, ed), _outline(pages))
    turn.add_links(pdf, _links(pages, frame))
    turn.save(pdf, pdf_tmp)


def _in_background(write: Callable[[Path], None], tmp: Path) -> Callable[[bool], None]:
    """Run write(tmp) in a forked child.  The returned finish(keep) waits for
    it; with keep, the parent writes tmp itself when the child failed (or
    there is no fork); without, the child is ended first.  The child also
    ends with the parent (even after a SIGKILL)."""
    from .draw import child_signals     # imported before the fork, never in the child

    pid = os.fork() if hasattr(os, "fork") else -1
    if pid == 0:                                   # the child: write, then leave at once
        code = 1
        try:
            child_signals()
            write(tmp)
            code = 0
        finally:
            os._exit(code)

    def finish(keep: bool) -> None:
        if pid > 0 and not keep:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        ok = pid > 0 and os.waitpid(pid, 0)[1] == 0
        if keep and not ok:
            write(tmp)
    return finish


class _Rejected(Exception):
    def __init__(self, diags):
        super().__init__("rejected")
        self.diags = diags


# WeasyPrint: '.notdef glyph rendered for Unicode string unsupported by fonts: "x" (U+0078)'
_NOTDEF = re.compile(r"\(U\+([0-9A-Fa-f]{4,6})\)\s*$")


def _notdef(parts, pages: list[lt.Page], book: Book) -> list[Diagnostic]:
    """BB703 for each .notdef WeasyPrint logged, at the first unit holding the text."""
    seen, out = set(), []
    for part in parts:
        for msg in part.notdef:
            m = _NOTDEF.search(msg)
            text = chr(int(m.group(1), 16)) if m else msg.rsplit(":", 1)[-1].strip()
            if text in seen:
                continue
            seen.add(text)
            pos = _find_pos(pages, text)
            file, line, col = (pos.file, pos.line, pos.col) if pos else (book.config.path, 1, 1)
            out.append(Diagnostic("BB703", f"glyph drawn as .notdef for {text!r} (U+{ord(text[0]):04X})",
                                  file, line, col,
                                  "the derived font lacks this character; replace it or change the font"))
    return out


def _find_pos(pages: list[lt.Page], text: str):
    for page in pages:
        for col in page.columns + page.note_columns:
            for u in col.units:
                if u.src is not None and any(ch in u.text for ch in text):
                    return u.src
    return None


# ------------------------------------------------------------ catalog

def _docinfo(book: Book, ed):
    from .turn import DocInfo
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    cfg = book.config
    return DocInfo(cfg.title, tuple(cfg.authors), ed.language, subject=cfg.subtitle,
                   publisher=cfg.publisher, epoch=int(epoch) if epoch.isdigit() else None,
                   direction="R2L" if ed.vertical else "L2R")


def _links(pages: list[lt.Page], frame: Frame):
    """目次 entries → the page with that folio; calls and 見第N章注M → the note's page."""
    from .turn import Link

    by_folio: dict[str, int] = {}
    by_note: dict[str, int] = {}
    for i, p in enumerate(pages):
        if p.folio:
            by_folio.setdefault(p.folio, i)
        for c in p.columns + p.note_columns:
            if c.note_id:
                by_note.setdefault(c.note_id, i)
        for nid in p.notes_started:
            by_note.setdefault(nid, i)
    out = []
    for i, p in enumerate(pages):
        for rect, kind, key in _link_areas(p, frame.at(p)):
            target = (by_folio if kind == "folio" else by_note).get(key)
            if target is not None:
                out.append(Link(i, rect, target))
    return out


def _rect_p(frame: Frame, y0: float, col: lt.Column, a: float, b: float) -> tuple[float, float, float, float]:
    """Cells [a, b) (column em) of a column as a P-frame PDF rectangle (y up)."""
    em = col.size * frame.s
    yc = y0 + col.x_em * frame.s
    xl0, xl1 = frame.x0 + a * em, frame.x0 + b * em
    # L (x, y-down) → P top-down (height − y, x) → PDF y-up (height − y, width − x),
    # all shifted by the bleed WeasyPrint puts around the trimmed page.
    b = frame.bleed
    if frame.horizontal:    # drawn on P itself: only y flips
        return (xl0, frame.height - (yc + em / 2), xl1, frame.height - (yc - em / 2))
    return (b + frame.height - (yc + em / 2), b + frame.width - xl1,
            b + frame.height - (yc - em / 2), b + frame.width - xl0)


def _link_areas(page: lt.Page, frame: Frame) -> list[tuple[tuple, str, str]]:
    """(rect, kind, key) of what should link: a 目次 entry (key = the folio it
    names), a cross reference 見第N章注M (key = note id), a note call."""
    y0 = frame.top(page)
    out = []
    for col in page.columns + page.note_columns:
        if not (col.role == lt.TOC_ENTRY and col.foot) and \
                not any(u.kind == lt.CALL or u.flags & lt.LINK for u in col.units):
            continue    # nothing links from here: skip the positions (16,000 columns in a book)
        spans = unit_spans(col)
        if col.role == lt.TOC_ENTRY and col.foot and spans:
            out.append((_rect_p(frame, y0, col, spans[0][1], frame.length / (col.size * frame.s)),
                        "folio", "".join(u.text for u in col.foot)))
        link_spans = [(a, b, u.note_id) for u, a, b in spans if u.flags & lt.LINK and u.note_id]
        if link_spans:
            a, b = link_spans[0][0], link_spans[-1][1]
            out.append((_rect_p(frame, y0, col, a, b), "note", link_spans[0][2]))
        prev = None
        for u in col.units:
            if u.kind == lt.CALL and u.note_id and prev is not None:
                a, b = next(((s, e) for v, s, e in spans if v is prev), (0.0, 0.0))
                out.append((_rect_p(frame, y0, col, a, b), "note", u.note_id))
            elif u.kind != lt.CALL:
                prev = u
    return out


def _outline(pages: list[lt.Page]):
    from .turn import OutlineEntry
    return [OutlineEntry(o.title, i, o.level) for i, p in enumerate(pages) for o in p.outline]


# ------------------------------------------------------------ layout data

def _blank_chars(pages: list[lt.Page]) -> set[str]:
    """Space characters html.py draws fixed blanks with (html.BLANKS)."""
    from .html import BLANKS
    return {BLANKS[u.width_em] for p in pages for c in p.note_columns + p.columns
            for u in c.units if u.kind == lt.BLANK and u.width_em in BLANKS}


def page_chars(pages: list[lt.Page]):
    """(upright chars, bold chars, tcy runs, call numbers).

    Everything that reaches the page: text, notes, generated text, heads and
    folios; a character missing here would be drawn by a fallback font.
    """
    from .html import _BOLD_ROLES

    chars, bold, tcy, calls = set(), set(), set(), set()
    for page in pages:
        chars.update(page.folio or "", page.running_head or "")
        for col in page.columns + page.note_columns:
            units = col.units + col.foot + ([col.hanging] if col.hanging else [])
            (bold if col.role in _BOLD_ROLES else chars).update("".join(u.text for u in units))
            for u in units:
                if u.kind == lt.TCY:
                    tcy.add(u.text)
                elif u.kind == lt.CALL and u.text.isdigit() and len(u.text) <= 3:
                    calls.add(u.text)
    return chars, bold, tcy, calls
