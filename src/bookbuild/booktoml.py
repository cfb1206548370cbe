"""Where a book's book.toml is, and the one TOML parse of it.

    book_toml_path(folder) -> Path | None     folder/book.toml, else folder/manuscript/book.toml
    book_root_for(path) -> Path | None        the book at or above a file or folder
    find_book_toml(book_dir) -> (root, path, diagnostics); NoBook when there is none (exit 2)
    parse_toml(text, path) -> (tables or None, diagnostics)

config.py turns the tables into a BookConfig; load/ reads the file (load.read_config).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .diagnostics import Diagnostic
from .limits import MAX_DEPTH, too_deep


class NoBook(Exception):
    """No book.toml where the user pointed (exit status 2)."""


def book_toml_path(folder: Path) -> Path | None:
    """The book.toml of the book in `folder`: at its top, else in its manuscript/ folder."""
    for path in (folder / "book.toml", folder / "manuscript" / "book.toml"):
        if path.is_file():
            return path
    return None


def book_root_for(path: Path) -> Path | None:
    """Walk up from a file or folder to the nearest folder holding a book."""
    start = path.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        toml = book_toml_path(folder)
        if toml is not None:
            # a book.toml inside manuscript/ belongs to the folder holding manuscript/
            return folder.parent if toml.parent == folder and folder.name == "manuscript" else folder
    return None


def find_book_toml(book_dir: Path) -> tuple[Path, Path, list[Diagnostic]]:
    """(book root, book.toml path, diagnostics) of the book in book_dir, or raise NoBook."""
    toml = book_toml_path(book_dir)
    if toml is None:
        raise NoBook(f"no book.toml in {book_dir} or {book_dir / 'manuscript'}")
    if toml.parent == book_dir and (book_dir / "manuscript" / "book.toml").is_file():
        return book_dir, toml, [Diagnostic("BB502", "book.toml exists both in the book folder and in manuscript/",
                                           "manuscript/book.toml", 1, 1, "keep only one of the two")]
    return book_dir, toml, []


def parse_toml(text: str, path: str = "book.toml") -> tuple[dict | None, list[Diagnostic]]:
    """The TOML tables of book.toml's text, or None and why: BB510 for nesting a parser
    could not take (checked before parsing), BB502 at the syntax error's line:col."""
    deep = too_deep(text)
    if deep:
        return None, [Diagnostic("BB510", f"book.toml nests brackets more than {MAX_DEPTH} deep", path, *deep,
                                 "a book.toml needs two or three levels; remove the extra brackets")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        return None, [Diagnostic("BB502", f"book.toml is not valid TOML: {str(e).split(' (at')[0]}", path,
                                 line, col, "check quotes, brackets and commas on that line")]


class KeyIndex:
    """Line/column of every `key =` and `[table]` header of book.toml, by a line scan.

    tomllib gives values but no positions; every BB502 points at a key through this.
    """

    def __init__(self, text: str):
        self.keys: dict[tuple[str, str], tuple[int, int]] = {}
        self.tables: dict[str, tuple[int, int]] = {}
        self.lines = text.splitlines()
        table = ""
        for n, line in enumerate(self.lines, 1):
            s = line.strip()
            m = re.match(r"\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", s)
            if m:
                table = re.sub(r"\s*\.\s*", ".", m.group(1)).replace('"', "")
                self.tables[table] = (n, line.index("[") + 1)
                continue
            m = re.match(r'\s*"?([A-Za-z0-9_-]+)"?\s*=', line)
            if m:
                self.keys.setdefault((table, m.group(1)), (n, m.start(1) + 1))

    def key(self, table: str, key: str) -> tuple[int, int]:
        return self.keys.get((table, key)) or self.tables.get(table) or (1, 1)

    def table(self, table: str) -> tuple[int, int]:
        return self.tables.get(table, (1, 1))

    def value(self, table: str, key: str, text: str) -> tuple[int, int]:
        """Line/column of a string value `key = "text"` (its first character), else the key's."""
        line, col = self.key(table, key)
        i = self.lines[line - 1].find(text, col) if 0 < line <= len(self.lines) and text else -1
        return (line, i + 1) if i >= 0 else (line, col)

    def find(self, needle: str, default: tuple[int, int], nth: int = 0) -> tuple[int, int]:
        """Line and column of the nth (0-based) occurrence of needle."""
        for n, line in enumerate(self.lines, 1):
            i = line.find(needle)
            while i >= 0:
                if nth == 0:
                    return n, i + 1
                nth -= 1
                i = line.find(needle, i + 1)
        return default
