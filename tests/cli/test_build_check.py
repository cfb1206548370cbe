"""`bookbuild build --check`: EPUBCheck and DAISY Ace on each EPUB written,
their findings as diagnostics at the author's line (BB606, BB607), a missing
validator a BB608 with a hint. Problems are planted by a driver that corrupts
the built EPUB before the check, and by a small book whose text Ace rejects."""
from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bookbuild.commands.build import run_build
from bookbuild.config import parse_config
from bookbuild.verify import validators
from bookbuild.verify.checks import check_outputs

BOOK_TOML = '''[book]
title = "校驗"
authors = ["某"]
language = "zh-Hant"
identifier = "urn:uuid:0b7ad5a4-3c5e-4bbb-9b57-8e3f5a0d1c11"
chapters = ["manuscript/01.md"]

[editions.small]
format = "epub"
writing = "horizontal"
'''
CHAPTER = """# 第一章

## 城

衡陽城在湘江西岸，三水環抱。
守軍只有一個軍。[^a]

{extra}
"""
NOTE = "[^a]: 注文。\n"

HAVE_EPUBCHECK = shutil.which("java") is not None
try:
    validators.ace_command()
    HAVE_ACE = True
except validators.Missing:
    HAVE_ACE = False


def make_book(root: Path, extra: str = "") -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "footnotes").mkdir()
    (root / "book.toml").write_text(BOOK_TOML, "utf-8")
    (root / "manuscript" / "01.md").write_text(CHAPTER.format(extra=extra), "utf-8")
    (root / "footnotes" / "01.md").write_text(NOTE, "utf-8")
    return root


def build(root: Path, check: bool) -> tuple[int, dict]:
    out = io.StringIO()
    code = run_build(root, out_dir=root / "dist", fmt="json", stdout=out, stderr=io.StringIO(), check=check)
    return code, json.loads(out.getvalue())


def source_of(root: Path, needle: str) -> tuple[int, int]:
    """line, column (1-based, characters) of `needle` in the chapter."""
    for n, line in enumerate((root / "manuscript" / "01.md").read_text("utf-8").splitlines(), 1):
        if needle in line:
            return n, line.index(needle) + 1
    raise AssertionError(needle)


def corrupt(epub: Path, doc: str, old: str, new: str) -> None:
    """Rewrite one document of a built EPUB (the driver that plants a problem)."""
    with zipfile.ZipFile(epub) as zf:
        entries = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(epub, "w") as zf:
        for info, data in entries:
            if info.filename == doc:
                text = data.decode("utf-8")
                assert re.search(old, text), old
                data = re.sub(old, new, text, count=1).encode("utf-8")
            zf.writestr(info, data)


def only(tool: str):
    return {"epub": tuple((name, run) for name, run in
                          (("EPUBCheck", validators.run_epubcheck), ("Ace", validators.run_ace)) if name == tool)}


def checked_after_corrupting(tmp_path: Path, tool: str, pattern: str, replacement: str):
    """Build the small book, corrupt its chapter 1 in the EPUB (pattern -> replacement), run one
    validator on it: (book root, diagnostics)."""
    root = make_book(tmp_path / "book")
    code, report = build(root, check=False)
    assert code == 0, report
    corrupt(root / "dist" / "small.epub", "EPUB/text/ch01.xhtml", pattern, replacement)
    return root, check_outputs(root, config_of(root), ["small"], root / "dist", only(tool))


def config_of(root: Path):
    config, _ = parse_config((root / "book.toml").read_text("utf-8"))
    return config


@pytest.mark.skipif(not HAVE_EPUBCHECK, reason="no Java for EPUBCheck")
def test_planted_epubcheck_error_points_at_the_note_call(tmp_path):
    # the note call's link now goes nowhere: EPUBCheck RSC-012 at that <a>
    root, diags = checked_after_corrupting(tmp_path, "EPUBCheck", r'(epub:type="noteref"[^>]*href=")[^"]*"',
                                           r'\1#nowhere"')
    found = [d for d in diags if d.code == "BB606"]
    assert found and all(d.severity == "error" for d in found), diags
    assert "RSC-012" in found[0].message and "small.epub" in found[0].message
    line, col = source_of(root, "[^a]")
    assert (found[0].file, found[0].line, found[0].col) == ("manuscript/01.md", line, col)


@pytest.mark.skipif(not HAVE_ACE, reason="DAISY Ace not installed (scripts/setup.sh)")
def test_planted_ace_violation_points_at_the_note_call(tmp_path):
    # epub:type="noteref" without its ARIA role: Ace's epub-type-has-matching-role
    root, diags = checked_after_corrupting(tmp_path, "Ace", r' role="doc-noteref"', "")
    found = [d for d in diags if d.code == "BB607"]
    assert len(found) == 1, diags
    assert "epub-type-has-matching-role" in found[0].message
    line, col = source_of(root, "[^a]")
    assert (found[0].file, found[0].line, found[0].col) == ("manuscript/01.md", line, col)


@pytest.mark.skipif(not (HAVE_ACE and HAVE_EPUBCHECK), reason="validators not installed")
def test_build_check_reports_an_empty_link_at_its_heading_and_a_clean_book_passes(tmp_path):
    """A link with no text (`[](…)`) is a real Ace violation a book can cause:
    `build --check` exits 1 with a BB607 in the chapter; the same book
    without it is clean under both validators."""
    clean = make_book(tmp_path / "clean")
    code, report = build(clean, check=True)
    assert (code, report["diagnostics"]) == (0, [])
    bad = make_book(tmp_path / "bad", extra="## 無字的連結\n\n[](https://example.org/)\n")
    code, report = build(bad, check=True)
    assert code == 1
    ace = [d for d in report["diagnostics"] if d["code"] == "BB607"]
    assert ace and {d["file"] for d in ace} == {"manuscript/01.md"}, report
    assert "link-name" in ace[0]["message"]
    assert ace[0]["line"] == source_of(bad, "## 無字的連結")[0]      # the section the link is in
    assert not [d for d in report["diagnostics"] if d["code"] == "BB606"]


def test_missing_validators_are_a_diagnostic_with_a_hint(tmp_path, monkeypatch):
    root = make_book(tmp_path / "book")
    real_which = shutil.which
    monkeypatch.setattr(validators.shutil, "which",
                        lambda name, *a, **k: None if name in ("java", "node", "ace-puppeteer") else
                        real_which(name, *a, **k))
    monkeypatch.setenv("BOOKBUILD_ACE", str(tmp_path / "no-such-ace"))
    code, report = build(root, check=True)
    assert code == 1
    assert (root / "dist" / "small.epub").is_file()          # the build itself still happened
    missing = [d for d in report["diagnostics"] if d["code"] == "BB608"]
    assert [d["message"].split(":")[0] for d in missing] == [
        "EPUBCheck needs Java, and no `java` is on PATH", "DAISY Ace is not installed"]
    edition_line = (root / "book.toml").read_text("utf-8").splitlines().index("[editions.small]") + 1
    assert {(d["file"], d["line"]) for d in missing} == {("book.toml", edition_line)}
    assert all(d["hint"] for d in missing)
