"""The package: ebooklib assembles the OPF (metadata, manifest, spine) and the
zip; our documents go in byte for byte (ebooklib's own XHTML re-parsing is
bypassed, it writes an empty body when a document does not parse)."""
from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path

from ebooklib import epub

from ... import model as m
from ...config import EditionConfig, isbn_urn
from . import store
from .document import Doc

A11Y_SUMMARY = ("本書為可重排的電子書，含目次、地標導覽、章末或書末注釋（注號與注文互相連結）、"
                "詞彙表與參考書目；文字皆為真實文字，可由輔助科技朗讀。")
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
             has_images: bool, source: str = "", has_index: bool = False) -> epub.EpubBook:
    """An ebooklib book: documents (in `docs` order), resources (CSS, images,
    fonts), metadata; `spine` lists document uids in reading order.
    `source`: dc:source, the print edition whose pages the page-list gives."""
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
    _accessibility(pub, has_images, bool(source), has_index)
    if source:      # W3C Page Source Identification (EPUBCheck 5.2+ accepts it): the page-list's source
        pub.add_metadata(None, "meta", source, {"property": "pageBreakSource"})
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


def _accessibility(pub: epub.EpubBook, has_images: bool, pages: bool = False,
                   index: bool = False) -> None:
    modes = ["textual"] + (["visual"] if has_images else [])
    for mode in modes:
        pub.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    pub.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    extra = (("alternativeText",) if has_images else ()) + (
        ("pageBreakMarkers", "pageNavigation") if pages else ()) + (("index",) if index else ())
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder",
                    "displayTransformability") + extra:
        pub.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    pub.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    pub.add_metadata(None, "meta", A11Y_SUMMARY, {"property": "schema:accessibilitySummary"})


def write(pub: epub.EpubBook, path: Path, mtime: datetime) -> None:
    """ebooklib's writer with write errors raised (never a silent failure)."""
    epub.write_epub(str(path), pub, {"raise_exceptions": True, "mtime": mtime,
                                     "epub2_guide": False, "epub3_landmark": False,
                                     "epub3_pages": False})
