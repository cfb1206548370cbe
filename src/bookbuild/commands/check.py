"""`bookbuild check PATH...`: find each path's book, load it, run every check.

Also the first steps of every command that reads a book's content (build,
proof, serve through build, diff): `load_prepared` loads the book and turns
its body citations into generated notes; `check_book` checks that book (cached).
"""
from __future__ import annotations

import json
import sys
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import cache
from .. import model as m
from ..booktoml import NoBook, book_root_for, find_book_toml
from ..check import check_fonts, check_texts, run_checks
from ..check.glyphs import fallback_report
from ..check.reuse import CheckCache
from ..diagnostics import Diagnostic, exit_status, format_report
from ..fontchain import DEFAULT_FALLBACK
from ..fonts import FontNotFound, find_font
from ..load import declared_editions, load_book
from ..transform.notes import with_citation_notes


def load_prepared(root: Path, meanwhile=None) -> tuple[m.Book | None, list[Diagnostic]]:
    """(book, load diagnostics): the book as every check and renderer takes it,
    each body citation moved into a generated note (so the BB1xx checks, the note
    numbering and citeproc see it as a note).  Tests that load a book to render
    it use this too.  `meanwhile(config, texts)`: see load_book."""
    book, diags = load_book(root, meanwhile)
    return (with_citation_notes(book) if book is not None else None), diags


def check_book(root: Path, need_book: bool = True, on_load=None):
    """(diagnostics, book or None) for one book folder; answered from the cache when
    nothing changed.  With need_book=False the book is not unpickled (returns None).
    `on_load(book)`, when the book is loaded rather than read from the cache, is
    called before it is checked (a build starts citeproc there, commands/build.py)."""
    cache_dir = root / ".bookbuild" / "cache"
    with ThreadPoolExecutor(1) as pool:
        if cache.has_results(cache_dir):
            key = cache.book_key(root, _font_files(root))
            diags = cache.load(cache_dir, key, "diags")
            if diags is not None:
                book = cache.load(cache_dir, key, "book") if need_book else None
                if book is not None or not need_book:
                    return diags, book
        else:
            # Nothing kept (a cold check): the key only files this result, so it is made
            # while the book loads (fontconfig's fc-match runs, 6 × 15-30 ms, overlap the load)
            key = pool.submit(lambda: cache.book_key(root, _font_files(root)))
        reuse = CheckCache(cache_dir)

        def meanwhile(config, texts):
            """While Pandoc parses: the rules that read only the raw texts, then the fonts'
            verdict, once the key's fc-match answers are kept (the verdict asks the same)."""
            check_texts(config, texts, reuse)
            if not isinstance(key, str):
                futures.wait([key])
            check_fonts(config, texts, reuse, root, cache_dir)
        book, diags = load_prepared(root, meanwhile)
        key = key if isinstance(key, str) else key.result()
    if book is not None and on_load is not None:
        on_load(book)
    if book is not None:
        diags = diags + _without_cascades(diags, run_checks(book, cache_dir, reuse))
        reuse.save()
    # pickling the model costs more than a cold check saves; only builds keep it
    cache.store(cache_dir, key, {"diags": diags, "book": book} if need_book else {"diags": diags})
    return diags, book


def _json_report(diags, root: Path, book: m.Book | None) -> str:
    """The json report plus `fallback_fonts`: per edition, the characters each
    fallback font of its chain supplies (docs/FORMAT.md)."""
    obj = json.loads(format_report(diags, "json", root))
    if book is not None:
        obj["fallback_fonts"] = fallback_report(book, root / ".bookbuild" / "cache")
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _font_files(root: Path) -> list[str]:
    """The font files the editions would use, fallbacks included (a font update
    invalidates BB402 results)."""
    families, out = set(), []
    for e in declared_editions(root).values():
        families.add(e.get("font", "Noto Serif CJK TC"))
        chain = e.get("font_fallback", DEFAULT_FALLBACK)
        families.update(chain if isinstance(chain, (list, tuple)) else ())
        out.append(repr(chain))   # the chain's order decides where a character comes from
    for fam in sorted(f for f in families if isinstance(f, str)):
        try:
            # memo under the cache: six chain fonts would be six fc-match runs per check
            ref = find_font(fam, cache_dir=root / ".bookbuild" / "cache")
            out.append(f"{fam}:{ref.path}:{ref.index}:{ref.path.stat().st_mtime_ns}")
        except (FontNotFound, OSError):
            out.append(f"{fam}:missing")
    return out


# When a file could not be read, checks that need the whole book would
# report everything that file held as missing or unused: drop those.
_CASCADES = {"sources.yaml": {"BB201", "BB202"}, "glossary.yaml": {"BB301", "BB302"}}
_UNREADABLE = {"BB501", "BB503", "BB504", "BB508", "BB510"}


def _without_cascades(load_diags, check_diags):
    dropped: set[str] = set()
    for d in load_diags:
        if d.code not in _UNREADABLE:
            continue
        name = d.file.rsplit("/", 1)[-1]
        dropped |= _CASCADES.get(name, {"BB101", "BB103", "BB202", "BB302", "BB904"})   # BB904: its figures
    return [d for d in check_diags if d.code not in dropped]


def checked_book(book_dir: Path, *, fmt: str, stdout, stderr, doing: str, on_load=None):
    """Find, load and check the book for a command that needs a clean book.

    Returns (root, book, diagnostics), or an exit status when there is no
    book (2) or the book has errors (1, diagnostics printed).  `on_load`: check_book's."""
    try:
        root, _, _ = find_book_toml(book_dir.resolve())
    except NoBook as e:
        print(f"bookbuild: {e}", file=stderr)
        return 2
    diags, book = check_book(root, on_load=on_load)
    if book is None or any(d.severity == "error" for d in diags):
        stdout.write(format_report(diags, fmt, root))
        print(f"bookbuild: {doing}: fix the errors above first", file=stderr)
        return 1
    return root, book, diags


def run_check(paths: list[Path], *, fmt: str = "text", strict: bool = False, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    roots: list[Path] = []
    for p in paths:
        if not p.exists():
            print(f"bookbuild: {p} does not exist", file=stderr)
            return 2
        root = book_root_for(p)
        if root is None:
            print(f"bookbuild: no book.toml found in {p} or above it (nor in a manuscript/ folder)", file=stderr)
            return 2
        if root not in roots:
            roots.append(root)
    status = 0
    for root in roots:
        try:
            find_book_toml(root)
            diags, book = check_book(root, need_book=fmt == "json")
        except NoBook as e:
            print(f"bookbuild: {e}", file=stderr)
            return 2
        stdout.write(_json_report(diags, root, book) if fmt == "json" else format_report(diags, fmt, root))
        status = max(status, exit_status(diags, strict))
    return status
