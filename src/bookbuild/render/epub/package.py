"""The package: ebooklib assembles the OPF (metadata, manifest, spine) and the
zip; our documents go in byte for byte (ebooklib's own XHTML re-parsing is
bypassed, it writes an empty body when a document does not parse)."""
from __future__ import annotations

import mimetypes
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ebooklib import epub

from ... import model as m
from ...config import EditionConfig
from ...isbn import isbn_urn
from . import store
from .document import Doc

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# EPUB Accessibility 1.1 §2.3: the conformance statement's exact form.
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
SUMMARY_LANG = "zh-Hant"      # the summary below is written in Traditional Chinese
_SUMMARY_PARTS = {"notes": "注釋（注號與注文互相連結）", "glossary": "詞彙表", "bibliography": "參考書目",
                  "index": "索引", "pages": "紙本頁碼"}
_MEDIA = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
          ".svg": "image/svg+xml", ".webp": "image/webp", ".otf": "font/otf", ".ttf": "font/ttf",
          ".css": "text/css"}


class RawDocument(epub.EpubHtml):
    """An XHTML document written exactly as given."""

    def __init__(self, uid: str, file_name: str, content: bytes, title: str, properties=()):
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                         title=title)
        self.content = content
        self.properties = list(properties)

    def get_content(self, default=None):
        return self.content


def media_type(path: str) -> str:
    return _MEDIA.get(Path(path).suffix.lower()) or mimetypes.guess_type(path)[0] or \
        "application/octet-stream"


def identifier(value: str) -> str:
    """book.toml's identifier as dc:identifier: `isbn:…`/`urn:isbn:…` as urn:isbn: + 13 digits."""
    return isbn_urn(value.split(":")[-1]) if value.lower().startswith(("isbn:", "urn:isbn:")) else value


def unique_identifier(book: m.Book, edition: EditionConfig) -> str:
    """The package's unique identifier: the edition's ISBN, else the book's,
    else `identifier` (TDPF: urn:isbn: and 13 digits when there is an ISBN,
    else a urn:uuid)."""
    isbn = edition.isbn or book.config.isbn
    return isbn_urn(isbn) if isbn else identifier(book.config.identifier)


def assemble(book: m.Book, edition: EditionConfig, docs: list[Doc], spine: list[str],
             resources: list[tuple[str, bytes]], cover: str | None,
             has_images: bool, source: str = "", has_index: bool = False,
             a11y: A11yFacts | None = None) -> epub.EpubBook:
    """An ebooklib book: documents (in `docs` order), resources (CSS, images,
    fonts), metadata; `spine` lists document uids in reading order.
    `source`: dc:source, the print edition whose pages the page-list gives;
    `a11y`: what the accessibility metadata may truthfully say."""
    cfg = book.config
    pub = epub.EpubBook()
    unique = unique_identifier(book, edition)
    pub.set_identifier(unique)
    if identifier(cfg.identifier) != unique:      # the book's own id (a urn:uuid) stays findable
        pub.add_metadata("DC", "identifier", identifier(cfg.identifier), {"id": "book-identifier"})
    pub.set_title(cfg.title)
    pub.set_language(edition.language)
    for i, author in enumerate(cfg.authors):
        # TDPF: each creator its role and, when there are several, its display order
        pub.add_author(author, role="aut", uid=f"creator{i + 1}")
        if len(cfg.authors) > 1:
            pub.add_metadata(None, "meta", str(i + 1), {"refines": f"#creator{i + 1}",
                                                        "property": "display-seq"})
    for name, value in (("publisher", cfg.publisher), ("date", cfg.date), ("rights", cfg.rights),
                        ("source", source)):
        if value:
            pub.add_metadata("DC", name, value)
    facts = a11y or A11yFacts(has_images, not has_images, ("index",) if has_index else ())
    _accessibility(pub, facts, source)
    pub.add_prefix(*store.IBOOKS_PREFIX)
    pub.add_metadata(None, "meta", store.specified_fonts(edition), {"property": "ibooks:specified-fonts"})
    if edition.vertical:
        # For reading systems that predate EPUB 3 writing-mode CSS (Kindle).
        pub.add_metadata(None, "meta", "", {"name": "primary-writing-mode",
                                            "content": "vertical-rl"})
    pub.set_direction("rtl" if edition.vertical else "ltr")
    for n, (path, data) in enumerate(resources, 1):
        if path == cover:
            item = epub.EpubCover(uid="cover-image", file_name=path)
            item.media_type = media_type(path)
            item.content = data
            pub.add_item(item)
            pub.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        else:
            pub.add_item(epub.EpubItem(uid=f"res{n:04d}", file_name=path,
                                       media_type=media_type(path), content=data))
    items = {}
    for doc in docs:
        props = ["nav"] if doc.uid == "nav" else []
        items[doc.uid] = RawDocument(doc.uid, doc.file, doc.content, doc.title, props)
        pub.add_item(items[doc.uid])
    pub.spine = [items[uid] for uid in spine]
    # An NCX as well: ebooklib's spine always names one, and EPUB 2 reading
    # systems still use it.
    pub.toc = [epub.Link(doc.file, doc.title, f"toc-{doc.uid}") for doc in docs
               if doc.uid not in ("nav", "cover")]
    pub.add_item(epub.EpubNcx())
    return pub


@dataclass(frozen=True)
class A11yFacts:
    """What the finished documents are: whether they have images, whether
    every image has a text alternative, and which parts the book has
    (`notes`, `glossary`, `bibliography`, `index`)."""
    images: bool
    all_described: bool
    parts: tuple[str, ...] = ()


def _accessibility(pub: epub.EpubBook, facts: A11yFacts, source: str = "") -> None:
    """Schema.org accessibility metadata that is true of this EPUB. Visual
    content is textual-sufficient only when every image is described.
    `dcterms:conformsTo` is claimed when the writer's markup meets it (the
    tests run Ace on it) and no image lacks a description; the certifier
    (`a11y:certifiedBy`) is the publisher's to add, never ours."""
    modes = ["textual"] + (["visual"] if facts.images else [])
    for mode in modes:
        pub.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    if facts.all_described:
        pub.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    if facts.images:
        pub.add_metadata(None, "meta", "textual,visual", {"property": "schema:accessModeSufficient"})
    extra = (("alternativeText",) if facts.images and facts.all_described else ()) + (
        ("pageBreakMarkers", "pageNavigation") if source else ()) + (
        ("index",) if "index" in facts.parts else ())
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder",
                    "displayTransformability") + extra:
        pub.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    pub.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    pub.add_metadata(None, "meta", summary(facts, bool(source)),
                     {"property": "schema:accessibilitySummary", XML_LANG: SUMMARY_LANG})
    if source:       # EPUB Accessibility 1.1 §4.2: where the page-list's pages come from
        pub.add_metadata(None, "meta", source, {"property": "pageBreakSource"})
    if facts.all_described:
        pub.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})


def summary(facts: A11yFacts, pages: bool) -> str:
    """The accessibility summary, naming only the parts this EPUB has."""
    parts = [_SUMMARY_PARTS[p] for p in ("notes", "glossary", "bibliography", "index") if p in facts.parts]
    parts += [_SUMMARY_PARTS["pages"]] if pages else []
    has = "、".join(["目次", "地標導覽"] + parts)
    images = ("；圖片皆附文字說明" if facts.all_described else "；部分圖片缺少文字說明") if facts.images else ""
    return f"本書為可重排的電子書，含{has}{images}；文字皆為真實文字，可由輔助科技朗讀。"


class _Writer(epub.EpubWriter):
    """ebooklib's writer, with the package's own xml:lang (Ace's epub-lang:
    the OPF's language for its metadata, the book's language)."""

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def write(self):
        """ebooklib's write, its entries stored: reproducible_zip.py reads them
        back and deflates them once, so compressing them here was thrown away."""
        self.out = zipfile.ZipFile(self.file_name, "w", zipfile.ZIP_STORED)
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()


def write(pub: epub.EpubBook, path: Path, mtime: datetime) -> None:
    """ebooklib's writer; write errors are raised (never a silent failure)."""
    writer = _Writer(str(path), pub, {"raise_exceptions": True, "mtime": mtime,
                                      "epub2_guide": False, "epub3_landmark": False,
                                      "epub3_pages": False})
    writer.process()
    writer.write()
