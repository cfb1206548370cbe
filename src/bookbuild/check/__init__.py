"""All integrity checks: pure functions Book -> [Diagnostic], one module per rule family."""
from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostic
from .assets import check_assets
from .figures import check_figures
from .glyphs import check_glyphs, file_chars
from .left_out import check_left_out
from .notes import check_notes
from .punctuation import check_punctuation, punctuation_of_texts
from .references import check_glossary, check_sources
from .reuse import CheckCache
from .simplified import check_simplified


def run_checks(book: m.Book, cache_dir: Path | None = None, reuse: CheckCache | None = None) -> list[Diagnostic]:
    """Every rule over `book`; the per-file rules (punctuation) and the glyph verdict
    answered from `reuse` when their inputs did not change (reuse.py)."""
    out: list[Diagnostic] = []
    out += check_notes(book)
    out += check_sources(book)
    out += check_glossary(book)
    out += check_punctuation(book, reuse)
    out += check_glyphs(book, cache_dir, reuse)
    out += check_simplified(book)
    # BB508/BB509/BB510 for images, the cover, url()s: a check rule, not only a build refusal
    out += check_assets(book)
    out += check_left_out(book)
    out += check_figures(book)
    return out


def check_texts(config, texts: dict[str, str], reuse: CheckCache) -> None:
    """The work of run_checks that reads only the raw texts (BB401/BB404, each file's
    characters for BB402), done ahead into `reuse`: load_book calls this while Pandoc
    runs, and run_checks then finds it there."""
    punctuation_of_texts(config, texts, reuse)
    for file, text in texts.items():
        if file != config.path:
            file_chars(file, text, reuse)


def check_fonts(config, texts: dict[str, str], reuse: CheckCache, root: Path, cache_dir: Path | None) -> None:
    """BB402/BB403's verdict from the raw texts and the fonts, done ahead into `reuse`
    as check_texts (after it: it reads the characters check_texts keeps); kept only
    when no character is missing, else run_checks looks at the book's texts."""
    check_glyphs(m.Book(root, config, [], {}, {}, {}, texts), cache_dir, reuse, ahead=True)
