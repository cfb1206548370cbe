"""`bookbuild serve`: watcher, atomic publication, diagnostics panel, live reload in a real Chromium."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from bookbuild.serve.builder import Builder
from bookbuild.serve.chromium import Chromium, find_chromium
from bookbuild.serve.watcher import Watcher
from helpers.books import NOTES, make_book
from helpers.cli import src_env

OLD_NOTE = "日軍第十一軍進抵衡陽外圍"
NEW_NOTE = "守軍在城南削坡築壁"


# ------------------------------------------------------------------ helpers
def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_until(pred, timeout: float, what: str, interval: float = 0.2):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Serve:
    """`python -m bookbuild serve` in a child process on a free port (--port 0)."""

    def __init__(self, root: Path, *args: str):
        env = src_env()
        self.stderr_lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, "-m", "bookbuild", "serve", str(root), "--port", "0", *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env=env)
        first = self.proc.stderr.readline()
        self.stderr_lines.append(first)
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", first)
        assert m, f"no URL in {first!r}"
        self.url = m.group(1)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def built(self, edition: str, after: int = 0) -> int:
        """Wait until `edition` has a build newer than `after`; returns its number."""
        def gen():
            status, body = get(self.url + "/")
            m = re.search(rf"<b>{edition}</b> \((?:epub|pdf)\) · <a href=\"/(?:epub|print)/{edition}/\"", body.decode())
            n = len([ln for ln in self.stderr_lines if f" {edition} built (build " in ln])
            return n if m and n > after else 0
        return wait_until(gen, 180, f"a build of {edition}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def book(tmp_path):
    return make_book(tmp_path / "book")


# ------------------------------------------------------------------ watcher
def test_watcher_reports_content_changes_only(book):
    seen: list[set[str]] = []
    w = Watcher(book, seen.append)
    assert w.poll() == set()
    note = book / "footnotes" / "01.md"
    os.utime(note, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))   # touched, same bytes
    assert w.poll() == set()
    note.write_text(NOTES.replace(OLD_NOTE, NEW_NOTE), encoding="utf-8")
    assert w.poll() == {"footnotes/01.md"}
    (book / "styles").mkdir()
    (book / "styles" / "epub.css").write_text("p { color: red }", encoding="utf-8")
    (book / "manuscript" / ".01.md.swp").write_text("x", encoding="utf-8")   # editor swap file
    (book / "dist").mkdir()
    (book / "dist" / "x.txt").write_text("x", encoding="utf-8")              # not an input
    assert w.poll() == {"styles/epub.css"}
    (book / "styles" / "epub.css").unlink()
    assert w.poll() == {"styles/epub.css"}


def test_affected_editions(book):
    b = Builder(book, [], book / ".bookbuild" / "serve")
    assert set(b.editions) == {"epub", "print"}
    assert b._affected({"footnotes/01.md"}) == {"epub", "print"}
    assert b._affected({"styles/print.css"}) == {"print"}
    assert b._affected({"styles/all.css"}) == {"epub", "print"}
    assert b._affected({"styles/other.css"}) == set()   # an edition not previewed
    assert b._affected(None) == {"epub", "print"}


def test_a_page_source_is_published_from_the_epub_build(tmp_path):
    """The epub's child builds its page source (the print PDF) first: serve publishes
    that PDF from the same child instead of building it again (one child per edit)."""
    from helpers.books import BOOK_TOML
    root = make_book(tmp_path / "book", {"book.toml": BOOK_TOML.replace(
        'writing = "vertical"', 'writing = "vertical"\npage_source = "print"', 1)})
    b = Builder(root, [], tmp_path / "serve")
    children = []
    real = b._child
    b._child = lambda args, tmp: children.append(args[args.index("--edition") + 1]) or real(args, tmp)
    b.start()
    try:
        wait_until(lambda: all(e["gen"] for e in b.snapshot()["editions"].values()) and b.status == "idle",
                   240, "both editions")
        assert children == ["epub"]
        pdf, epub = b.current("print"), b.current("epub")
        assert pdf.output.is_file() and epub.output.is_file() and pdf.path != epub.path
        assert not any(epub.path.glob("print.*")) and (pdf.path / "print.layout.json").is_file()
        with zipfile.ZipFile(epub.output) as z:     # the epub took its page numbers from that PDF
            assert any("page-list" in z.read(n).decode("utf-8", "replace") for n in z.namelist()
                       if n.endswith((".xhtml", ".html")))
    finally:
        b.stop()


# ------------------------------------------------------------- the browser
@pytest.mark.skipif(find_chromium() is None, reason="needs a chromium executable")
def test_edit_a_note_and_the_open_page_shows_it(book):
    srv = Serve(book)
    try:
        srv.built("epub")
        status, contents = get(srv.url + "/epub/epub/")
        assert status == 200
        chapter = re.search(r'href="(/epub/epub/[^"]*ch\d+\.xhtml)"', contents.decode()).group(1)
        with Chromium() as browser:
            page = browser.page(srv.url + chapter)
            assert OLD_NOTE in page.eval("document.body.innerText")
            # the chapter is laid out vertically, with the EPUB's own CSS
            assert page.eval("getComputedStyle(document.body).writingMode") == "vertical-rl"
            page.wait_for("document.getElementById('bookbuild-bar') !== null")
            page.eval("window.__before_edit = true")
            note = book / "footnotes" / "01.md"
            note.write_text(NOTES.replace(OLD_NOTE, NEW_NOTE), encoding="utf-8")
            took = page.wait_for(f"document.body && document.body.innerText.includes({NEW_NOTE!r})", timeout=30)
            text = page.eval("document.body.innerText")
            assert OLD_NOTE not in text
            # the page reloaded itself (the test never navigated): its window is a new one
            assert page.eval("window.__before_edit === undefined")
            print(f"new note text on screen {took:.1f} s after the save")
            assert took < 15
    finally:
        assert srv.stop() == 130
    assert "Traceback" not in "".join(srv.stderr_lines)


@pytest.mark.skipif(find_chromium() is None, reason="needs a chromium executable")
def test_book_errors_show_in_the_panel_and_the_server_survives(book):
    srv = Serve(book, "--edition", "epub")
    try:
        srv.built("epub")
        with Chromium() as browser:
            index = browser.page(srv.url + "/")
            assert "0 errors" in index.eval("document.body.innerText")
            chapter = book / "manuscript" / "01.md"
            good = chapter.read_text(encoding="utf-8")
            chapter.write_text(good + "\n新增一段[^missing]。\n", encoding="utf-8")
            index.wait_for("document.body && document.body.innerText.includes('BB101')", timeout=30)
            link = index.eval("[...document.querySelectorAll('a.loc')].map(a => a.textContent)")
            line = len(good.split("\n")) + 1
            assert any(t.startswith(f"manuscript/01.md:{line}:") for t in link), link
            # the link opens the source with that line highlighted
            href = index.eval("document.querySelector('a.loc').href")
            status, body = get(href)
            assert status == 200
            assert re.search(r'<span class=hit id=hit>新增一段<mark>\[</mark>\^missing\]。</span>', body.decode())
            # the last good build is still served
            status, body = get(srv.url + "/epub/epub/")
            assert status == 200 and b"ch" in body
            chapter.write_text(good, encoding="utf-8")
            index.wait_for("document.body && !document.body.innerText.includes('BB101')", timeout=30)
    finally:
        assert srv.stop() == 130


def test_served_files_are_never_half_built(book):
    """Readers hammer the EPUB while it is rebuilt: every answer is a whole, valid zip."""
    srv = Serve(book, "--edition", "epub")
    stop, bad, answers = threading.Event(), [], [0]

    def reader():
        while not stop.is_set():
            status, body = get(srv.url + "/file/epub")
            if status == 200:
                answers[0] += 1
                try:
                    with zipfile.ZipFile(BytesIO(body)) as z:
                        if z.testzip() is not None:
                            bad.append("crc")
                except zipfile.BadZipFile:
                    bad.append("not a zip")
    try:
        first = srv.built("epub")
        threads = [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        note = book / "footnotes" / "01.md"
        n = first
        for mark in "甲乙丙":   # not digits: the EPUB sets those in tcy spans
            note.write_text(NOTES.replace(OLD_NOTE, NEW_NOTE + mark), encoding="utf-8")
            n = srv.built("epub", after=n)
        stop.set()
        for t in threads:
            t.join()
        status, body = get(srv.url + "/epub/epub/")
        chapter = re.search(r'href="(/epub/epub/[^"]*ch\d+\.xhtml)"', body.decode()).group(1)
        assert f"{NEW_NOTE}丙" in get(srv.url + chapter)[1].decode()
    finally:
        stop.set()
        srv.stop()
    assert not bad and answers[0] > 10
    left = sorted(p.name for p in (book / ".bookbuild" / "serve" / "epub").iterdir())
    assert len(left) <= 2 and not any(n.startswith(".tmp") for n in left), left


def test_paths_outside_the_book_are_refused(book):
    srv = Serve(book, "--edition", "epub")
    try:
        srv.built("epub")
        assert get(srv.url + "/source?file=../../../../etc/passwd")[0] == 404
        assert get(srv.url + "/source?file=/etc/passwd")[0] == 404
        assert get(srv.url + "/epub/epub/..%2F..%2F..%2F..%2Fbook.toml")[0] == 404
        assert get(srv.url + "/epub/nope/")[0] == 404
        status, body = get(srv.url + "/source?file=book.toml&line=2")
        assert status == 200 and "<span class=hit id=hit>" in body.decode()
    finally:
        assert srv.stop() == 130


def test_print_pages_are_images(book):
    srv = Serve(book, "--edition", "print")
    try:
        srv.built("print")
        status, body = get(srv.url + "/print/print/")
        assert status == 200
        n = int(re.search(r"build \d+, (\d+) pages", body.decode()).group(1))
        from bookbuild.proof.raster import page_sizes
        pdf = get(srv.url + "/file/print")[1]
        assert pdf.startswith(b"%PDF")
        tmp = book / "check.pdf"
        tmp.write_bytes(pdf)
        assert n == len(page_sizes(tmp)) and n >= 4
        assert body.decode().count('<img loading=lazy') == n
        status, png = get(srv.url + "/print/print/page/1.png?w=300")
        assert status == 200 and png.startswith(b"\x89PNG")
        width = int.from_bytes(png[16:20], "big")
        assert width == 320   # clamped to the 40 px grid
        assert get(srv.url + f"/print/print/page/{n + 1}.png")[0] == 404
    finally:
        assert srv.stop() == 130


def test_port_in_use_is_one_line(book):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        env = src_env()
        res = subprocess.run([sys.executable, "-m", "bookbuild", "serve", str(book), "--port", str(port)],
                             capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 1
    assert "cannot listen on 127.0.0.1" in res.stderr and "Traceback" not in res.stderr


def _processes_mentioning(text: str) -> list[str]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmd:
                out.append(cmd)
    return out


def _long_book(root: Path) -> Path:
    """The test book and a long second chapter (≈240,000 characters): an edit of it takes
    its print build seconds (a Pandoc parse, its check, the layout), time enough for a
    second save to land while that build runs, however fast builds get."""
    from helpers.books import BOOK_TOML
    sentence = "衡陽守軍在城南削坡築壁，日軍第十一軍進抵外圍，雙方對峙於湘江之濱。"
    paragraphs = "\n\n".join(sentence * 8 for _ in range(1000))
    toml = BOOK_TOML.replace('"manuscript/01.md",\n', '"manuscript/01.md",\n  "manuscript/02.md",\n', 1)
    return make_book(root, {"book.toml": toml, "manuscript/02.md": "# 第二章　長文\n\n" + paragraphs + "\n"})


def _descendants(pid: int) -> set[int]:
    from bookbuild.procs import children
    out, todo = set(), [pid]
    while todo:
        for c in children(todo.pop()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_an_edit_during_a_build_cancels_it(tmp_path):
    """A save while the print edition builds kills that build (and its workers) and starts over."""
    book = _long_book(tmp_path / "book")
    srv = Serve(book, "--edition", "print")
    long = book / "manuscript" / "02.md"
    text = long.read_text(encoding="utf-8")
    builders: set[int] = set()
    try:
        srv.built("print")
        long.write_text(text + "\n又記甲。\n", encoding="utf-8")
        wait_until(lambda: "building print" in get(srv.url + "/")[1].decode(), 30, "the build to start")
        # the fork server and the build it forked (its workers too, once they start)
        builders = wait_until(lambda: (lambda d: d if len(d) >= 2 else None)(_descendants(srv.proc.pid)),
                              10, "the build's process")
        long.write_text(text + "\n又記乙。\n", encoding="utf-8")
        srv.built("print", after=1)
        time.sleep(1)
        gens = sorted(int(p.name) for p in (book / ".bookbuild" / "serve" / "print").iterdir() if p.name.isdigit())
        layout = book / ".bookbuild" / "serve" / "print" / str(gens[-1]) / "print.layout.json"
        shown = layout.read_text(encoding="utf-8")
        assert "又記乙" in shown and "又記甲" not in shown
        # the build of the first save never got published
        assert len([ln for ln in srv.stderr_lines if " print built (build " in ln]) == 2
    finally:
        assert srv.stop() == 130
    # no build child, worker or fork server outlives the server
    assert wait_until(lambda: not any(_alive(p) for p in builders), 10, "the build processes to end")
    assert _processes_mentioning(str(book)) == []
