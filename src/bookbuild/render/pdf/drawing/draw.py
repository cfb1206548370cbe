"""One page range through WeasyPrint: HTML → a PDF part, turned and retagged.

Every page's content is fixed before WeasyPrint sees it (one `<section>`
per page), so any page range can be drawn on its own, in a worker process
(pool.py).  WeasyPrint is imported only where pages are drawn: a rebuild
that takes every page from the page cache never loads it (≈ 0.4 s).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ....atomic import atomic_path
from ....capture import capture
from ..finishing import turn
from .fetch import about_refused, fetcher_class


@dataclass
class PartResult:
    path: Path
    pages: int
    notdef: list[str] = field(default_factory=list)   # WeasyPrint's .notdef warnings
    refused: list[str] = field(default_factory=list)  # URLs the fetcher refused
    refusals: list[tuple[str, str, str]] = field(default_factory=list)   # (url, code, reason)
    messages: list[str] = field(default_factory=list)  # WeasyPrint's other warnings and errors


def draw_range(html: str, base_url: str, roots: list[Path], out: Path, part: int | str,
               turn_pages: bool = True) -> PartResult:
    """Draw one HTML document, turn its pages (vertical editions), retag its
    subsets (tags seeded by `part`), write `out` (atomically: it may be a
    page-cache chunk that another build reads)."""
    # deferred: WeasyPrint (≈ 0.4 s) only where pages are drawn, never on a full page-cache hit
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = fetcher_class()(roots)
    # WeasyPrint's warnings (CSS it ignores, images it could not load, .notdef)
    # come back with the part, from a worker process too (capture.py).
    with capture() as logged:
        fonts = FontConfiguration()
        data = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            font_config=fonts, uncompressed_pdf=False)
    messages = [m.text for m in logged]
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    if turn_pages:
        turn.turn_pages(pdf)
    turn.retag_fonts(pdf, part)
    n = len(pdf.pages)
    with atomic_path(out) as tmp:
        pdf.save(tmp)
    notdef = [m for m in messages if ".notdef" in m]
    others = [m for m in messages if ".notdef" not in m and not about_refused(m, fetcher.refused)]
    return PartResult(out, n, notdef, fetcher.refused, fetcher.refusals, others)
