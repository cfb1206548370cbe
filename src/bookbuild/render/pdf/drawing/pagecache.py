"""Drawn pages of a pdf edition, kept between builds (issue 9: the edit loop).

Laying out the whole book is cheap (about a second); drawing it with
WeasyPrint is not (tens of ms per page).  So every build lays out everything,
computes one key per page, and WeasyPrint draws only the pages whose key is
new; the others are copied from the PDF files of earlier builds.

A page key hashes everything the drawn page depends on:

* the page's HTML (page_html.page_html: text, positions, classes, the odd/even
  placement; folio and running head only where they are not stamped after
  the merge, see finishing/stamp.py);
* the stylesheet (print.css, geometry, the book's styles) with the derived
  fonts' file URLs left out: those change with the book's character set,
  a glyph's drawing does not (see `font_identity`); and the bytes of any
  other local file the stylesheet names with url();
* the font identity (source font files, the deriving code);
* the code that draws and turns pages (draw.draw_range, turn.turn_page,
  turn.retag_fonts), and the versions of WeasyPrint, pydyf and pikepdf;
* whether the pages are turned (vertical editions).

Layout of cache_dir/pages/<edition>/:

    index.json    {"pages": {key: [chunk, i]}, "chunks": {chunk: {"fonts": {family: file}}}}
    <chunk>.pdf   the pages one WeasyPrint run drew, turned, with their own subsets
    text.bin      a header line ({"stamp": …, "sha256": …, "index": n}), an index (JSON:
                  {key: [offset, length, glyphs, fonts, link areas]}) and the compressed contents:
                  the text pages written without WeasyPrint (textpages.py); their glyph
                  ids are those of the derived font files in "fonts" (with each file's
                  hash: a page is reused only while its files are unchanged, and keeps
                  its own embedded font, as a chunk does); `stamp` hashes the writing
                  code: another stamp drops them all

Chunks are named by the hash of their page keys.  After a build, chunks with
no page of that build are removed.  A lock file serialises builds of one
edition (two builds at once would otherwise prune each other's chunks).

This module only keys, stores and finds drawn pages; which pages to draw,
the drawing and the merge are pages.py's.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import sys
import tempfile
import zlib
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

try:
    import fcntl
except ImportError:     # not POSIX: builds of one edition are not serialised
    fcntl = None

from ....atomic import write_bytes, write_text
from ..finishing import links, turn
from ..fonts import charset, derived
from ..layout import layout_types
from . import draw, layoutkeys, overlays, shaping, textpages
from .textpages import TextPage

_VERSION = 1
_FONT_SRC = re.compile(r"@font-face\s*\{[^}]*\}")


def _code_stamp() -> str:
    """The code that makes a chunk file from the HTML (drawing, turning,
    retagging), not the rest of turn.py, and the versions of what it calls."""
    h = hashlib.sha256(str(_VERSION).encode())
    for code in (draw.draw_range, turn.Turn, turn.turn_page, turn.turn_pages, turn.retag_fonts, turn._new_tag):
        h.update(inspect.getsource(code).encode())
    for dist in ("weasyprint", "pydyf", "pikepdf"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def context_key(css: str, font_identity: str, turned: bool, base_url: str) -> str:
    """What every page of one build shares.  The @font-face rules are left
    out (their URLs name a folder keyed on the character set); the family
    names stay in the other rules, the glyphs are in `font_identity`."""
    css = _FONT_SRC.sub("", css)
    h = hashlib.sha256(_code_stamp().encode())
    for part in (css, font_identity, str(turned), base_url):
        h.update(part.encode() + b"\0")
    for url in sorted(set(_URL.findall(css))):
        h.update(_file_digest(url, base_url))
    return h.hexdigest()


_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")


def _file_digest(url: str, base_url: str) -> bytes:
    """The bytes' hash of a local file a stylesheet names (an image that
    changes under the same name redraws the pages)."""
    parts = urlsplit(urljoin(base_url, url))
    if parts.scheme != "file":
        return url.encode()
    try:
        return hashlib.sha256(Path(url2pathname(unquote(parts.path))).read_bytes()).digest()
    except OSError:
        return b"missing:" + url.encode()


def page_keys(htmls: list[str], context: str) -> list[str]:
    base = hashlib.sha256(context.encode())
    out = []
    for html in htmls:
        h = base.copy()
        h.update(html.encode())
        out.append(h.hexdigest()[:40])
    return out


def chunk_name(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]


def text_stamp() -> str:
    """What a cached text page's content depends on besides its key and its
    derived font files (TextPage.fonts, checked page by page): the code that writes it."""
    h = hashlib.sha256(str(_VERSION).encode())
    for module in (textpages, shaping, overlays, links):    # links: the link areas kept with a page
        h.update(inspect.getsource(module).encode())
    h.update(f"uharfbuzz={metadata.version('uharfbuzz')}".encode())
    # the contents are kept compressed as qpdf would compress them: the same zlib must do it
    h.update(f"zlib={zlib.ZLIB_RUNTIME_VERSION}".encode())
    return h.hexdigest()


class PageCache:
    """The index of one edition's cached pages (see the module doc)."""

    def __init__(self, folder: Path, stamp: str = ""):
        self.folder = Path(folder)
        self.pages: dict[str, tuple[str, int]] = {}
        self.chunks: dict[str, dict] = {}
        self.stamp = stamp
        self.texts: dict[str, TextPage] = _read_texts(self.folder / TEXT_FILE, stamp) if stamp else {}
        self._texts_changed = False
        try:
            data = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
            if data.get("version") == _VERSION:
                self.pages = {k: (c, int(i)) for k, (c, i) in data["pages"].items()}
                self.chunks = dict(data["chunks"])
        except (OSError, ValueError, KeyError, TypeError):
            pass   # no cache yet, or an unreadable one: draw everything

    def path(self, chunk: str) -> Path:
        return self.folder / f"{chunk}.pdf"

    def find(self, key: str) -> tuple[str, int] | None:
        """(chunk, page index in it) of a page drawn before, if its file is there."""
        hit = self.pages.get(key)
        if hit is None or hit[0] not in self.chunks or not self.path(hit[0]).is_file():
            return None
        return hit

    def fonts(self, chunk: str) -> dict[str, str]:
        return dict(self.chunks.get(chunk, {}).get("fonts", {}))

    def add(self, chunk: str, keys: list[str], fonts: dict[str, str]) -> None:
        self.chunks[chunk] = {"fonts": dict(fonts)}
        for i, key in enumerate(keys):
            self.pages[key] = (chunk, i)

    def add_text(self, key: str, page: TextPage) -> None:
        self.texts[key] = page
        self._texts_changed = True

    def save(self, live: set[str]) -> None:
        """Keep the chunks and text pages of this build; write the index."""
        texts = {k: v for k, v in sorted(self.texts.items()) if k in live}
        if self.stamp and (self._texts_changed or len(texts) != len(self.texts)):
            _write_texts(self.folder / TEXT_FILE, self.stamp, texts)
        keep = {self.pages[k][0] for k in live if k in self.pages}
        self.chunks = {c: v for c, v in self.chunks.items() if c in keep}
        self.pages = {k: v for k, v in self.pages.items() if v[0] in keep}
        data = {"version": _VERSION, "chunks": self.chunks,
                "pages": {k: list(v) for k, v in sorted(self.pages.items())}}
        try:
            write_text(self.folder / "index.json", json.dumps(data, ensure_ascii=False))
            for path in self.folder.glob("*.pdf"):
                if path.stem not in keep:
                    path.unlink(missing_ok=True)
            (self.folder / "text.json").unlink(missing_ok=True)     # text pages as kept before 2026-12-07
        except OSError:
            pass    # best effort, like the check cache: the next build draws more


TEXT_FILE = "text.bin"


def _read_texts(path: Path, stamp: str | None) -> dict[str, TextPage]:
    """The text pages of earlier builds (`stamp` None: whatever stamp they have).

    The file is a header line (stamp, the sha256 of the rest, the index's
    length), the index as JSON — {"fonts": [a page's fonts, …], "pages":
    {key: [offset, length, glyphs, fonts, link areas]}} — and the pages' compressed content
    streams, one after the other.  A file that is not exactly what _write_texts
    wrote is not read, so its values need no checking one by one.  Not one
    JSON document: the contents as JSON strings took 0.3 s to read back on the
    stress book, and are never needed as text."""
    try:
        data = path.read_bytes()
        start = data.index(b"\n") + 1
        header = json.loads(data[:start])
        if (stamp is not None and header.get("stamp") != stamp) \
                or header.get("sha256") != hashlib.sha256(memoryview(data)[start:]).hexdigest():
            return {}
        blob = start + int(header["index"])
        index = json.loads(data[start:blob])
        fonts = [tuple(map(tuple, f)) for f in index["fonts"]]
        return {k: TextPage(data[blob + at:blob + at + size], {f: tuple(g) for f, g in glyphs.items()}, fonts[i],
                            links)
                for k, (at, size, glyphs, i, links) in index["pages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return {}   # no cache yet, or an unreadable one: write the pages again


def stored_text_pages(folder: Path) -> dict[str, TextPage]:
    """The text pages a cache folder holds, whatever code wrote them (tests, tools)."""
    return _read_texts(Path(folder) / TEXT_FILE, None)


def _write_texts(path: Path, stamp: str, texts: dict[str, TextPage]) -> None:
    fonts: dict[tuple, int] = {}
    pages, at = {}, 0
    for k, t in texts.items():
        pages[k] = [at, len(t.content), t.glyphs, fonts.setdefault(t.fonts, len(fonts)), t.links]
        at += len(t.content)
    index = json.dumps({"fonts": list(fonts), "pages": pages}, separators=(",", ":")).encode("ascii")
    body = index + b"".join(t.content for t in texts.values())
    head = json.dumps({"stamp": stamp, "sha256": hashlib.sha256(body).hexdigest(), "index": len(index)})
    try:
        write_bytes(path, head.encode("ascii") + b"\n" + body)
    except OSError:
        pass    # best effort, like the index


class PageChars:
    """Each page's characters (fonts/charset.column_chars) by its columns'
    digest (layoutkeys.column_digests), kept between builds in
    pages/<edition>/chars.json: a header line (stamp, the sha256 of the rest)
    and {digest: chars}; a file not exactly as written is not read.  The
    stamp hashes the code that finds them and the code that makes the digest."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / "chars.json"
        h = hashlib.sha256(f"{_VERSION}|{sys.version}".encode())
        for module in (charset, layoutkeys, layout_types):
            h.update(inspect.getsource(module).encode())
        self.stamp = h.hexdigest()
        self.pages: dict[str, list] = {}
        try:
            head, _, body = self.path.read_bytes().partition(b"\n")
            header = json.loads(head)
            if header.get("stamp") == self.stamp and header.get("sha256") == hashlib.sha256(body).hexdigest():
                self.pages = json.loads(body)
        except (OSError, ValueError, AttributeError):
            pass    # none yet, or unreadable: the characters are found again

    def known(self, digests: list[bytes | None]) -> list[list | None]:
        return [self.pages.get(d.hex()) if d is not None else None for d in digests]

    def save(self, digests: list[bytes | None], made: dict[int, list]) -> None:
        """Keep the pages of this build (best effort)."""
        pages = {}
        for i, d in enumerate(digests):
            if d is not None:
                pages[d.hex()] = made[i] if i in made else self.pages[d.hex()]
        if pages.keys() == self.pages.keys():
            return
        body = json.dumps(pages, ensure_ascii=False, separators=(",", ":")).encode()
        head = json.dumps({"stamp": self.stamp, "sha256": hashlib.sha256(body).hexdigest()}).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(self.path, head + b"\n" + body)
        except OSError:
            pass


@contextmanager
def locked(folder: Path):
    """Hold the edition's cache folder for one build; yields the folder to
    use.  A folder that cannot be written (read-only book) gives a temporary
    one: the build works, nothing is reused."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        with tempfile.TemporaryDirectory(prefix="bookbuild-pages-") as tmp:
            yield Path(tmp)
        return
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)


def font_identity(family: str, vertical: bool, font_cache: Path, fallback: tuple[str, ...] = ()) -> str:
    """What decides how a glyph of the derived faces is drawn — the source
    font files and the deriving code — but not which glyphs they hold: a new
    character in one chapter rebuilds the derived font, yet the other pages,
    drawn with the same glyphs, are reused (subsets.py keeps each font file's
    pages on their own embedded font)."""
    parts = [derived.code_version(), family, str(vertical)]
    for bold in (False, True):
        for ref in derived.chain_refs(family, fallback, bold, font_cache):
            parts += [derived.file_hash(font_cache, ref.path), str(ref.index)]
    return "|".join(parts)
