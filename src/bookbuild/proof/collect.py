"""What a proof sheet shows, read from a built print edition's layout.json and warnings.

Sections: the pages before the first chapter opener (front matter), then one
section per chapter opener (chapters, 參考書目, 詞彙表); blank pages stay
with the section they close.  Each warning is placed on its page and column
through the column start positions (`src`) in layout.json: the column whose
start is the last one at or before the warning's file:line:col.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

TEXT_ROLES = ("body", "quote", "note")


@dataclass
class Mark:
    """A warning on a page: BB7xx from the build, or a ragged column found in the layout."""
    code: str                 # BB701, BB702, BB703 or "ragged"
    message: str
    file: str
    line: int
    col: int
    page: int = 0             # 1-based page number, 0 when it could not be placed
    area: str = ""            # "body" or "notes"
    x_em: float = 0.0         # column centre from the type area's right edge, body em
    size: float = 1.0         # column size in body em
    excerpt: str = ""         # the column's first characters, to find it on the page
    n: int = 0                # number on the sheet


@dataclass
class Section:
    title: str
    pages: list[dict] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


def sections(layout: dict) -> list[Section]:
    out: list[Section] = []
    for page in layout["pages"]:
        if page["role"] == "chapter-open" or not out:
            out.append(Section(_title(page) if page["role"] == "chapter-open" else "前頁 front matter"))
        out[-1].pages.append(page)
    return out


def _title(page: dict) -> str:
    for entry in page.get("outline") or []:
        if entry.get("level") == 1:
            return entry["title"]
    return page.get("running_head") or f"page {page['number']}"


def _columns(page: dict):
    for area in ("body", "notes"):
        for col in (page.get(area) or {}).get("columns", []):
            yield area, col


def ragged(layout: dict) -> list[Mark]:
    """Text columns that end short of the foot although their paragraph goes on (VT-06)."""
    out = []
    for page in layout["pages"]:
        for area, col in _columns(page):
            if col["role"] in TEXT_ROLES and not col["justified"] and not col["last_of_paragraph"]:
                file, line, c = _split(col.get("src") or "")
                out.append(Mark("ragged", "ragged column: ends short of the foot inside a paragraph",
                                file, line, c, page["number"], area, col["x_em"], col["size"],
                                col["text"][:16]))
    return out


class Locator:
    """Finds the page and column of a source position."""

    def __init__(self, layout: dict):
        self._by_file: dict[str, list[tuple[tuple[int, int], int, str, dict]]] = {}
        for page in layout["pages"]:
            for area, col in _columns(page):
                file, line, c = _split(col.get("src") or "")
                if file:
                    self._by_file.setdefault(file, []).append(((line, c), page["number"], area, col))
        for entries in self._by_file.values():
            entries.sort(key=lambda e: (e[0], e[1]))

    def place(self, m: Mark) -> Mark:
        entries = self._by_file.get(m.file, [])
        i = bisect.bisect_right([e[0] for e in entries], (m.line, m.col)) - 1
        if i >= 0:
            _, m.page, m.area, col = entries[i]
            m.x_em, m.size, m.excerpt = col["x_em"], col["size"], col["text"][:16]
        return m


def marks(layout: dict, diags: list[dict]) -> list[Mark]:
    """Every typographic warning (BB7xx) placed on its page, plus the ragged columns."""
    loc = Locator(layout)
    seen, out = set(), []
    for d in diags:
        key = (d["code"], d["file"], d["line"], d["column"], d["message"])
        if not d["code"].startswith("BB7") or key in seen:
            continue
        seen.add(key)
        out.append(loc.place(Mark(d["code"], d["message"], d["file"], d["line"], d["column"])))
    out += ragged(layout)
    out.sort(key=lambda m: (m.page or 10**9, m.area, m.x_em, m.code))
    for i, m in enumerate(out, 1):
        m.n = i
    return out


def assign(secs: list[Section], all_marks: list[Mark]) -> list[Mark]:
    """Put each mark in its page's section; returns the marks no page holds."""
    where = {p["number"]: s for s in secs for p in s.pages}
    loose = []
    for m in all_marks:
        (where[m.page].marks if m.page in where else loose).append(m)
    return loose


def _split(src: str) -> tuple[str, int, int]:
    """'manuscript/01.md:9:144' → ('manuscript/01.md', 9, 144)."""
    parts = src.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return "", 0, 0
    return parts[0], int(parts[1]), int(parts[2])
