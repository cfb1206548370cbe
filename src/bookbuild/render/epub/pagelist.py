"""Print page numbers in an EPUB edition (`page_source`): pagebreak markers
and the page-list.

The pdf edition's `<edition>.layout.json` says where each of its pages
begins in the author's text (`pages[].start`, render/pdf/pagestarts.py).
Every page becomes `<span epub:type="pagebreak" role="doc-pagebreak"
id="page-N" aria-label="N"/>` (N: the physical page number, which is also
the printed folio) placed as follows:

| start     | marker                                                                  |
|-----------|-------------------------------------------------------------------------|
| `text`    | before that very character, inside the text node that renders it;       |
|           | a chapter page that opens with 第N章 gets it before the chapter heading |
| `span`    | before the element of the span or note reference (《, （, 見第N章注M)     |
| `block`   | first thing in the bibliography, glossary or index entry of that source |
|           | (before its group heading when the page starts with that heading)       |
| `section` | title page: start of title.xhtml; 版權頁: its end (the EPUB has no      |
|           | colophon); 目次: start of nav.xhtml; 參考書目, 詞彙表, 索引, 注釋 and    |
|           | chapters: start of their document                                       |
| `none`    | (blank pages), or a start the EPUB has no place for: just before the    |
|           | next page's marker (after the last one when none follows)               |
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from lxml import etree

from ... import model as m
from .elements import E, serialize

PAGE_ID = "page-{}"


def _key(src: str) -> tuple[str, int, int]:
    file, line, col = src.rsplit(":", 2)
    return file, int(line), int(col)


@dataclass
class PageMarks:
    source: str                                   # the pdf edition's name
    numbers: list[int]                            # every page, in order
    text: dict = field(default_factory=dict)      # (file, line) -> [(col, page)]
    headings: dict = field(default_factory=dict)  # src -> [page] (text start after a 第N章 prefix)
    spans: dict = field(default_factory=dict)     # src -> [page]
    blocks: dict = field(default_factory=dict)    # src -> [(page, after_heading)]
    sections: dict = field(default_factory=dict)  # "title" | "chapter:3" | ... -> [page]
    occurrences: dict = field(default_factory=dict)  # 索引 span src -> print page
    placed: dict = field(default_factory=dict)    # page -> package file of its marker
    pending: dict = field(default_factory=dict)   # page -> (neighbour page, "before" | "after")

    @classmethod
    def from_layout(cls, layout: dict) -> PageMarks:
        pm = cls(str(layout.get("edition", "")), [p["number"] for p in layout["pages"]])
        for p in layout["pages"]:
            pm._add(p["number"], p.get("start") or {"kind": "none"})
        pm.occurrences = {o["src"]: o["page"] for o in layout.get("index", {}).get("occurrences", [])}
        return pm

    def _add(self, n: int, start: dict) -> None:
        kind = start["kind"]
        if kind == "text":
            file, line, col = _key(start["src"])
            self.text.setdefault((file, line), []).append((col, n))
            if start.get("prefix", "").strip():
                self.headings.setdefault(start["src"], []).append(n)
        elif kind == "span":
            self.spans.setdefault(start["src"], []).append(n)
        elif kind == "block":
            self.blocks.setdefault(start["src"], []).append((n, bool(start.get("after_heading"))))
        elif kind == "section":
            name = start["section"]
            if name == "chapter":
                name = f"chapter:{start.get('chapter')}"
            self.sections.setdefault(name, []).append(n)

    # ------------------------------------------------------------ lookups
    def _free(self, pages) -> list:
        return [p for p in pages if (p[0] if isinstance(p, tuple) else p) not in self.placed]

    def in_text(self, pos: m.Pos | None, length: int) -> list[tuple[int, int]]:
        """(index into the node's text, page) of the pages that start inside a
        text node of `length` characters at `pos`."""
        if pos is None:
            return []
        hits = self.text.get((pos.file, pos.line), [])
        return sorted((col - pos.col, n) for col, n in hits
                      if pos.col <= col < pos.col + length and n not in self.placed)

    def heading(self, pos: m.Pos | None) -> list[int]:
        return self._free(self.headings.get(_src(pos), [])) if pos else []

    def span(self, pos: m.Pos | None) -> list[int]:
        return self._free(self.spans.get(_src(pos), [])) if pos else []

    def block(self, pos: m.Pos | None) -> list[tuple[int, bool]]:
        return self._free(self.blocks.get(_src(pos), [])) if pos else []

    def section(self, name: str) -> list[int]:
        return self._free(self.sections.get(name, []))

    def occurrence_page(self, pos: m.Pos) -> int | None:
        return self.occurrences.get(_src(pos))

    # ------------------------------------------------------------ markers
    def marker(self, n: int, doc_file: str, parent=None):
        """The marker of page n (appended to parent when given)."""
        self.placed[n] = doc_file
        return E("span", {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": PAGE_ID.format(n),
                          "aria-label": str(n)}, parent=parent)

    def emit(self, pages, doc_file: str, parent) -> None:
        for n in pages:
            self.marker(n, doc_file, parent)

    def emit_before(self, pages, doc_file: str, element) -> None:
        for n in pages:
            element.addprevious(self.marker(n, doc_file))

    def reserve(self, pages, doc_file: str) -> None:
        """Pages whose markers a document made later (nav.xhtml) will hold."""
        for n in pages:
            self.placed[n] = doc_file

    def resolve(self) -> None:
        """Decide where the pages nobody placed go: before the next placed page."""
        placed = sorted(self.placed)
        for n in self.numbers:
            if n in self.placed:
                continue
            after = next((p for p in placed if p > n), None)
            if after is not None:
                self.pending[n] = (after, "before")
            else:
                before = max((p for p in placed if p < n), default=None)
                if before is None:
                    continue
                self.pending[n] = (before, "after")
            self.placed[n] = self.placed[self.pending[n][0]]

    def insert_pending(self, docs) -> None:
        """Put the resolved markers into the finished documents (after resolve)."""
        by_file: dict[str, list[int]] = {}
        for n, (anchor, _) in self.pending.items():
            by_file.setdefault(self.placed[anchor], []).append(n)
        for doc in docs:
            pages = by_file.get(doc.file)
            if not pages:
                continue
            root = etree.fromstring(doc.content)
            # Before an anchor in ascending order, after it in descending order:
            # either way the markers end up in page order.
            for n in sorted(pages, key=lambda n: n if self.pending[n][1] == "before" else -n):
                anchor, side = self.pending[n]
                el = root.xpath(f"//*[@id='{PAGE_ID.format(anchor)}']")[0]
                new = self.marker(n, doc.file)
                if side == "before":
                    el.addprevious(new)
                else:                      # right after the anchor, before its tail text
                    new.tail, el.tail = el.tail, None
                    el.addnext(new)
            doc.content = serialize(root)

    def page_list(self) -> list[tuple[int, str]]:
        """(page, package file) of every page with a marker, in page order."""
        return [(n, self.placed[n]) for n in self.numbers if n in self.placed]


def _src(pos: m.Pos) -> str:
    return f"{pos.file}:{pos.line}:{pos.col}"


def text_index(orig: str, norm: str, i: int) -> int:
    """Index in `norm` (the rendered, normalized text) of char `i` of `orig`
    (the author's text): the same char where the two agree."""
    if len(orig) == len(norm) or i <= 0:
        return min(max(i, 0), len(norm))
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, orig, norm, autojunk=False).get_opcodes():
        if a0 <= i < a1:
            return b0 + (i - a0 if tag == "equal" else min(i - a0, max(b1 - b0 - 1, 0)))
    return len(norm)
