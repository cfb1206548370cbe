"""Epub editions built by a forked process beside the others (commands/beside.py, issue 19).

The forked build must write the files one process writes, report the same
diagnostics, and leave its editions to the build when it fails; `--jobs 1`
never forks.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from bookbuild.commands import beside
from bookbuild.commands.build import run_build
from helpers.books import make_book

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork is Linux only")


@pytest.fixture
def taken(monkeypatch) -> list:
    """Each build's (editions given to a child, what it sent back: None when nothing)."""
    out: list = []
    real = beside.Beside.take

    def spy(self):
        got = real(self)
        out.append((self.names, got))
        return got

    monkeypatch.setattr(beside.Beside, "take", spy)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return out


def _build(book: Path, out: str, jobs: int | None = None) -> tuple[int, str, dict[str, bytes]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_build(book, out_dir=book / out, jobs=jobs, stdout=stdout, stderr=stderr)
    files = {p.name: p.read_bytes() for p in sorted((book / out).iterdir())}
    return code, stdout.getvalue().replace(out, "OUT"), files


def test_the_epub_beside_the_print_is_what_one_process_writes(tmp_path, taken):
    book = make_book(tmp_path / "book")
    code, report, files = _build(book, "two")
    assert code == 0
    ((names, sent),) = taken
    assert names == ["epub"] and sent == {"epub": []}     # the child built the epub
    assert beside.side_editions(_config(book), ["print", "epub"], None) == ["epub"]
    code1, report1, files1 = _build(book, "one", jobs=1)
    assert taken[1] == ([], None)           # --jobs 1: no child at all
    assert (code1, report1) == (code, report)
    assert files1.keys() == files.keys() == {"epub.epub", "epub.log.json", "print.pdf", "print.layout.json",
                                             "print.log.json"}
    for name in ("epub.epub", "print.layout.json"):
        assert files1[name] == files[name], name


def test_a_failed_child_leaves_its_editions_to_the_build(tmp_path, taken, monkeypatch):
    book = make_book(tmp_path / "book")
    monkeypatch.setattr(beside, "_answer", lambda *args: os._exit(3))
    code, report, files = _build(book, "out")
    assert code == 0 and taken == [(["epub"], None)]
    code1, report1, files1 = _build(book, "one", jobs=1)
    assert (code1, report1) == (code, report) and files1["epub.epub"] == files["epub.epub"]


def test_the_child_reports_the_epub_diagnostics(tmp_path, taken, monkeypatch):
    """What the epub renderer reports reaches the build's report from the child, as from one process."""
    from bookbuild.diagnostics import Diagnostic
    from bookbuild.render import epub
    real = epub.build

    def warning(book, edition, out_dir, *args, **kwargs):
        return real(book, edition, out_dir, *args, **kwargs) + [
            Diagnostic("BB701", f"planted in {edition.name}", "manuscript/01.md", 3, 5, "a hint")]

    monkeypatch.setattr(epub, "build", warning)
    book = make_book(tmp_path / "book")
    code, report, _ = _build(book, "two")
    code1, report1, _ = _build(book, "one", jobs=1)
    assert "planted in epub" in report and "manuscript/01.md:3:5" in report
    assert (code, report) == (code1, report1)
    assert taken[0][1]["epub"][0].message == "planted in epub"


def test_nothing_forks_for_one_edition_or_a_page_source(tmp_path):
    book = make_book(tmp_path / "book")
    config = _config(book)
    assert beside.side_editions(config, ["epub"], None) == []           # nothing else to build
    assert beside.side_editions(config, ["print", "epub"], 1) == []     # --jobs 1


def _config(book: Path):
    from bookbuild.config import parse_config
    config, diags = parse_config((book / "book.toml").read_text(encoding="utf-8"))
    assert config is not None, diags
    return config
