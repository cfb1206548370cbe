"""Kobo's span markup, the pass that makes the kepub edition (NAME.kepub.epub).

Kobo gives its WebKit renderer (the one that lays out vertical text) only to
`.kepub.epub` files, and its highlights, bookmarks and reading statistics
address the text through markup of its own.  The scheme, as kepubify
(pgaskin/kepubify, kepub/transform.go) documents it from Kobo's books:

- a document's body content sits in `div#book-columns > div#book-inner`;
- every sentence-sized run of text is in `<span class="koboSpan" id="kobo.P.S">`:
  P counts the document's text blocks from 1, S the segments within a block
  from 1; a new block starts at the first text after a block element opens;
- an image is a block of its own: `kobo.P.1` around the `img`.

This is our own implementation on lxml.  It splits after Chinese and Latin
sentence ends (。！？… and `.!?` before a space) with the closing quotes and
brackets that follow them, treats headings, list items, table cells and
captions as blocks (kepubify only counts p, ol, ul, table), and leaves ruby
annotations (`rt`, `rp`) and `pre` unsplit.  The text is unchanged: a span
only wraps text that was there.  The nav document is not passed through it
(its links are not reading text, and EPUBCheck expects its `nav`s as they are).
"""
from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from .document import Doc
from .elements import XHTML_NS, serialize

_H = f"{{{XHTML_NS}}}"
_BLOCKS = {_H + t for t in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th",
                            "caption", "figcaption")}
_UNSPLIT = {_H + t for t in ("script", "style", "pre", "audio", "video", "rt", "rp", "math")} | {
    "{http://www.w3.org/2000/svg}svg", "{http://www.w3.org/1998/Math/MathML}math"}
# A sentence ends at 。！？… (any run of them), or at . ! ? before a space or the
# end, with the closing quotes and brackets and the spaces after it.
_SENTENCE_END = re.compile(r"(?:[。！？…]+|[.!?]+(?=\s|$))[」』）〕》〉\"'”’)\]]*\s*")


def sentences(text: str) -> list[str]:
    """text cut after each sentence end; the pieces join back to text."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start:match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


class _Counter:
    """kobo.P.S numbering: a block opens P+1 lazily, at its first span."""

    def __init__(self):
        self.para = 0
        self.seg = 0
        self.block_opened = True     # the first text of the body starts block 1

    def next_id(self) -> str:
        if self.block_opened:
            self.para, self.seg, self.block_opened = self.para + 1, 0, False
        self.seg += 1
        return f"kobo.{self.para}.{self.seg}"

    def image_id(self) -> str:
        self.block_opened = True
        ident = self.next_id()
        self.block_opened = True     # the text after an image is a new block
        return ident


def _span(ident: str, text: str | None = None) -> etree._Element:
    span = etree.Element(_H + "span", {"class": "koboSpan", "id": ident})
    span.text = text
    return span


def _wrapped(text: str, counter: _Counter) -> list[etree._Element | str]:
    """text as koboSpans; a whitespace-only piece stays plain text."""
    return [piece if not piece.strip() else _span(counter.next_id(), piece) for piece in sentences(text)]


def _place(parent: etree._Element, index: int, parts: list, before_text: bool) -> None:
    """Put `parts` (spans and plain strings) into parent at child position
    `index`; `before_text`: they replace parent.text (else a child's tail)."""
    prev = None if before_text else parent[index - 1]
    for part in parts:
        if isinstance(part, str):
            if prev is None:
                parent.text = (parent.text or "") + part
            else:
                prev.tail = (prev.tail or "") + part
            continue
        parent.insert(index, part)
        index += 1
        prev = part


def _walk(el: etree._Element, counter: _Counter) -> None:
    if el.tag in _BLOCKS:
        counter.block_opened = True
    children = list(el)      # taken first: the spans placed below are not walked again
    if el.text:
        text, el.text = el.text, None
        _place(el, 0, _wrapped(text, counter), before_text=True)
    for child in children:
        if not isinstance(child.tag, str):      # comment, processing instruction
            pass
        elif child.tag == _H + "img":
            _wrap_image(child, counter)
            child = child.getparent()            # the span now holds the image and carries its tail
        elif child.tag not in _UNSPLIT:
            _walk(child, counter)
        if child.tail:
            tail, child.tail = child.tail, None
            parent = child.getparent()
            _place(parent, parent.index(child) + 1, _wrapped(tail, counter), before_text=False)


def _wrap_image(img: etree._Element, counter: _Counter) -> None:
    parent = img.getparent()
    span = _span(counter.image_id())
    span.tail, img.tail = img.tail, None
    parent.replace(img, span)
    span.append(img)


def kobo_document(content: bytes) -> bytes:
    """A content document with Kobo's div wrappers and spans."""
    root = etree.fromstring(content)
    body = root.find(_H + "body")
    columns = etree.Element(_H + "div", {"id": "book-columns"})
    inner = etree.SubElement(columns, _H + "div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)           # moves it, with its tail
    body.append(columns)
    _walk(inner, _Counter())
    return serialize(root)


def kobo_documents(docs: list[Doc]) -> list[Doc]:
    """Every document but the nav with Kobo's markup."""
    return [doc if doc.uid == "nav" else replace(doc, content=kobo_document(doc.content)) for doc in docs]
