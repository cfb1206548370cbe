"""XHTML content documents: the skeleton every document shares, serialized."""
from __future__ import annotations

import posixpath

from lxml import etree

from .context import Context
from .xhtml import XML_LANG, E

DOCTYPE = b"<!DOCTYPE html>"


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


def serialize(html) -> bytes:
    """XML declaration, the HTML5 doctype, then the document (UTF-8)."""
    xml = etree.tostring(html, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + DOCTYPE + b"\n" + xml + b"\n"
