"""The key schema of book.toml: every key's type and allowed values, and the BB502 a
wrong value gets (config.py parses the tables against it; presskeys.py and
coverkeys.py hold the press-ready and cover keys)."""
from __future__ import annotations

from .coverkeys import COVER_KEYS
from .diagnostics import Diagnostic
from .presskeys import PRESS_KEYS

ONE_OF = {
    "note_numbering": ("chapter", "book"),
    "figure_numbering": ("book", "chapter"),
    "bibliography_sort": ("strokes", "zhuyin", "pinyin", "codepoint"),
    "index_sort": ("pinyin", "strokes", "zhuyin"),
    "range": ("～", "至"),
    "interpunct": ("·", "‧", "・"),
    "format": ("epub", "kepub", "pdf", "cover"),
    "writing": ("vertical", "horizontal"),
    "script": ("zh-Hant", "zh-Hans"),
    "numerals": ("tcy", "upright", "sideways", "chinese"),
    "long_numbers": ("sideways", "upright"),
    "notes": ("page", "chapter", "book"),
    "title_marks": ("brackets", "wavy"),
    "chapter_start": ("odd", "any"),
    "kinsoku": ("basic", "strict"),
    "folio": ("arabic-horizontal", "hanzi-vertical"),
    "running_head": ("head", "fore-edge"),
    "kind": ("front", "body", "back"),
    "pdfx": ("", "x-4", "x-1a"),
    "color": ("rgb", "gray", "cmyk"),
}
LABELS = {"figure_label": "圖{n}", "table_label": "表{n}"}
BOOK_KEYS = {"title": str, "subtitle": str, "authors": list, "identifier": str, "language": str,
              "publisher": str, "date": str, "rights": str, "cover": str, "isbn": str,
              "edition_statement": str, "chapters": list, "note_numbering": str, "csl": str,
              "bibliography_sort": str, "index_sort": str, "range": str, "interpunct": str,
              "figure_numbering": str, "figure_label": str, "table_label": str}
EDITION_COMMON = {"format": str, "writing": str, "language": str, "script": str, "font": str,
                   "font_fallback": list,
                   "numerals": str, "long_numbers": str, "notes": str, "name_marks": bool,
                   "title_marks": str, "aside_brackets": str, "isbn": str}
EDITION_EPUB = {"embed_font": bool, "page_source": str}
EDITION_PDF = {"page": str, "font_size": float, "chars_per_column": int, "columns_per_page": int,
                "column_gap": float, "note_chars_per_column": int, "margin_head": float,
                "margin_gutter": float, "chapter_start": str, "kinsoku": str, "squeeze": bool,
                "hanging": bool, "folio": str, "running_head": str, "bleed": float,
                "crop_marks": bool, "list_of_figures": bool, **PRESS_KEYS}
EDITION_COVER = COVER_KEYS


class Errors(list):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def add(self, where: tuple[int, int], message: str, hint: str = "") -> None:
        self.append(Diagnostic("BB502", message, self.path, where[0], where[1], hint))


def check_value(errs, idx, table, key, value, expected) -> bool:
    where = idx.key(table, key)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        errs.add(where, f"[{table}] {key} must be a {expected.__name__}, not {type(value).__name__}",
                 f"write e.g. {key} = {example(expected)}")
        return False
    if key in ONE_OF and value not in ONE_OF[key]:
        allowed = ", ".join(f'"{v}"' for v in ONE_OF[key])
        errs.add(where, f'[{table}] {key} = "{value}" is not one of {allowed}',
                 f"use one of {allowed}")
        return False
    return True


def example(t) -> str:
    return {str: '"…"', bool: "true", int: "38", float: "10.5", list: '["…"]'}[t]
