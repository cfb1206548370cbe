"""The print cover: back, spine and front (and flaps) of a pdf edition on one sheet.

    build(book, edition, out_dir, data, cache_dir, *, jobs=None, progress=None)
        -> list[Diagnostic]

writes, atomically, `out_dir/<edition>.pdf` and `<edition>.log.json`.  The
spine is as wide as the interior's printed pages ÷ 2 × the paper's caliper
(papers.py); the interior's PDF, built earlier in the same build
(commands/build.py orders it first), gives the page count after any padding.
The page is one WeasyPrint page (html.py) with the derived faces of the
interior's engine, so the spine and a vertical front are set upright like
the book's own columns; `press.finish` then gives it the boxes and the
press settings (PDF/X, colour) the interior gets.
"""
from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path

import pikepdf

from ...atomic import Staged
from ...diagnostics import Diagnostic, cannot_write, to_json_obj
from ...model import Book
from ..pdf.drawing.draw import draw_range
from ..pdf.drawing.messages import part_diagnostics
from ..pdf.finishing.docinfo import doc_info, finish_catalog
from ..pdf.finishing.merge import save
from ..pdf.finishing.press import save_options
from ..pdf.fonts.charset import fallback_fonts
from ..pdf.fonts.derived import derived_dir
from . import press
from .html import page_html
from .setup import CoverSetup, prepare


def build(book: Book, ed, out_dir: Path, data, cache_dir: Path, *, jobs: int | None = None,
          progress=None) -> list[Diagnostic]:
    """Build one cover edition; nothing (and no diagnostic of its own) when its
    interior was not built: the interior's errors say why."""
    out_dir, cache_dir = Path(out_dir), Path(cache_dir)
    pages = interior_pages(out_dir / book.config.edition(ed.interior).output_file)
    if pages is None:
        return []
    setup, diags = prepare(book, ed, pages, cache_dir)
    if setup is None:
        return diags
    pdf_path, log_path = out_dir / ed.output_file, out_dir / f"{ed.name}.log.json"
    html = page_html(setup.text, setup.geo, setup.fonts, setup.vertical, setup.image_url,
                     extra_css=setup.extra_css)
    run = press.press_run(book, ed, setup.fonts, pdf_path)
    try:
        with Staged() as staged, tempfile.TemporaryDirectory(dir=_mkdir(cache_dir)) as tmp:
            pdf, part_diags = draw_cover(html, book, ed, cache_dir, Path(tmp) / "cover.pdf")
            diags += part_diags
            pdf_tmp = staged.path(pdf_path)
            with pdf:
                rejected = fallback_fonts(pdf, setup.fonts, book, ed)
                if rejected:
                    staged.discard()
                    return diags + rejected
                _finish(pdf, book, ed, setup)
                press.finish(pdf, run, setup.geo)
                save(pdf, pdf_tmp, **save_options(run.settings))
            diags += run.preflight(pdf_tmp)
            log = sorted((d for d in diags if d.severity == "warning" or d.code.startswith("BB8")),
                         key=Diagnostic.sort_key)
            report = {**to_json_obj(log, book.root), "press": run.report(), "cover": _report(setup)}
            staged.path(log_path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    except OSError as e:
        return diags + [cannot_write(Path(e.filename) if e.filename else pdf_path, e)]
    return diags


def interior_pages(path: Path) -> int | None:
    """The printed pages of the interior PDF (padding included), None without one."""
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (OSError, pikepdf.PdfError):
        return None


def draw_cover(html: str, book: Book, ed, cache_dir: Path, out: Path) -> tuple[pikepdf.Pdf, list[Diagnostic]]:
    """WeasyPrint draws the page (the interior's fetcher and roots); the PDF, open, and its BB5xx/BB604."""
    base_url = book.root.resolve().as_uri() + "/"
    roots = [book.root, Path(str(resources.files("bookbuild") / "data")), cache_dir, derived_dir(cache_dir)]
    part = draw_range(html, base_url, roots, out, f"cover-{ed.name}", turn_pages=False)
    return pikepdf.open(out), part_diagnostics([part], book, ed.name, base_url)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _finish(pdf: pikepdf.Pdf, book: Book, ed, setup: CoverSetup) -> None:
    """TrimBox = the trimmed spread (the press step adds the BleedBox and marks around it), metadata."""
    mm = 72 / 25.4
    # WeasyPrint's page box: the trim at the origin, the bleed around it
    pdf.pages[0].obj.TrimBox = pikepdf.Array([0, 0, setup.geo.width * mm, setup.geo.trim_h * mm])
    finish_catalog(pdf, doc_info(book, ed), [])
    # WeasyPrint's /ID holds the time of the drawing: without it, save() derives
    # both halves from the content (same book, same bytes)
    if "/ID" in pdf.trailer:
        del pdf.trailer.ID


def _report(setup: CoverSetup) -> dict:
    """log.json's "cover" entry: the numbers the spine came from."""
    g = setup.geo
    return {"interior_pages": g.pages, "caliper_mm": g.caliper, "spine_mm": round(g.spine, 3),
            "width_mm": round(g.width, 3), "sheet_mm": [round(v, 3) for v in g.sheet],
            "front": "left" if g.right_bound else "right"}
