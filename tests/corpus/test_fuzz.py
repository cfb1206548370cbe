"""Fuzzing (issue 10 item 2): random Markdown, punctuation and encodings never crash
`check`, `fix` is idempotent and loses no CJK character or digit, and random valid
books build in every edition with a clean EPUBCheck and a PDF that has text.

Counts follow the hypothesis profile (tests/conftest.py): "ci" by default, a few
examples per property, derandomized; `pytest --slow` runs many more.
`BB_FUZZ_EXAMPLES=N` and `BB_FUZZ_BUILDS=N` override the counts (for long local runs).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.commands.build import run_build
from helpers.books import BOOK_TOML, CHAPTER, make_book
from helpers.cli import bookbuild, check_json, fix_book
from helpers.epub import epubcheck
from helpers.fuzz import chapter_text, encoded, notes_text, valid_book

SLOW = settings.get_current_profile_name() == "slow"
N_TEXT = int(os.environ.get("BB_FUZZ_EXAMPLES", 0)) or (1500 if SLOW else 40)
N_CLI = 40 if SLOW else 4
N_BUILD = int(os.environ.get("BB_FUZZ_BUILDS", 0)) or (30 if SLOW else 3)

# a chapter 01.md, a second chapter, and a note file; each text random, each file encoded
book_files = st.fixed_dictionaries({
    "manuscript/01.md": encoded(chapter_text()),
    "footnotes/01.md": encoded(notes_text()),
}, optional={"footnotes/02.md": encoded(notes_text()), "manuscript/02.md": encoded(chapter_text())})

TOML_2 = '  "manuscript/01.md",\n  "manuscript/02.md",\n'


def _make(root: Path, files: dict) -> Path:
    changes: dict[str, bytes | str] = {rel: data for rel, (data, _) in files.items()}
    if "manuscript/02.md" in files:
        changes["book.toml"] = BOOK_TOML.replace('  "manuscript/01.md",\n', TOML_2)
    return make_book(root, changes)


# ------------------------------------------------------------------ helpers

def assert_inside(root: Path, diag: dict) -> None:
    """The diagnostic names a file of the book and a line:column inside it."""
    path = root / diag["file"]
    assert path.is_file(), diag
    data = path.read_bytes()
    line, col = diag["line"], diag["column"]
    assert isinstance(line, int) and isinstance(col, int) and line >= 1 and col >= 1, diag
    # CRLF, lone CR and LF each end a line (as load/files.py reads a file)
    try:
        lines = re.split("\r\n|\r|\n", data.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:     # BB503 counts in the raw bytes
        lines = re.split(b"\r\n|\r|\n", data)
    assert line <= len(lines), (diag, len(lines))
    assert col <= len(lines[line - 1]) + 1, (diag, lines[line - 1][:200])


def kept(text: str) -> str:
    """What fix must never lose: Han characters (any block), variation selectors and digits, in order."""
    return "".join(c for c in text if c.isdigit() or unicodedata.name(c, "").startswith(("CJK ", "VARIATION ")))


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(root.rglob("*")) if p.is_file() and ".bookbuild" not in p.parts}


def fix(root: Path) -> int:
    status, out, err = fix_book(root)
    assert "Traceback" not in out + err
    return status


# ------------------------------------------------------------- properties

@settings(max_examples=N_TEXT)
@given(book_files)
def test_check_never_crashes_and_points_inside_files(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = _make(Path(tmp) / "book", files)
        status, diags = check_json(root)
        assert status in (0, 1)
        for d in diags:
            assert_inside(root, d)


@settings(max_examples=N_TEXT)
@given(book_files)
def test_fix_is_idempotent_and_loses_nothing(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = _make(Path(tmp) / "book", files)
        before = snapshot(root)
        assert fix(root) in (0, 1)
        once = snapshot(root)
        assert set(once) == set(before)
        for rel, (data, mtime, ino) in once.items():
            if data == before[rel][0]:
                assert (mtime, ino) == before[rel][1:], f"{rel} rewritten without a change"
                continue
            old, new = before[rel][0].decode("utf-8-sig"), data.decode("utf-8-sig")
            assert kept(new) == kept(old), rel
        assert fix(root) in (0, 1)
        assert snapshot(root) == once, "fix twice differs from fix once"
        _, diags = check_json(root)
        assert [d for d in diags if d["code"] == "BB401"] == [], "fix left BB401 positions"


@settings(max_examples=N_TEXT)
@given(book_files)
def test_fix_check_names_the_bb401_positions_of_check(files):
    """One implementation (docs/FORMAT.md): `fix --check` and `check` report the
    same BB401 places, CR and CRLF files included."""
    with tempfile.TemporaryDirectory() as tmp:
        root = _make(Path(tmp) / "book", files)
        _, diags = check_json(root)
        from_check = {(d["file"], d["line"], d["column"]) for d in diags if d["code"] == "BB401"}
        _, out, _ = fix_book(root, check=True)
        from_fix = set()
        for m in re.finditer(r"^(.*?):(\d+):(\d+): warning BB401 ", out, re.M):
            rel = Path(m.group(1)).resolve().relative_to(root.resolve()).as_posix()
            from_fix.add((rel, int(m.group(2)), int(m.group(3))))
        assert from_fix == from_check


@settings(max_examples=N_CLI)
@given(book_files)
def test_cli_check_never_crashes(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = _make(Path(tmp) / "book", files)
        for fmt in ("json", "text"):
            proc = bookbuild("check", root, "--format", fmt)
            assert proc.returncode in (0, 1), proc.stderr
            assert "Traceback" not in proc.stdout + proc.stderr
        for d in json.loads(bookbuild("check", root, "--format", "json").stdout)["diagnostics"]:
            assert_inside(root, d)


# ------------------------------------------------------------ valid books

def epubcheck_all(paths: list[Path]) -> dict[str, list[str]]:
    """EPUBCheck's errors and warnings per file, the files checked at once.  The JVM
    runs with the quick (C1) compiler only: a check takes half the time."""
    def one(path: Path) -> list[str]:
        return [f"{m['severity']} {m['ID']} {m['message']}" for m in epubcheck(path, quick_jvm=True)["messages"]
                if m["severity"] in ("FATAL", "ERROR", "WARNING")]

    with ThreadPoolExecutor(len(paths)) as pool:
        return dict(zip([p.name for p in paths], pool.map(one, paths)))


def _pdf_text(path: Path) -> str:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=N_BUILD)
@given(valid_book())
def test_valid_books_build_every_edition(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = make_book(Path(tmp) / "book", files)
        status, diags = check_json(root)
        assert status == 0 and not [d for d in diags if d["severity"] == "error"], diags
        out, err = StringIO(), StringIO()
        status = run_build(root, stdout=out, stderr=err, fmt="json")
        assert status == 0, out.getvalue() + err.getvalue()
        dist = root / "dist"
        epubs = [dist / f"{n}.epub" for n in ("epub", "epub-horizontal", "epub-hans")]
        assert all(epub.is_file() for epub in epubs)
        assert epubcheck_all(epubs) == {epub.name: [] for epub in epubs}
        pdf = dist / "print.pdf"
        assert pdf.is_file()
        text = _pdf_text(pdf)
        assert {"測", "試", "之", "書"} <= set(text), "title page text"
        body = kept(files["manuscript/01.md"])
        assert len(set(body) & set(text)) >= len(set(body)) // 2, "chapter text in the PDF"


# ------------------------------------------- regressions found by the fuzzers

@pytest.mark.parametrize("junk", ["[" * 30, "]" * 30 + "[" * 30, "[" * 16 + "y" + "]" * 16, "[@chiang " * 16,
                                  "- " + "[" * 20 + "\n- " + "]" * 20])
def test_many_open_brackets_check_quickly(tmp_path, junk):
    """Pandoc's citation parser is exponential in the `[` open in one block (20
    took over a minute): the scanner escapes those opened too deep or never closed."""
    import time
    root = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n" + junk + "\n"})
    start = time.monotonic()
    status, diags = check_json(root)
    assert time.monotonic() - start < 10
    assert status == 0, diags


def test_nested_brackets_within_the_limit_keep_their_meaning(tmp_path):
    text = CHAPTER + "\n[[[[[林森]{.name}]{.aside}]]]無關[[[[[[[x]]]]]]]。\n"
    root = make_book(tmp_path / "book", {"manuscript/01.md": text})
    from bookbuild.load import load_book
    book, diags = load_book(root)
    assert book is not None and not [d for d in diags if d.severity == "error"], diags
    assert "林森" in book.texts["manuscript/01.md"]
    inlines = repr(book.chapters[0].blocks)
    assert "name" in inlines and "aside" in inlines


@pytest.mark.parametrize("opener", ["<div>", "```", "::: aside", "~~~~"])
def test_an_unclosed_block_in_a_chapter_swallows_no_note_file(tmp_path, opener):
    """All files go through one Pandoc document; an unclosed fence or <div> in a
    chapter used to swallow the note parts after it (their references were then
    blamed on the chapter, at columns past its end)."""
    root = make_book(tmp_path / "book", {"manuscript/01.md": opener,
                                         "footnotes/01.md": "[^a]: 自引[^a]\n\n"})
    status, diags = check_json(root)
    for d in diags:
        assert_inside(root, d)
    assert ("BB106", "footnotes/01.md") in {(d["code"], d["file"]) for d in diags}, diags


@pytest.mark.parametrize("stray", [":::", "::::::::::::::::", "::: a b\n\n內\n\n:::", "段落\n::: aside\n\n內\n:::"])
def test_a_stray_div_closer_drops_no_text(tmp_path, stray):
    """A `:::` that closes no div of the author's closed the wrapper each file gets
    for Pandoc: the rest of the chapter vanished without a word."""
    from bookbuild.load import load_book
    root = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n甲\n\n" + stray + "\n\n乙乙丙丙\n"})
    book, diags = load_book(root)
    assert book is not None and "乙乙丙丙" in repr(book.chapters[0].blocks)
    notes = make_book(tmp_path / "book2", {"footnotes/01.md": "[^a]: 甲\n\n    " + stray.replace("\n", "\n    ")
                                           + "\n\n    乙乙丙丙\n\n[^b]: 第二注。\n"})
    book, diags = load_book(notes)
    assert "乙乙丙丙" in repr(book.notes["a"].blocks) and "第二注" in repr(book.notes["b"].blocks)


def _fix_cases(tmp_path, notes: bytes):
    root = make_book(tmp_path / "book", {"footnotes/01.md": notes})
    assert fix(root) in (0, 1)
    once = (root / "footnotes/01.md").read_bytes()
    assert fix(root) in (0, 1)
    return root, once


def test_fix_changes_a_long_run_of_commas_at_once(tmp_path):
    """`,,,…,日`: one comma per pass turned full-width, so after the last pass a
    long run was half done and a second `fix` changed the file again."""
    root, once = _fix_cases(tmp_path, ("[^a]: 甲\n\n" + "," * 300 + "日\n").encode())
    assert (root / "footnotes/01.md").read_bytes() == once
    assert once.decode().count("，") == 300


def test_lone_cr_lines_fix_check_and_check_agree(tmp_path):
    """A lone CR ends a line for the loader; `fix` saw one long line, left the
    indent after it, and `fix --check` named other lines than `check`."""
    text = "# 章\r\r　　日軍進抵,衡陽\r\r　乙\r".encode()
    root = make_book(tmp_path / "book", {"manuscript/01.md": text})
    _, diags = check_json(root)
    assert {(d["line"], d["column"]) for d in diags if d["code"] == "BB401"} == {(3, 1), (3, 7), (5, 1)}
    assert fix(root) == 0
    assert (root / "manuscript/01.md").read_bytes() == "# 章\r\r日軍進抵，衡陽\r\r乙\r".encode()
    _, diags = check_json(root)
    assert not [d for d in diags if d["code"] == "BB401"]


def test_bb503_after_a_lone_cr_is_on_the_next_line(tmp_path):
    """BB503 counted lines at LF only; the loader (and editors) end one at a lone CR too."""
    root = make_book(tmp_path / "book", {"manuscript/01.md": b"# \xe7\xab\xa0\r\r\xc8\xd5\xb7\xbd"})
    _, diags = check_json(root)
    assert [(d["code"], d["line"], d["column"]) for d in diags if d["code"] == "BB503"] == [("BB503", 3, 1)]


def test_a_note_id_with_a_leading_space_is_reported_not_printed(tmp_path):
    """`[^ a]` became `[]{.bbref ref=" a" …}`, which Pandoc does not read as a span:
    the scaffolding went into the book as text and the id was never reported."""
    root = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n再記一事[^ a]。\n"})
    _, diags = check_json(root)
    assert ("BB108", 7, 5) in {(d["code"], d["line"], d["column"]) for d in diags}, diags
    from bookbuild.load import load_book
    book, _ = load_book(root)
    assert "bbref" not in repr(book.chapters[0].blocks)


def test_bb402_of_an_unaligned_text_stays_inside_its_line(tmp_path):
    """`\\[` after a NUL: the text's own place is not found, it carries the note's,
    and BB402 added the NUL's offset to that: line 1, column 201 of a 6-character line."""
    root = make_book(tmp_path / "book", {"footnotes/01.md": NOTES_NUL})
    _, diags = check_json(root)
    for d in diags:
        assert_inside(root, d)
    assert "BB402" in {d["code"] for d in diags}


NOTES_NUL = "[^a]: 甲。\n\n[^b]: 乙。\n\n[^c]: \n    " + "日" * 200 + "\x00\\[\n\n"
