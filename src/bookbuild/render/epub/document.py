"""An XHTML content document: the skeleton every document shares (head with
the edition's stylesheets, body), and `Doc`, a finished one as the package
and the nav see it."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from lxml import etree

from .context import Context
from .elements import XHTML_NS, XML_LANG, E


@dataclass
class Doc:
    """A finished content document and what the nav needs to know of it."""
    file: str
    title: str
    content: bytes
    sections: list[tuple[str, str]] = field(default_factory=list)   # (id, title)
    landmark: str = ""         # epub:type for the landmarks nav, if any
    uid: str = ""


def new_document(ctx: Context, file: str, title: str, body_type: str = ""):
    """(html, body) of a document at package path `file` with the edition's CSS."""
    html = E("html")
    html.set("lang", ctx.lang)
    html.set(XML_LANG, ctx.lang)
    head = E("head", parent=html)
    E("meta", {"charset": "utf-8"}, parent=head)
    E("title", parent=head, text=title)
    for css in ctx.stylesheets:
        E("link", {"rel": "stylesheet", "type": "text/css",
                   "href": posixpath.relpath(css, posixpath.dirname(file) or ".")}, parent=head)
    body = E("body", {"epub:type": body_type} if body_type else {}, parent=html)
    return html, body


def backmatter_document(ctx: Context, file: str, title: str, epub_type: str, role: str, section_id: str):
    """(html, section) of a back-matter document (索引, 詞彙表, 參考書目): one
    titled section, which the print section of the same name begins a page
    with when the edition has a page_source."""
    html, body = new_document(ctx, file, title, "backmatter")
    section = E("section", {"epub:type": epub_type, "role": role, "id": section_id,
                            "aria-labelledby": f"{section_id}-title"}, parent=body)
    if ctx.pages:
        ctx.pages.emit(ctx.pages.section(section_id), file, section)
    E("h1", {"id": f"{section_id}-title"}, parent=section, text=title)
    return html, section


@dataclass(frozen=True)
class DocFacts:
    """What the package reads of a finished document: its text's characters
    (the fonts embedded) and the alt text of each of its images (the
    accessibility metadata)."""
    chars: str                 # every character of its text, once, sorted
    alts: tuple[str, ...]


def doc_facts(doc: Doc) -> DocFacts:
    html = etree.fromstring(doc.content)
    return DocFacts("".join(sorted(set("".join(html.itertext())))),
                    tuple(img.get("alt") or "" for img in html.iter(f"{{{XHTML_NS}}}img")))


class Facts:
    """DocFacts of the documents of one build, each found once: given by a kept
    chapter (chapter_cache.py) or read from the document.  Held with the
    document itself, so a document made later (a Kobo copy, a document with
    marked variation sequences) is never taken for another."""

    def __init__(self):
        self._known: dict[int, tuple[Doc, DocFacts]] = {}

    def add(self, doc: Doc, facts: DocFacts) -> None:
        self._known[id(doc)] = (doc, facts)

    def of(self, doc: Doc) -> DocFacts:
        found = self._known.get(id(doc))
        if found is not None and found[0] is doc:
            return found[1]
        facts = doc_facts(doc)
        self.add(doc, facts)
        return facts
