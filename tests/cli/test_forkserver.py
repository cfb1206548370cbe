"""serve's build children forked by bookbuild's fork server (serve/children.py, forkserver.py):
the same outputs as a spawned `python -m bookbuild`, a real fork of the server, killable by group."""
from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from bookbuild.serve.children import Children
from helpers.books import make_book

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux only")


def _build(children: Children, book: Path, out: Path) -> tuple[int, Path]:
    out.mkdir(parents=True)
    child = children.start(["build", str(book), "--edition", "epub", "--out", str(out), "--format", "json"],
                           out / ".stdout", out / ".stderr")
    return child.wait(120), out


def _ppid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError("no PPid line")


def test_a_forked_build_writes_what_a_spawned_one_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = make_book(tmp_path / "book")
    forked, spawned = Children(), Children(use_fork_server=False)
    try:
        code_f, out_f = _build(forked, book, tmp_path / "forked")
        assert forked._server is not None and forked._server.alive()   # the server did the work
        code_s, out_s = _build(spawned, book, tmp_path / "spawned")
    finally:
        forked.close()
    assert code_f == code_s == 0, (out_f / ".stderr").read_text()
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(out_f / "epub.epub") == digest(out_s / "epub.epub")
    assert '"diagnostics"' in (out_f / ".stdout").read_text(encoding="utf-8")


def test_a_child_is_the_servers_fork_in_its_own_session_and_dies_with_its_group(tmp_path):
    book = make_book(tmp_path / "book")
    children = Children()
    try:
        _build(children, book, tmp_path / "warm")        # the server is up, its imports done
        out = tmp_path / "cancelled"
        out.mkdir()
        child = children.start(["build", str(book), "--out", str(out)], out / ".stdout", out / ".stderr")
        assert _ppid(child.pid) == children._server.proc.pid
        assert os.getsid(child.pid) == child.pid         # a session of its own: killpg reaches its workers
        started = time.monotonic()
        child.kill()
        status = child.wait(10)
        assert status is not None and time.monotonic() - started < 10
        assert status in (143, -15, -9)                  # cli's orderly SIGTERM exit, or the signal itself
        assert not list(out.glob("*.epub")) and not list(out.glob("*.pdf"))   # nothing half-written
        # the server goes on: the next build works
        code, again = _build(children, book, tmp_path / "again")
        assert code == 0 and (again / "epub.epub").is_file()
    finally:
        children.close()


def test_two_threads_waiting_on_one_child_both_see_it_end(tmp_path):
    """serve's build thread waits on its child while stop() ends it from the main thread:
    the server's one answer must reach both, and neither may block (a hang of `serve`
    on Ctrl-C, seen once in CI, came from two readers of that pipe)."""
    book = make_book(tmp_path / "book")
    children = Children()
    try:
        _build(children, book, tmp_path / "warm")
        for round_ in range(3):
            out = tmp_path / f"r{round_}"
            out.mkdir()
            child = children.start(["build", str(book), "--out", str(out)], out / ".stdout", out / ".stderr")
            seen = []
            waiter = threading.Thread(target=lambda c=child, s=seen: s.append(c.wait(None)), daemon=True)
            waiter.start()
            time.sleep(0.3 * round_)
            child.kill()
            waiter.join(15)
            assert not waiter.is_alive(), "the other waiter never saw the child end"
            assert seen == [child.status] and child.status is not None
    finally:
        children.close()
