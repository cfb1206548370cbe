"""The installed console script, output formats and exit statuses."""
from __future__ import annotations

import json
import re

from helpers.books import CHAPTER, make_book
from helpers.cli import CONSOLE_SCRIPT, bookbuild


def bb(*args, cwd=None, env=None):
    """The installed console script, as an author runs it."""
    return bookbuild(*args, cwd=cwd, env=env, console_script=True)


def broken(tmp_path):
    return make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n錯誤[^missing]與孤兒,還有\n"})


def test_console_script_is_installed():
    assert CONSOLE_SCRIPT.exists(), "pip install -e . must install the bookbuild console script"
    r = bb("--version")
    assert r.returncode == 0 and r.stdout.startswith("bookbuild ")


def test_text_format_and_exit_1(tmp_path):
    book = broken(tmp_path)
    r = bb("check", str(book), cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"book/manuscript/01\.md:\d+:\d+: error BB101 .+ \(hint: .+\)", lines[0]), lines
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?", lines[-1])
    assert r.stderr == ""


def test_json_format(tmp_path):
    book = broken(tmp_path)
    r = bb("check", str(book), "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["book_dir"] == str(book.resolve())
    d = next(d for d in doc["diagnostics"] if d["code"] == "BB101")
    assert set(d) == {"code", "severity", "message", "hint", "file", "line", "column"}
    assert d["file"] == "manuscript/01.md" and d["severity"] == "error"
    assert doc["summary"]["errors"] >= 1


def test_github_format_escapes(tmp_path):
    book = broken(tmp_path)
    r = bb("check", str(book), "--format", "github", env={"GITHUB_WORKSPACE": str(tmp_path)})
    line = next(x for x in r.stdout.splitlines() if "BB101" in x)
    assert re.fullmatch(r"::error file=book/manuscript/01\.md,line=\d+,col=\d+,title=BB101::[^\n]+", line), line
    # a property value with a comma or colon must be escaped
    from bookbuild.diagnostics import _gh_escape_prop
    assert _gh_escape_prop("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_sarif_format(tmp_path):
    r = bb("check", str(broken(tmp_path)), "--format", "sarif")
    doc = json.loads(r.stdout)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    assert any(res["ruleId"] == "BB101" for res in run["results"])


def test_strict_turns_warnings_into_failure(tmp_path):
    book = make_book(tmp_path / "b", {"footnotes/glossary.yaml": (
        "tenth:\n  term: 第十軍\n  definition: 國民革命軍第十軍。\n衡陽:\n  definition: 湖南省城市。\n"
        "長沙:\n  definition: 湖南省會。\n")})
    assert bb("check", str(book)).returncode == 0
    assert bb("check", str(book), "--strict").returncode == 1


def test_no_book_and_usage_errors_exit_2(tmp_path):
    assert bb("check", str(tmp_path)).returncode == 2
    r = bb("check", "--format", "yaml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert bb("frobnicate").returncode == 2


def test_check_walks_up_from_a_file(tmp_path):
    book = broken(tmp_path)
    r = bb("check", str(book / "manuscript" / "01.md"), "--format", "json")
    assert r.returncode == 1 and json.loads(r.stdout)["book_dir"] == str(book.resolve())


def test_book_toml_in_manuscript(tmp_path):
    book = make_book(tmp_path / "b")
    (book / "book.toml").rename(book / "manuscript" / "book.toml")
    r = bb("check", str(book))
    assert r.returncode == 0, r.stdout + r.stderr


def test_broken_toml_is_bb502_not_exit_2(tmp_path):
    book = make_book(tmp_path / "b", {"book.toml": "[book\ntitle = 1\n"})
    r = bb("check", str(book))
    assert r.returncode == 1 and "BB502" in r.stdout and "Traceback" not in r.stderr


def test_internal_error_exit_3(tmp_path, monkeypatch):
    from bookbuild import cli
    monkeypatch.setenv("BOOKBUILD_CRASH_DIR", str(tmp_path))

    def boom(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr("bookbuild.commands.check.run_checks", boom)
    book = make_book(tmp_path / "b")
    assert cli.main(["check", str(book)]) == 3
    reports = list(tmp_path.glob("bookbuild-crash-*.txt"))
    assert reports and "RuntimeError: boom" in reports[0].read_text()
