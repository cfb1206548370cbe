"""book.toml's tables (booktoml.parse_toml) -> frozen, typed BookConfig.

tomllib gives values but no positions, so key positions come from a line
scan of the file (`booktoml.KeyIndex`).  Every problem is a BB502 diagnostic with
the key's file:line:col; nothing is silently ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from .booktoml import KeyIndex, parse_toml
from .configkeys import (
    BOOK_KEYS,
    EDITION_COMMON,
    EDITION_COVER,
    EDITION_EPUB,
    EDITION_PDF,
    LABELS,
    ONE_OF,
    Errors,
    check_value,
)
from .coverkeys import cover_problems
from .diagnostics import Diagnostic
from .isbn import isbn_problem
from .presskeys import press_problems

MM = 72 / 25.4  # pt per mm
EPUB_FORMATS = ("epub", "kepub")   # kepub: the EPUB with Kobo's span markup, written as NAME.kepub.epub
PDF_FORMATS = ("pdf", "cover")     # cover: back + spine + front of a print edition (render/cover)
PAGE_SIZES_MM = {"A5": (148, 210), "B6": (125, 176), "A4": (210, 297), "A6": (105, 148)}


@dataclass(frozen=True, slots=True)
class ChapterEntry:
    file: str
    kind: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class EditionConfig:
    name: str
    format: str
    writing: str = "vertical"
    language: str = "zh-Hant-TW"
    script: str = "zh-Hant"
    font: str = "Noto Serif CJK TC"
    font_fallback: tuple[str, ...] | None = None   # None: fontchain.DEFAULT_FALLBACK
    numerals: str = "tcy"
    long_numbers: str = "sideways"
    notes: str = "chapter"
    name_marks: bool = False
    title_marks: str = "brackets"
    aside_brackets: str = "（）"
    isbn: str = ""             # this edition's own ISBN (the print book's, the e-book's)
    # epub
    embed_font: bool | str = False     # true, false or "fallback" (only the fallback fonts)
    page_source: str = ""
    # pdf geometry
    page: str = "A5"
    font_size: float = 10.5
    chars_per_column: int = 38
    columns_per_page: int = 15
    column_gap: float = 0.75
    note_chars_per_column: int = 48
    margin_head: float = 34.0
    margin_gutter: float = 25.0
    chapter_start: str = "odd"
    kinsoku: str = "basic"
    squeeze: bool = False
    hanging: bool = False
    folio: str = "arabic-horizontal"
    running_head: str = "head"
    bleed: float = 0.0
    crop_marks: bool = False
    # press-ready output (render/pdf/finishing/press.py; keys checked in presskeys.py)
    pdfx: str = ""
    color: str = "rgb"
    output_profile: str = "swop"
    center_marks: bool = False
    slug: bool = False
    pages_multiple_of: int = 1
    # cover (docs/FORMAT.md "Cover editions")
    interior: str = ""         # the pdf edition whose page count sets the spine
    paper: str = ""            # a papers.PAPERS name (keys checked in coverkeys.py)
    caliper_mm: float = 0.0    # the printer's caliper, instead of the paper table's
    flaps_mm: float = 0.0
    cover_image: str = ""
    back_text: str = ""
    price: str = ""            # EAN-5 add-on digits
    list_of_figures: bool = False   # 圖目次 / 表目次 after the 目次, with print pages

    @property
    def vertical(self) -> bool:
        return self.writing == "vertical"

    @property
    def is_epub(self) -> bool:
        """An EPUB package (epub or kepub): the EPUB renderer, the epub-only keys."""
        return self.format in EPUB_FORMATS

    @property
    def output_file(self) -> str:
        """The file the edition writes: NAME.epub, NAME.kepub.epub (Kobo's extension), NAME.pdf (pdf, cover)."""
        if self.format == "kepub":
            return f"{self.name}.kepub.epub"
        return f"{self.name}.pdf" if self.format in PDF_FORMATS else f"{self.name}.{self.format}"

    def page_size_pt(self) -> tuple[float, float]:
        """Trim size (width, height) in pt, portrait reading frame."""
        return parse_page(self.page)

    @property
    def pitch_em(self) -> float:
        return 1.0 + self.column_gap

    def type_area_pt(self) -> tuple[float, float]:
        """(width, height) of the type area in pt in the reading frame (vertical)."""
        s = self.font_size
        length = self.chars_per_column * s
        across = (self.columns_per_page * self.pitch_em - self.column_gap) * s
        return (across, length) if self.vertical else (length, across)


@dataclass(frozen=True, slots=True)
class BookConfig:
    path: str                      # book.toml path relative to the book root
    title: str
    authors: tuple[str, ...]
    identifier: str
    chapters: tuple[ChapterEntry, ...]
    editions: tuple[EditionConfig, ...]
    subtitle: str = ""
    language: str = "zh-Hant-TW"
    publisher: str = ""
    date: str = ""
    rights: str = ""
    cover: str = ""
    cover_line: int = 0
    isbn: str = ""
    edition_statement: str = ""
    note_numbering: str = "chapter"
    csl: str = "china-national-standard-gb-t-7714-2015-note"
    bibliography_sort: str = "strokes"
    index_sort: str = "pinyin"
    range: str = "～"
    interpunct: str = "·"
    figure_numbering: str = "book"     # figures and tables: "book" (圖1, 圖2 …) or "chapter"
    figure_label: str = "圖{n}"         # {n}: the number; {chapter}: the chapter's (figure_numbering = "chapter")
    table_label: str = "表{n}"

    def edition(self, name: str | EditionConfig) -> EditionConfig:
        if isinstance(name, EditionConfig):
            return name
        for e in self.editions:
            if e.name == name:
                return e
        raise KeyError(name)


def parse_page(spec: str) -> tuple[float, float]:
    if spec in PAGE_SIZES_MM:
        w, h = PAGE_SIZES_MM[spec]
        return w * MM, h * MM
    m = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|in|pt)?\s+([\d.]+)\s*(mm|cm|in|pt)?\s*", spec)
    if not m:
        raise ValueError(spec)
    unit = {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0}
    w = float(m.group(1)) * unit[m.group(2) or "mm"]
    h = float(m.group(3)) * unit[m.group(4) or m.group(2) or "mm"]
    return w, h


def parse_config(text: str, path: str = "book.toml") -> tuple[BookConfig | None, list[Diagnostic]]:
    """Parse book.toml text. Returns (config or None, BB502 diagnostics)."""
    data, diags = parse_toml(text, path)
    if data is None:
        return None, diags
    errs = Errors(path)
    idx = KeyIndex(text)
    for top in data:
        if top not in ("book", "editions"):
            errs.add(idx.table(top) if top in idx.tables else idx.key("", top),
                     f"unknown top-level table or key '{top}'", "only [book] and [editions.NAME] are allowed")
    book = data.get("book")
    if not isinstance(book, dict):
        errs.add((1, 1), "book.toml has no [book] table", "add [book] with title, authors, identifier, chapters")
        return None, errs
    kw: dict[str, Any] = {}
    for key, value in book.items():
        if key not in BOOK_KEYS:
            errs.add(idx.key("book", key), f"unknown key '{key}' in [book]",
                     "see docs/FORMAT.md for the keys; names use underscores")
        elif check_value(errs, idx, "book", key, value, BOOK_KEYS[key]):
            kw[key] = float(value) if BOOK_KEYS[key] is float else value
    for req in ("title", "authors", "identifier", "chapters"):
        if req not in book:
            errs.add(idx.table("book"), f"[book] is missing the required key '{req}'", f"add {req} = …")
    authors = kw.get("authors", [])
    if "authors" in kw and (not authors or not all(isinstance(a, str) for a in authors)):
        errs.add(idx.key("book", "authors"), "[book] authors must be a non-empty array of strings",
                 'write authors = ["…"]')
    _check_isbns(kw, idx, errs)
    for key in ("figure_label", "table_label"):
        if key in kw and "{n}" not in kw[key] or "{" in kw.get(key, "").replace("{n}", "").replace("{chapter}", ""):
            errs.add(idx.key("book", key), f"[book] {key} must hold {{n}} (the number) and no other {{…}} "
                     "than {chapter}", f'write e.g. {key} = "{LABELS[key]}"')
    chapters = _parse_chapters(kw.get("chapters", []), idx, errs)
    editions = _parse_editions(data.get("editions", {}), idx, errs, kw.get("language", "zh-Hant-TW"),
                               kw.get("isbn", ""))
    if errs:
        return None, errs
    kw["authors"] = tuple(authors)
    kw["chapters"] = tuple(chapters)
    if kw.get("cover"):
        kw["cover_line"] = idx.key("book", "cover")[0]
    cfg = BookConfig(path=path, editions=tuple(editions), **kw)
    return cfg, []


def _check_isbns(kw: dict, idx, errs) -> None:
    """[book] isbn, and an identifier written isbn:…, must be valid ISBNs (stdnum)."""
    checks = [("isbn", kw.get("isbn", ""))]
    if kw.get("identifier", "").lower().startswith(("isbn:", "urn:isbn:")):
        checks.append(("identifier", kw["identifier"].split(":")[-1]))
    for key, value in checks:
        _check_isbn(errs, idx, "book", key, value)


def _check_isbn(errs, idx, table: str, key: str, value: str) -> bool:
    """A diagnostic at the ISBN's first character (after an `isbn:` prefix) when it is not valid."""
    problem = isbn_problem(value) if value else ""
    if problem:
        errs.add(idx.value(table, key, value), f'[{table}] {key}: "{value}" {problem}',
                 "copy the ISBN from the agency's record (ISBN-10 or ISBN-13, e.g. 978-986-7088-01-7)")
    return not problem


def _parse_chapters(entries, idx, errs) -> list[ChapterEntry]:
    out = []
    default = idx.key("book", "chapters")
    for entry in entries:
        if isinstance(entry, str):
            file, kind = entry, "body"
        elif isinstance(entry, dict) and isinstance(entry.get("file"), str):
            file, kind = entry["file"], entry.get("kind", "body")
            extra = set(entry) - {"file", "kind"}
            if extra or kind not in ONE_OF["kind"]:
                where = idx.find(f'"{file}"', default)
                problem = f"unknown key(s) {', '.join(sorted(extra))}" if extra else \
                    f'kind = "{kind}" is not front, body or back'
                errs.add(where, f"chapter entry for {file}: " + problem,
                    'write { file = "…", kind = "front" | "body" | "back" }')
                continue
        else:
            errs.add(default, f"chapter entry {entry!r} is neither a path nor a {{ file, kind }} table",
                     'write "manuscript/01.md" or { file = "…", kind = "front" }')
            continue
        nth = sum(1 for c in out if c.file == file)
        line, col = idx.find(f'"{file}"', default, nth)
        if nth:
            errs.add((line, col + 1), f"chapter {file} is listed twice in chapters",
                     "list each chapter file once (a chapter cannot appear twice in the book)")
            continue
        out.append(ChapterEntry(file, kind, line, col + 1))
    if not entries and ("book", "chapters") in idx.keys:
        errs.add(default, "[book] chapters is empty", "list at least one chapter file")
    return out


_EDITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _parse_editions(editions, idx, errs, book_lang, book_isbn="") -> list[EditionConfig]:
    out = []
    if not isinstance(editions, dict) or not editions:
        errs.add(idx.table("editions") if "editions" in idx.tables else (1, 1),
                 "book.toml defines no editions", 'add [editions.epub] with format = "epub"')
        return out
    for name, spec in editions.items():
        table = f"editions.{name}"
        if not _EDITION_NAME.fullmatch(name):
            # the name becomes DIR/<name>.epub: a slash or ".." would write outside the output folder
            errs.add(idx.find(name, idx.table("editions") if "editions" in idx.tables else (1, 1)),
                     f"edition name {name!r} is not a plain file name",
                     "use letters, digits, '-', '_' and '.', starting with a letter or digit")
            continue
        if not isinstance(spec, dict):
            errs.add(idx.key("editions", name), f"edition '{name}' must be a table", f"write [editions.{name}]")
            continue
        fmt = spec.get("format")
        if fmt not in ONE_OF["format"]:
            errs.add(idx.key(table, "format") if fmt else idx.table(table),
                     f"edition '{name}' needs format = \"epub\", \"kepub\", \"pdf\" or \"cover\"",
                     'add format = "epub", "kepub" (Kobo), "pdf" or "cover" (a print cover)')
            continue
        epub_like = fmt in EPUB_FORMATS
        own = EDITION_EPUB if epub_like else EDITION_COVER if fmt == "cover" else EDITION_PDF
        allowed = {**EDITION_COMMON, **own}
        simplified = spec.get("script") == "zh-Hans"
        kw: dict[str, Any] = {"name": name, "language": "zh-Hans-CN" if simplified else book_lang,
                              "font": "Noto Serif CJK SC" if simplified else "Noto Serif CJK TC",
                              "notes": "page" if fmt == "pdf" else "chapter",
                              "name_marks": fmt == "pdf" and spec.get("writing", "vertical") == "vertical",
                              "bleed": 3.0 if fmt == "cover" else 0.0}
        for key, value in spec.items():
            if key not in allowed:
                other = [f for f, keys in (("epub", EDITION_EPUB), ("pdf", EDITION_PDF), ("cover", EDITION_COVER))
                         if key in keys and f != fmt]
                errs.add(idx.key(table, key), f"unknown key '{key}' in [{table}]",
                         f"'{key}' is a key of {' and '.join(f + ' editions' for f in other)}" if other else
                         "see docs/FORMAT.md for edition keys")
            elif key == "embed_font" and value == "fallback" or \
                    check_value(errs, idx, table, key, value, allowed[key]):
                kw[key] = float(value) if allowed[key] is float else value
        if "font_fallback" in kw and not _fallback_ok(kw, idx, table, errs):
            continue
        ed = EditionConfig(**kw)
        _check_isbn(errs, idx, table, "isbn", ed.isbn)
        _check_edition(ed, idx, table, errs)
        out.append(ed)
    for ed in out:
        if ed.format == "cover":
            _check_cover(ed, out, idx, f"editions.{ed.name}", errs, book_isbn)
    return out


def _check_cover(ed: EditionConfig, editions: list[EditionConfig], idx, table, errs, book_isbn: str) -> None:
    for key, message, hint in cover_problems(ed, editions, book_isbn):
        errs.add(idx.key(table, key), message, hint)      # a key not written: at the table's header


def _fallback_ok(kw: dict, idx, table, errs) -> bool:
    """font_fallback: an array of family names (frozen into a tuple)."""
    names = kw["font_fallback"]
    if not all(isinstance(n, str) and n.strip() for n in names):
        errs.add(idx.key(table, "font_fallback"), "font_fallback must be an array of font family names",
                 'e.g. font_fallback = ["TW-Sung", "HanaMinB"], or [] for no fallback')
        return False
    kw["font_fallback"] = tuple(n.strip() for n in names)
    return True


def _check_edition(ed: EditionConfig, idx, table, errs) -> None:
    if ed.is_epub and ed.notes == "page":
        errs.add(idx.key(table, "notes"), f'notes = "page" is for pdf editions; [{table}] is an {ed.format}',
                 'use notes = "chapter" or "book"')
    if len(ed.aside_brackets) != 2:
        errs.add(idx.key(table, "aside_brackets"), "aside_brackets must be exactly two characters",
                 'e.g. aside_brackets = "（）"')
    if ed.format != "pdf":
        return
    try:
        pw, ph = ed.page_size_pt()
    except ValueError:
        errs.add(idx.key(table, "page"), f'page = "{ed.page}" is not A5, B6, A4 or "W H" with units',
                 'e.g. page = "148mm 210mm"')
        return
    if not 0.5 <= ed.column_gap <= 1.0:
        errs.add(idx.key(table, "column_gap"), f"column_gap = {ed.column_gap} em is outside 0.5–1.0",
                 "clreq allows a gap of 50–100 % of the character size")
    for key in ("font_size", "chars_per_column", "columns_per_page", "note_chars_per_column"):
        if getattr(ed, key) <= 0:
            errs.add(idx.key(table, key), f"{key} must be positive", "")
    for key, message, hint in press_problems(ed):
        errs.add(idx.key(table, key), message, hint)
    tw, th = ed.type_area_pt()
    across_margin = ed.margin_gutter * MM
    along_margin = ed.margin_head * MM
    if tw + across_margin > pw + 1e-6 or th + along_margin > ph + 1e-6:
        errs.add(idx.table(table),
                 f"type area {tw / MM:.1f}×{th / MM:.1f} mm plus margins does not fit the {ed.page} page "
                 f"({pw / MM:.0f}×{ph / MM:.0f} mm)",
                 "lower chars_per_column, columns_per_page, font_size or the margins")


EDITION_FIELDS = {f.name for f in fields(EditionConfig)}
