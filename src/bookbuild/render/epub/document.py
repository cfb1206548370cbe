"""An XHTML content document: the skeleton every document shares (head with
the edition's stylesheets, body), and `Doc`, a finished one as the package
and the nav see it."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from .context import Context
from .elements import XML_LANG, E


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
