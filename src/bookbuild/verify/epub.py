"""Re-open a written EPUB and check what ebooklib would let slip.

    verify_epub(path, book) -> list[str]   (problems; empty when all is well)

- the archive: `mimetype` first, stored, exactly application/epub+zip;
- every XHTML document of the manifest parses and has a non-empty body
  (ebooklib writes an empty body when a document does not parse);
- every call of a note (`epub:type="noteref"`, or a `.again` link) resolves to
  a note in the package and has an id; every note is called and links back to
  each of its calls, and to nothing else;
- every internal link resolves;
- the spine lists the chapters in book.toml order, each under its title.
"""
from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree

from .. import model as m

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf",
      "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def verify_epub(path: Path, book: m.Book | None = None) -> list[str]:
    """`book`: the model the EPUB was made from (for a zh-Hans edition, the
    converted copy), for the spine and title checks."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _verify(zf, book)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"cannot open the EPUB: {exc}"]


def _verify(zf: zipfile.ZipFile, book) -> list[str]:
    problems: list[str] = []
    infos = zf.infolist()
    if not infos or infos[0].filename != "mimetype" or infos[0].compress_type != zipfile.ZIP_STORED \
            or zf.read("mimetype") != b"application/epub+zip":
        problems.append("mimetype is not the first, stored entry reading application/epub+zip")
    try:
        container = etree.fromstring(zf.read("META-INF/container.xml"), _PARSER)
        opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        opf = etree.fromstring(zf.read(opf_path), _PARSER)
    except (KeyError, IndexError, etree.XMLSyntaxError) as exc:
        return problems + [f"no readable package document: {exc}"]
    base = posixpath.dirname(opf_path)
    manifest = {i.get("id"): posixpath.join(base, i.get("href"))
                for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    xhtml = [posixpath.join(base, i.get("href")) for i in opf.xpath(
        "//opf:manifest/opf:item[@media-type='application/xhtml+xml']", namespaces=NS)]
    docs = {}
    for name in xhtml:
        doc, problem = _parse_doc(zf, name)
        if problem:
            problems.append(problem)
        else:
            docs[name] = doc
    ids = _ids(docs)
    problems += _check_links(docs, ids)
    problems += _check_notes(docs, ids)
    spine = [manifest.get(r.get("idref")) for r in opf.xpath("//opf:spine/opf:itemref", namespaces=NS)]
    if book is not None:
        problems += _check_spine(spine, docs, book)
    return problems


def _parse_doc(zf, name):
    try:
        doc = etree.fromstring(zf.read(name), _PARSER)
    except KeyError:
        return None, f"{name} is in the manifest but not in the archive"
    except etree.XMLSyntaxError as exc:
        return None, f"{name} does not parse: {exc}"
    body = doc.find("h:body", NS)
    if body is None or (len(body) == 0 and not (body.text or "").strip()):
        return None, f"{name} has an empty body"
    return doc, None


def _ids(docs) -> dict[str, dict[str, etree._Element]]:
    # (found by XPath, in lxml's C, rather than a Python loop over every element)
    return {name: {el.get("id"): el for el in doc.xpath("//*[@id != '']")} for name, doc in docs.items()}


def _resolve(name: str, href: str) -> tuple[str, str]:
    target, _, frag = href.partition("#")
    file = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
    return file, frag


def _check_links(docs, ids) -> list[str]:
    problems = []
    for name, doc in docs.items():
        for a in doc.iterfind(".//h:a[@href]", NS):
            href = a.get("href")
            if ":" in href.split("#")[0]:
                continue                       # external URL
            file, frag = _resolve(name, href)
            if file not in ids:
                problems.append(f"{name}: link {href} points to a missing document")
            elif frag and frag not in ids[file]:
                problems.append(f"{name}: link {href} points to a missing id")
    return problems


def _check_notes(docs, ids) -> list[str]:
    problems = []
    calls: dict[tuple[str, str], set[tuple[str, str]]] = {}     # note -> every (file, id) calling it
    for name, doc in docs.items():
        for a in doc.iterfind(".//h:a[@href]", NS):
            if a.get(EPUB_TYPE) != "noteref" and "again" not in (a.get("class") or "").split():
                continue
            file, frag = _resolve(name, a.get("href"))
            target = ids.get(file, {}).get(frag)
            if target is None or target.get(EPUB_TYPE) not in ("footnote", "endnote"):
                problems.append(f"{name}: noteref {a.get('href')} does not reach a note")
                continue
            if not a.get("id"):
                problems.append(f"{name}: a call of {frag} has no id to link back to")
                continue
            calls.setdefault((file, frag), set()).add((name, a.get("id")))
    for name, doc in docs.items():
        for note in doc.xpath("//*[@epub:type = 'footnote' or @epub:type = 'endnote'][@id != '']", namespaces=NS):
            key = (name, note.get("id"))
            if key not in calls:
                problems.append(f"{name}: note {note.get('id')} is never called")
                continue
            backs = {_resolve(name, a.get("href")) for a in note.iterfind(".//h:a[@role='doc-backlink']", NS)}
            if not backs:
                problems.append(f"{name}: note {note.get('id')} has no back-link")
            elif backs != calls[key]:
                problems.append(f"{name}: the back-links of {note.get('id')} miss its calls")
    return problems


def _check_spine(spine: list[str | None], docs, book: m.Book) -> list[str]:
    """Chapter documents are the ones holding a section with the chapter's id."""
    order = []
    for file in spine:
        doc = docs.get(file)
        if doc is None:
            continue
        # a kepub's body content is inside Kobo's div#book-columns > div#book-inner
        for sec in doc.xpath("h:body/h:section[@id] | h:body/h:div[@id='book-columns']/h:div[@id='book-inner']"
                             "/h:section[@id]", namespaces=NS):
            order.append((sec.get("id"), sec))
    wanted = [ch.id for ch in book.chapters]
    found = [ident for ident, _ in order if ident in set(wanted)]
    problems = []
    if found != wanted:
        problems.append(f"spine order of chapters is {found}, book.toml says {wanted}")
    sections = dict(order)
    for ch in book.chapters:
        title = m.plain_text(ch.title).strip()
        sec = sections.get(ch.id)
        h1 = sec.find("h:h1", NS) if sec is not None else None
        text = "".join(h1.itertext()) if h1 is not None else ""
        if title and not _loosely_in(title, text):
            problems.append(f"chapter {ch.file}: its document's heading is {text!r}, not {title!r}")
    return problems


def _loosely_in(title: str, text: str) -> bool:
    """The title survives normalization except for punctuation and spaces."""
    keep = lambda s: [c for c in s if c.isalnum()]  # noqa: E731
    return "".join(keep(title)) in "".join(keep(text)) or len(keep(title)) == 0
