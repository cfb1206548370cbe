"""Issue 10 item 5: a book from someone else cannot make bookbuild read or
send anything outside its root, and hostile sizes are bounded.

Hostile references (file:///etc/passwd, http://127.0.0.1:PORT/…, ../../,
a symlink in assets/ pointing out) in styles/all.css, as `![](…)` and as a
raw `<img src>`: each is a diagnostic at its file:line (BB508 outside/remote,
BB509 missing or not an image, BB510 over a limit); a local HTTP server
proves no request is ever made.  Decision (docs/FORMAT.md): such a book does
not build the edition (exit 1, the previous output stays).
"""
from __future__ import annotations

import json
import os
import struct
import threading
import time
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from helpers.books import BOOK_TOML, CHAPTER, make_book
from helpers.cli import bookbuild
from helpers.epub import epubcheck_problems

# ------------------------------------------------------------ helpers

@pytest.fixture
def server():
    """A local HTTP server that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], hits
    srv.shutdown()
    srv.server_close()


def png(path: Path, size=(8, 8), color=(200, 30, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path


def bomb_png(path: Path, width: int, height: int) -> Path:
    """A PNG of a few dozen bytes whose header claims width × height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
                     + chunk(b"IEND", b""))
    return path


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


@pytest.fixture
def hostile(tmp_path, server):
    """A book whose stylesheet and chapter name every kind of forbidden file."""
    port, hits = server
    root = tmp_path / "shelf" / "book"
    png(tmp_path / "outside.png")                      # ../../outside.png from the book root
    png(tmp_path / "shelf" / "outside.png")            # … and from manuscript/
    css = (f"p.a {{ background-image: url(file:///etc/passwd); }}\n"
           f"p.b {{ background-image: url(http://127.0.0.1:{port}/css.png); }}\n"
           f"p.c {{ background-image: url(../../outside.png); }}\n"
           f"p.d {{ background-image: url(\"assets/link.png\"); }}\n"
           f"p.e {{ list-style-image: url(assets/fake.png); }}\n"
           f"p.f {{ background-image: url(assets/bomb.png); }}\n"
           f"p.g {{ background-image: url(assets/missing.png); }}\n"
           f"@import \"http://127.0.0.1:{port}/more.css\";\n")
    chapter = (CHAPTER + f"\n![遠端](http://127.0.0.1:{port}/chapter.png)\n\n![外](../../outside.png)\n\n"
               f"raw <img src=\"file:///etc/passwd\"> here\n\n![連結](../assets/link.png)\n")
    make_book(root, {"styles/all.css": css, "manuscript/01.md": chapter})
    (root / "assets").mkdir()
    os.symlink(tmp_path / "outside.png", root / "assets" / "link.png")
    (root / "assets" / "fake.png").write_text("not an image", encoding="utf-8")
    bomb_png(root / "assets" / "bomb.png", 100_000, 100_000)
    expected = {
        ("BB508", "styles/all.css", 1), ("BB508", "styles/all.css", 2), ("BB508", "styles/all.css", 3),
        ("BB508", "styles/all.css", 4), ("BB509", "styles/all.css", 5), ("BB510", "styles/all.css", 6),
        ("BB509", "styles/all.css", 7),     # line 8, @import: never followed, not reported
        ("BB508", "manuscript/01.md", _line_of(chapter, "http://127.0.0.1")),
        ("BB508", "manuscript/01.md", _line_of(chapter, "](../../outside.png")),
        ("BB508", "manuscript/01.md", _line_of(chapter, "<img")),
        ("BB508", "manuscript/01.md", _line_of(chapter, "../assets/link.png")),
    }
    return root, hits, expected


# ------------------------------------------------------------ end to end

def test_epub_refuses_hostile_references(hostile, tmp_path):
    root, hits, expected = hostile
    out = tmp_path / "out"
    proc = bookbuild("build", "--edition", "epub", "--format", "json", "--out", str(out), cwd=root, with_src=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    diags = json.loads(proc.stdout)["diagnostics"]
    got = {(d["code"], d["file"], d["line"]) for d in diags if d["severity"] == "error"}
    assert got == expected
    assert all(d["column"] >= 1 and d["hint"] for d in diags)
    assert not (out / "epub.epub").exists()
    assert hits == []


def test_pdf_fetches_nothing_outside(hostile, tmp_path):
    """The print edition: nothing fetched from the network or outside the root;
    whatever PDF comes out holds no outside image and no byte of /etc/passwd."""
    root, hits, _ = hostile
    out = tmp_path / "out"
    proc = bookbuild("build", "--edition", "print", "--format", "json", "--out", str(out), cwd=root, with_src=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    json.loads(proc.stdout)
    assert hits == []
    pdf_path = out / "print.pdf"
    if pdf_path.exists():
        with pikepdf.open(pdf_path) as pdf:
            images = [k for page in pdf.pages for k, v in page.get_images().items()]
            assert images == []          # every image of the stylesheet was refused
            root_line = Path("/etc/passwd").read_bytes().split(b"\n")[0]
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    assert root_line not in obj.read_bytes()


def test_fetcher_refuses_and_reports(tmp_path, server):
    """WeasyPrint through the fetcher, with raw <img> and url() as a renderer
    could meet them: only the image under the root is drawn."""
    from bookbuild.render.pdf.drawing.draw import draw_range
    port, hits = server
    root = tmp_path / "shelf" / "book"
    png(root / "assets" / "ok.png")
    png(tmp_path / "outside.png")
    os.symlink(tmp_path / "outside.png", root / "assets" / "link.png")
    bomb_png(root / "assets" / "bomb.png", 12_000, 12_000)      # 144 Mpx: only a warning for Pillow
    html = (f"<html><head><style>div {{ background-image: url(http://127.0.0.1:{port}/bg.png); "
            f"width: 10px; height: 10px }}</style></head><body><div></div>"
            f"<img src=\"file:///etc/passwd\"><img src=\"../../outside.png\"><img src=\"assets/link.png\">"
            f"<img src=\"http://127.0.0.1:{port}/img.png\"><img src=\"assets/bomb.png\">"
            f"<img src=\"assets/ok.png\"></body></html>")
    part = draw_range(html, root.resolve().as_uri() + "/", [root], tmp_path / "part.pdf", 0, turn_pages=False)
    codes = {url.rsplit("/", 1)[-1]: code for url, code, _ in part.refusals}
    assert codes == {"bg.png": "BB508", "passwd": "BB508", "outside.png": "BB508", "link.png": "BB508",
                     "img.png": "BB508", "bomb.png": "BB510"}
    assert hits == []
    with pikepdf.open(tmp_path / "part.pdf") as pdf:
        sizes = [(int(v.Width), int(v.Height)) for page in pdf.pages for v in page.get_images().values()]
    assert sizes == [(8, 8)]                 # ok.png alone
    assert not any("Decompression" in m for m in part.messages)


def test_epub_packages_only_checked_images(tmp_path, server):
    """Allowed images (a chapter's and the stylesheet's) are packaged and the
    CSS points at the packaged copy; nothing names the outside world."""
    port, hits = server
    root = make_book(tmp_path / "book", {
        "styles/all.css": "h1 { background-image: url(assets/bg.png); }\n",
        "manuscript/01.md": CHAPTER + "\n![圖一](../assets/fig.png)\n"})
    png(root / "assets" / "bg.png", color=(1, 2, 3))
    png(root / "assets" / "fig.png", color=(4, 5, 6))
    out = tmp_path / "out"
    proc = bookbuild("build", "--edition", "epub", "--format", "json", "--out", str(out), cwd=root, with_src=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(out / "epub.epub") as zf:
        names = zf.namelist()
        # the typographic cover bookbuild draws itself (the book has no cover image) is ours, not the book's
        images = sorted(n for n in names if ("/images/" in n or n.startswith("images/"))
                        and not n.rsplit("/", 1)[-1].startswith("cover"))
        payload = {zf.read(n) for n in images}
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.endswith((".css", ".xhtml", ".opf"))}
    assert payload == {(root / "assets" / "bg.png").read_bytes(), (root / "assets" / "fig.png").read_bytes()}
    book_css = next(t for n, t in texts.items() if n.endswith("book-all.css"))
    assert 'url("../images/' in book_css and "assets/" not in book_css
    for name, text in texts.items():
        assert "file:" not in text and "127.0.0.1" not in text, name
    assert epubcheck_problems(out / "epub.epub") == []
    assert hits == []


def test_epub_css_rewrite_blanks_refused_urls(tmp_path):
    from types import SimpleNamespace

    from bookbuild.render.epub.css import _packaged_urls
    root = tmp_path / "book"
    png(root / "assets" / "ok.png")
    ctx = SimpleNamespace(book=SimpleNamespace(root=root), images={})
    css = ("a { background: url(http://example.org/x.png) } b { background: url('/etc/passwd') }"
           " c { background: url(assets/ok.png) } d { background: url(data:image/png;base64,AAAA) }"
           ' @import "http://example.org/more.css"; @import url(../../x.css);')
    out = _packaged_urls(css, ctx)
    assert out.count('url("data:,")') == 2 and "@import" not in out and "example.org" not in out
    assert 'url("../images/001.png")' in out and "data:image/png;base64,AAAA" in out
    assert ctx.images == {"assets/ok.png": "images/001.png"}


# ------------------------------------------------------------ bounded input

def test_pixel_bombs_are_refused_from_the_header(tmp_path):
    from bookbuild.check.assets import image_problem, pixel_problem
    over_warning = bomb_png(tmp_path / "a.png", 10_000, 10_000)      # 100 Mpx: Pillow would only warn
    over_error = bomb_png(tmp_path / "b.png", 100_000, 100_000)      # Pillow raises
    fine = png(tmp_path / "c.png")
    t = time.perf_counter()
    assert image_problem(over_warning).code == "BB510"
    assert image_problem(over_error).code == "BB510"
    assert pixel_problem(over_error).code == "BB510"
    assert image_problem(fine) is None and pixel_problem(fine) is None
    assert time.perf_counter() - t < 2.0          # headers only, nothing decoded


def test_pathological_stylesheets_are_bounded(tmp_path):
    from bookbuild.check.assets import check_assets
    from bookbuild.load import load_book
    from bookbuild.render.pdf.drawing.css import book_css
    deep = "p { color: " + "(" * 200_000 + " }\n"
    root = make_book(tmp_path / "book", {"styles/all.css": deep})
    with open(root / "styles" / "print.css", "wb") as f:      # sparse: 65 MiB without the disk
        f.truncate(65 * 1024 * 1024)
    book, _ = load_book(root)
    t = time.perf_counter()
    got = {(d.code, d.file, d.line) for d in check_assets(book)}
    assert got == {("BB510", "styles/all.css", 1), ("BB510", "styles/print.css", 1)}
    assert book_css(deep) == ""
    assert time.perf_counter() - t < 5.0


def test_a_cover_that_is_no_image_is_refused(tmp_path):
    from bookbuild.check.assets import check_assets
    from bookbuild.load import load_book
    toml = BOOK_TOML.replace('chapters = [', 'cover = "assets/cover.png"\nchapters = [')
    root = make_book(tmp_path / "book", {"book.toml": toml})
    (root / "assets").mkdir()
    (root / "assets" / "cover.png").write_bytes(b"<html>not a png</html>")
    book, diags = load_book(root)
    assert not [d for d in diags if d.code.startswith("BB50")]      # place and suffix are fine
    got = [(d.code, d.file, d.line) for d in check_assets(book)]
    assert got == [("BB509", "book.toml", _line_of(toml, "cover ="))]
    bomb_png(root / "assets" / "cover.png", 20_000, 20_000)
    assert [d.code for d in check_assets(book)] == ["BB510"]


def test_check_cache_sees_stylesheet_and_asset_changes(tmp_path):
    """check_assets runs in `check`, whose result is cached: fixing the
    stylesheet or replacing an image must change the answer."""
    root = make_book(tmp_path / "book", {"styles/all.css": "p { background: url(http://example.org/x.png) }\n",
                                         "manuscript/01.md": CHAPTER + "\n![圖](../assets/fig.png)\n"})
    (root / "assets").mkdir()
    (root / "assets" / "fig.png").write_text("not an image", encoding="utf-8")

    def codes():
        proc = bookbuild("check", "--format", "json", cwd=root, with_src=True)
        return sorted(d["code"] for d in json.loads(proc.stdout)["diagnostics"] if d["severity"] == "error")

    assert codes() == ["BB508", "BB509"]
    (root / "styles" / "all.css").write_text("p { color: red }\n", encoding="utf-8")
    assert codes() == ["BB509"]
    png(root / "assets" / "fig.png")
    assert codes() == []
