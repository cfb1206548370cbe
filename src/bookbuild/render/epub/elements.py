"""XHTML elements: the namespaces, the element factory `E`, appending text,
and serializing a finished document (XML declaration and HTML5 doctype)."""
from __future__ import annotations

from lxml import etree

from .langparts import mark_language_parts

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {None: XHTML_NS, "epub": OPS_NS}
DOCTYPE = b"<!DOCTYPE html>"


def E(tag: str, attrib: dict | None = None, parent=None, text: str | None = None):
    """An XHTML element (appended to parent when given)."""
    attrs = {(EPUB_TYPE if k == "epub:type" else k): v for k, v in (attrib or {}).items()}
    el = (etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}", attrs) if parent is not None
          else etree.Element(f"{{{XHTML_NS}}}{tag}", attrs, nsmap=NSMAP))
    if text:
        el.text = text
    return el


def add_text(parent, s: str) -> None:
    """Append text at the end of parent's content."""
    if not s:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + s
    else:
        parent.text = (parent.text or "") + s


def serialize(html) -> bytes:
    """XML declaration, the HTML5 doctype, then the document (UTF-8), its
    Latin and Japanese passages marked with their language (langparts.py)."""
    mark_language_parts(html)
    xml = etree.tostring(html, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + DOCTYPE + b"\n" + xml + b"\n"
