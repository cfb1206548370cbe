"""Hostile nesting and YAML alias bombs are BB510 at the right place, in bounded time, never a crash."""
from __future__ import annotations

import json
import time

import pytest

from bookbuild import procs
from bookbuild.limits import MAX_DEPTH, expands_beyond, too_deep
from helpers.books import BOOK_TOML, CHAPTER, SOURCES, make_book
from helpers.cli import bookbuild


def test_too_deep_finds_the_first_bracket_past_the_limit():
    text = "a = 1\nb = " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert too_deep(text) == (2, 5 + MAX_DEPTH)
    assert too_deep("x = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH) is None


def test_brackets_in_strings_and_comments_do_not_count():
    many = "[" * (MAX_DEPTH * 2)
    assert too_deep(f'title = "{many}"\n# {many}\nnote: \'{many}\'\n') is None
    assert too_deep(f'x = "\\"{many}"') is None


def test_alias_expansion_and_cycles_are_bounded():
    cycle: list = []
    cycle.append(cycle)
    assert expands_beyond(cycle, 1000)
    deep_shared: list = ["x"]
    for _ in range(40):
        deep_shared = [deep_shared, deep_shared]   # 2**40 nodes when expanded
    assert expands_beyond(deep_shared, 10_000)
    assert not expands_beyond({"id": "a", "author": [{"family": "張"}]}, 100)


def _check(book):
    start = time.monotonic()
    r = bookbuild("check", book, "--format", "json", timeout=120)
    assert "Traceback" not in r.stdout + r.stderr and r.returncode == 1, r.stderr
    return json.loads(r.stdout)["diagnostics"], time.monotonic() - start


BOMB = SOURCES + "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))


@pytest.mark.parametrize("rel, text, where", [
    ("book.toml", BOOK_TOML + "\n[editions.x]\nformat = " + "[" * 100_000 + "]" * 100_000 + "\n", None),
    ("footnotes/sources.yaml", SOURCES + "  note: " + "[" * 100_000 + "]" * 100_000 + "\n", None),
    ("footnotes/sources.yaml", BOMB, (1, 1)),
    ("footnotes/glossary.yaml", "x: &x\n  definition: [a, *x]\n", (1, 1)),
])
def test_hostile_file_is_bb510(tmp_path, rel, text, where):
    book = make_book(tmp_path / "book", {rel: text})
    diags, seconds = _check(book)
    got = [d for d in diags if d["code"] == "BB510"]
    assert len(got) == 1 and got[0]["file"] == rel, diags
    if where:
        assert (got[0]["line"], got[0]["column"]) == where
    else:
        line = text.splitlines()[got[0]["line"] - 1]
        assert line[got[0]["column"] - 1] == "[" and line[:got[0]["column"]].count("[") == MAX_DEPTH + 1
    assert seconds < 30


def test_unclosed_fence_does_not_hide_brackets_from_the_bound(tmp_path):
    """Pandoc's markdown makes no code block of a fence that is never closed, so the
    brackets after it reach Pandoc and must be bounded like any others (the fuzzer found
    a check that hung for 20 minutes on `~~~日` followed by 3,000 `[`)."""
    book = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n~~~日\n\n文字" + "[" * 3000 + "。\n"})
    start = time.monotonic()
    r = bookbuild("check", book, "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert time.monotonic() - start < 60


def test_closed_fence_still_protects_its_code():
    from bookbuild.load.pandoc_input import code_regions
    text = "甲\n\n~~~\n[^x] [@y]\n~~~\n\n乙 `[^z]`\n\n  ```\n[^w]\n  ```\n\n丙 \\`[^v]` 丁\n\n```日\nno close"
    regions = code_regions(text, 0, len(text))
    covered = lambda needle: any(a <= text.index(needle) < b for a, b in regions)
    assert covered("[^x]") and covered("[^z]")
    assert covered("[^w]"), "a fence indented by up to three spaces is a fence (Pandoc, CommonMark)"
    assert not covered("[^v]"), "an escaped backtick opens no code span"
    assert not covered("no close")


def test_pandoc_caught_in_exponential_time_is_stopped(monkeypatch):
    """The backstop behind the scanner's bounds: a Pandoc run past its time limit is killed
    and reported as BB605 at the part's file, not waited for.  Pandoc is given 25 open `[`
    directly (the scanner would have escaped them): minutes of work for its reader."""
    import os

    from bookbuild.load.pandoc_parts import pandoc_json
    from bookbuild.pandoc import time_limit
    assert time_limit(5_000_000) > 600             # a 5 MB chapter keeps ample time
    monkeypatch.setenv("BOOKBUILD_PANDOC_TIMEOUT", "0.5")
    start = time.monotonic()
    out, diags = pandoc_json(['::: {.bbpart n="0"}\n' + "文字[" * 25 + "\n:::"], [("manuscript/01.md", 3)],
                             "markdown")
    assert out is None and time.monotonic() - start < 20
    assert [(d.code, d.file, d.line) for d in diags] == [("BB605", "manuscript/01.md", 3)]
    assert "took longer than 0.5 s" in diags[0].message
    me = os.getpid()
    children = procs.children(me)      # a thread that ended meanwhile is skipped, not an error
    assert not [c for c in children if os.path.exists(f"/proc/{c}/exe")
                and "pandoc" in os.path.basename(os.readlink(f"/proc/{c}/exe"))]
