"""The preview's HTTP side: stdlib ThreadingHTTPServer, one thread per request.

Everything it serves comes from a *published* build generation (see
builder.py), read through `Builder.current()`; nothing here writes into the
book.  A failing request answers 500 with one line, never a traceback, and
never stops the server.
"""
from __future__ import annotations

import json
import mimetypes
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..atomic import write_bytes
from ..proof import raster
from . import pages
from .assets import LIVE_JS
from .builder import Builder

TYPES = {".xhtml": "application/xhtml+xml", ".opf": "application/xml", ".ncx": "application/xml",
         ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
MAX_SOURCE = 8 << 20     # bytes of a source file the viewer shows
PING = 10.0              # seconds between SSE keep-alives (and shutdown checks)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True           # an open /events stream never blocks exit
    allow_reuse_address = True

    def __init__(self, host: str, port: int, root: Path, builder: Builder):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.root, self.builder = root, builder
        self.stopping = False
        self._page_counts: dict[Path, int] = {}

    def handle_error(self, request, client_address):
        print(f"bookbuild serve: request from {client_address[0]} failed: {sys.exc_info()[1]}",
              file=sys.stderr)

    def page_count(self, pdf: Path) -> int:
        if pdf not in self._page_counts:
            self._page_counts[pdf] = len(raster.page_sizes(pdf))
        return self._page_counts[pdf]


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "bookbuild-serve"

    def log_message(self, format, *args):  # quiet: the terminal shows builds, not requests
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        try:
            self._route(path, query)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # one request failed; the server goes on
            self._send(500, f"bookbuild serve: {type(e).__name__}: {e}\n".encode(), "text/plain")

    # --------------------------------------------------------------- routes
    def _route(self, path: str, query: dict) -> None:
        b = self.server.builder
        parts = [p for p in path.split("/") if p]
        if path == "/":
            snap = b.snapshot()
            eds = [b.current(n) for n in snap["editions"]]
            return self._html(pages.index_page(self.server.root, snap, eds, b.diagnostics()))
        if path == "/events":
            return self._events()
        if path == "/_bookbuild/live.js":
            return self._send(200, LIVE_JS.encode(), "text/javascript", cache=False)
        if path == "/source":
            return self._source(query)
        if len(parts) >= 2 and parts[0] in ("epub", "print", "file"):
            ed = b.current(parts[1])
            if ed is None:
                return self._send(404, b"no such edition\n", "text/plain")
            if not ed.gen:
                live = pages.live_tag(edition=ed.name, gen=0)
                return self._html(pages.message_page(f"{ed.name}: not built yet",
                                                     ed.failed or "building…", live))
            if parts[0] == "file":
                return self._file(ed.output)
            if parts[0] == "epub":
                return self._epub(ed, parts[2:])
            return self._print(ed, parts[2:], query)
        self._send(404, b"not found\n", "text/plain")

    def _epub(self, ed, rest: list[str]) -> None:
        base = ed.path / "epub"
        docs = pages.spine(base)
        if not rest:
            return self._html(pages.contents_page(ed.name, ed.gen, [(p, pages.doc_title(base / p)) for p in docs]))
        rel = "/".join(rest)
        target = _inside(base, rel)
        if target is None:
            return self._send(404, b"not found\n", "text/plain")
        data = target.read_bytes()
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".xhtml", ".html"):
            i = docs.index(rel) if rel in docs else -1
            prev = f"/epub/{ed.name}/{docs[i - 1]}" if i > 0 else ""
            nxt = f"/epub/{ed.name}/{docs[i + 1]}" if 0 <= i < len(docs) - 1 else ""
            data = pages.inject_live(data, pages.live_tag(edition=ed.name, gen=ed.gen, prev=prev, next=nxt))
        self._send(200, data, ctype + ("; charset=utf-8" if ctype.startswith(("text/", "application/x")) else ""),
                   cache=False)

    def _print(self, ed, rest: list[str], query: dict) -> None:
        pdf = ed.output
        count = self.server.page_count(pdf)
        if not rest:
            width = _width(query, 480)
            return self._html(pages.print_page(ed.name, ed.gen, count, width))
        if len(rest) == 2 and rest[0] == "page" and rest[1].endswith(".png") and rest[1][:-4].isdigit():
            n = int(rest[1][:-4])
            if not 1 <= n <= count:
                return self._send(404, b"no such page\n", "text/plain")
            width = _width(query, 480)
            cached = ed.path / "pages" / f"{n}-{width}.png"
            if not cached.is_file():   # rendered on first request, kept for the generation
                write_bytes(cached, raster.render_png(pdf, n - 1, width))
            return self._send(200, cached.read_bytes(), "image/png", cache=True)
        self._send(404, b"not found\n", "text/plain")

    def _file(self, path: Path) -> None:
        ctype = {".epub": "application/epub+zip", ".pdf": "application/pdf"}[path.suffix]
        self._send(200, path.read_bytes(), ctype, cache=False)

    def _source(self, query: dict) -> None:
        rel = query.get("file", [""])[0]
        target = _inside(self.server.root, rel)
        if target is None or target.stat().st_size > MAX_SOURCE:
            return self._send(404, b"no such source file in the book\n", "text/plain")
        line, col = _int(query, "line", 1), _int(query, "col", 1)
        text = target.read_bytes().decode("utf-8", errors="replace")
        self._html(pages.source_page(self.server.root, rel, line, col, text, self.server.builder.revision))

    def _events(self) -> None:
        """Server-Sent Events: the build state now, then on every change."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        b = self.server.builder
        snap = b.snapshot()
        self._event(snap)
        while not self.server.stopping:
            new = b.wait(snap["revision"], snap["status"], PING)
            if (new["revision"], new["status"]) == (snap["revision"], snap["status"]):
                self.wfile.write(b": ping\n\n")    # also how a closed tab is noticed
                self.wfile.flush()
                continue
            snap = new
            self._event(snap)

    # -------------------------------------------------------------- output
    def _event(self, snap: dict) -> None:
        self.wfile.write(f"event: state\ndata: {json.dumps(snap)}\n\n".encode())
        self.wfile.flush()

    def _html(self, text: str) -> None:
        self._send(200, text.encode(), "text/html; charset=utf-8", cache=False)

    def _send(self, status: int, data: bytes, ctype: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.end_headers()
        self.wfile.write(data)


def _inside(base: Path, rel: str) -> Path | None:
    """`base/rel` if it is a file inside base (no `..`, no symlink out), else None."""
    if not rel:
        return None
    target = (base / rel).resolve()
    return target if target.is_relative_to(base.resolve()) and target.is_file() else None


def _int(query: dict, key: str, default: int) -> int:
    try:
        return max(1, int(query.get(key, [default])[0]))
    except ValueError:
        return default


def _width(query: dict, default: int) -> int:
    """Page image width: clamped and rounded, so the per-generation cache stays small."""
    w = _int(query, "w", default)
    return min(2000, max(100, round(w / 40) * 40))
