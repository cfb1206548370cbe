"""Where each page of a pdf edition begins, told in the author's terms.

An EPUB edition with `page_source` puts its pagebreak markers where these
say (render/epub/pagelist.py); they travel in `<edition>.layout.json` as
each page's "start":

* `text`: the page begins at the author's character `src` (file:line:col of
  that very character); `prefix` is the generated text set before it on the
  page (第N章 and an ideographic space, a list label);
* `span`: the page begins with text bookbuild generated for an author's
  span or note reference at `src` (《 of a title, （ of an aside, 見第N章注M);
* `block`: the page begins inside generated matter whose paragraph comes from
  `src` (a bibliography entry: its source; an index entry: its first
  occurrence); `after_heading` when a generated group heading comes first;
* `section`: the page begins a generated section or has no source at all:
  `section` is one of title, colophon, toc, bibliography, glossary, index,
  notes, chapter (then `chapter` is its index);
* `none`: a blank page.

`area` says whether the start is in the body or, on a page whose body is
empty, in the note band.
"""
from __future__ import annotations

from . import layout_types as lt

# Titles of generated sections (Traditional and Simplified) -> section ids.
SECTION_IDS = {"參考書目": "bibliography", "参考书目": "bibliography", "詞彙表": "glossary",
               "词汇表": "glossary", "索引": "index", "注釋": "notes", "注释": "notes"}
_ROLE_SECTIONS = {lt.PAGE_TITLE: "title", lt.PAGE_COLOPHON: "colophon", lt.PAGE_TOC: "toc"}
PREVIEW = 12


def page_starts(pages: list[lt.Page]) -> list[dict]:
    """One start record per page, in page order."""
    out, section = [], None
    for p in pages:
        for o in p.outline:
            if o.level == 1:
                section = o.title
                break
        out.append(page_start(p, section))
    return out


def page_start(p: lt.Page, section: str | None) -> dict:
    if p.role == lt.PAGE_BLANK or not (p.columns or p.note_columns):
        return {"kind": "none"}
    if p.role in _ROLE_SECTIONS:
        return _section(_ROLE_SECTIONS[p.role], p)
    generated_opener = p.role == lt.PAGE_CHAPTER_OPEN and p.chapter is None
    if p.columns and not generated_opener:
        found = _first_anchored(p.columns[0])
        if found:
            return _unit_start(p.columns[0], found, "body")
        return _block_start(p, section)
    if generated_opener:
        return _section(SECTION_IDS.get(section or "", "chapter"), p)
    for col in p.note_columns:     # a page of notes only: where its first note text is
        found = _first_anchored(col)
        if found:
            return _unit_start(col, found, "notes")
    return _section("chapter" if p.chapter is not None else SECTION_IDS.get(section or "", "chapter"), p)


def _first_anchored(col: lt.Column) -> lt.Unit | None:
    return next((u for u in col.units if u.anchor is not None and u.text), None)


def _unit_start(col: lt.Column, u: lt.Unit, area: str) -> dict:
    i = col.units.index(u)
    generated = bool(u.flags & lt.GENERATED)
    return {"kind": "span" if generated else "text",
            "src": _pos(u.anchor if generated else u.src), "area": area,
            "prefix": "".join(x.text for x in col.units[:i]),
            "text": "".join(x.text for x in col.units[i:])[:PREVIEW]}


def _block_start(p: lt.Page, section: str | None) -> dict:
    """A page of generated matter: the first column that comes from a source
    paragraph, or the section itself."""
    for k, col in enumerate(p.columns):
        if col.src is not None:
            return {"kind": "block", "src": _pos(col.src), "area": "body",
                    "after_heading": k > 0 and all(c.role.startswith("heading") for c in p.columns[:k]),
                    "text": col.text()[:PREVIEW]}
    return _section(SECTION_IDS.get(section or "", "chapter"), p)


def _section(name: str, p: lt.Page) -> dict:
    return {"kind": "section", "section": name, "chapter": p.chapter}


def _pos(pos) -> str | None:
    return None if pos is None else f"{pos.file}:{pos.line}:{pos.col}"
