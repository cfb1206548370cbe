"""All integrity checks: pure functions Book -> [Diagnostic], one module per rule family."""
from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostic
from .assets import check_assets
from .figures import check_figures
from .glyphs import check_glyphs
from .left_out import check_left_out
from .notes import check_notes
from .punctuation import check_punctuation
from .references import check_glossary, check_sources
from .simplified import check_simplified


def run_checks(book: m.Book, cache_dir: Path | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += check_notes(book)
    out += check_sources(book)
    out += check_glossary(book)
    out += check_punctuation(book)
    out += check_glyphs(book, cache_dir)
    out += check_simplified(book)
    # BB508/BB509/BB510 for images, the cover, url()s: a check rule, not only a build refusal
    out += check_assets(book)
    out += check_left_out(book)
    out += check_figures(book)
    return out
