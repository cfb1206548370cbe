"""From a place in a built EPUB back to the author's source.

The epub writer records, in `<edition>.log.json` `source_ids`, the element
ids it gave and the source position each renders (a chapter's section → its
file, headings, note calls, 索引 targets, glossary entries). A validator's
finding names a document and either a line:column (EPUBCheck) or an EPUB CFI
(Ace); the element there, or failing that the nearest element with a
recorded id inside it or before it, gives the source line. Anything else (the
package document, a page the writer made up) points at the edition's
`[editions.NAME]` line in book.toml.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_ID_ATTR = re.compile(r'\sid="([^"]+)"')
_CFI_STEP = re.compile(r"/(\d+)(?:\[([^\]]*)\])?")


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    line: int
    col: int


class SourceMap:
    """One built EPUB edition: its documents and the writer's id → source map."""

    def __init__(self, epub: Path, log: Path, fallback: Source):
        self.fallback = fallback
        self.ids: dict[str, dict[str, Source]] = {}
        try:
            raw = json.loads(log.read_text("utf-8")).get("source_ids", {})
            self.ids = {doc: {i: Source(*p) for i, p in ids.items()} for doc, ids in raw.items()}
        except (OSError, ValueError, TypeError):
            pass      # no log (built elsewhere): every finding points at the edition
        self._zip = epub
        self._texts: dict[str, str | None] = {}

    def _text(self, doc: str) -> str | None:
        if doc not in self._texts:
            try:
                with zipfile.ZipFile(self._zip) as zf:
                    self._texts[doc] = zf.read(doc).decode("utf-8", "replace")
            except (OSError, KeyError, zipfile.BadZipFile):
                self._texts[doc] = None
        return self._texts[doc]

    def _document(self, doc: str) -> tuple[str, str | None, dict[str, Source]]:
        """(path in the zip, text, recorded ids) of `doc`, which EPUBCheck names
        from the zip's root and Ace from the package document's folder."""
        doc = doc.lstrip("/")
        for path in (doc, *(f"{d}/{doc}" for d in self._package_folders())):
            if path in self.ids:
                return path, self._text(path), self.ids[path]
        return doc, None, {}

    def _package_folders(self) -> list[str]:
        try:
            with zipfile.ZipFile(self._zip) as zf:
                return sorted({n.rsplit("/", 1)[0] for n in zf.namelist() if n.endswith(".opf") and "/" in n})
        except (OSError, zipfile.BadZipFile):
            return []

    def at_offset(self, doc: str, line: int, col: int) -> Source:
        """EPUBCheck's line:column in `doc`: the last recorded id at or before it."""
        doc, text, ids = self._document(doc)
        if not text or not ids or line < 1:
            return self.fallback
        lines = text.split("\n")
        offset = sum(len(x) + 1 for x in lines[:line - 1]) + max(col - 1, 0)
        found = [m.group(1) for m in _ID_ATTR.finditer(text, 0, offset) if m.group(1) in ids]
        return ids[found[-1]] if found else self.fallback

    def at_cfi(self, doc: str, cfi: str) -> Source:
        """Ace's CFI (`/4/2[toc]/10`) in `doc`: the element's own id, else the
        first recorded id inside it, else the last one before it."""
        doc, text, ids = self._document(doc)
        if not text or not ids:
            return self.fallback
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            return self.fallback
        el = _resolve_cfi(root, cfi)
        if el is None:
            return self.fallback
        inside = [e.get("id") for e in el.iter() if e.get("id") in ids]
        if inside:
            return ids[inside[0]]
        before = [e.get("id") for e in el.itersiblings(preceding=True)] + [
            e.get("id") for a in el.iterancestors() for e in [a, *a.itersiblings(preceding=True)]]
        before = [i for i in before if i in ids]
        return ids[before[0]] if before else self.fallback


def _resolve_cfi(root, cfi: str):
    """The element a CFI path names (even steps count element children)."""
    path = cfi.split("!")[-1].split(":")[0]
    el = root
    for step, _assertion in _CFI_STEP.findall(path):
        n = int(step)
        if n % 2:        # an odd step is a text position between elements: stay
            continue
        kids = [k for k in el if isinstance(k.tag, str)]
        if n // 2 - 1 >= len(kids):
            return None
        el = kids[n // 2 - 1]
    return el


def edition_line(book_toml: Path, name: str, shown: str) -> Source:
    """Where book.toml opens `[editions.NAME]` (line 1 when it cannot be found),
    named `shown` (its path relative to the book root)."""
    try:
        lines = book_toml.read_text("utf-8").splitlines()
    except OSError:
        lines = []
    header = re.compile(rf'^\s*\[\s*editions\s*\.\s*"?{re.escape(name)}"?\s*\]')
    line = next((i for i, text in enumerate(lines, 1) if header.match(text)), 1)
    return Source(shown, line, 1)
