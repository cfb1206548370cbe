"""Issue 10 item 4: nothing raw reaches the terminal.

A crash anywhere (check, an EPUB build, a forked PDF worker that raises or
dies) is one line on stderr naming a report, exit 3; the report has the
traceback, the versions and the command line.  Library messages (Pandoc,
WeasyPrint) become diagnostics at the author's file:line, never stderr text.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers.books import CHAPTER, make_book
from helpers.cli import bookbuild, src_env

ONE_LINE = re.compile(r"^bookbuild: internal error; the full report is in (.+)$")

# Patches one stage of bookbuild, then runs the CLI as the console script would.
DRIVER = textwrap.dedent('''
    import importlib, os, sys
    PARENT = os.getpid()
    module, name, mode = os.environ["CRASH_AT"].split(":")
    target = importlib.import_module(module)
    real = getattr(target, name)

    def crash(*args, **kwargs):
        in_worker = os.getpid() != PARENT
        if mode == "raise" or (mode == "worker-raise" and in_worker):
            raise RuntimeError("planted failure in " + name)
        if mode == "worker-exit" and in_worker:
            os._exit(9)
        return real(*args, **kwargs)

    setattr(target, name, crash)
    from bookbuild.cli import main
    sys.exit(main(sys.argv[1:]))
''')


def _run(book: Path, crash_at: str, args: list[str], tmp_path: Path, timeout=240):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    env = src_env(CRASH_AT=crash_at, BOOKBUILD_CRASH_DIR=str(reports))
    proc = subprocess.run([sys.executable, str(driver), *args], cwd=book, env=env, capture_output=True,
                          text=True, timeout=timeout)
    return proc, reports


def _assert_crash_report(proc, reports: Path, args: list[str], planted: str) -> str:
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    m = ONE_LINE.match(lines[0])
    assert m, lines[0]
    report = Path(m.group(1))
    assert report.parent == reports and report.is_file()
    text = report.read_text(encoding="utf-8")
    from bookbuild import __version__
    assert f"bookbuild {__version__}" in text
    assert f"Python {sys.version.split()[0]}" in text
    assert "command: " in text and " ".join(args) in text
    assert "Traceback (most recent call last)" in text
    assert planted in text
    return text


@pytest.fixture
def book(tmp_path):
    return make_book(tmp_path / "book")


def test_crash_in_check(book, tmp_path):
    args = ["check", "--format", "json"]
    proc, reports = _run(book, "bookbuild.commands.check:run_checks:raise", args, tmp_path)
    _assert_crash_report(proc, reports, args, "planted failure in run_checks")
    assert proc.stdout == ""


def test_crash_in_epub_build_leaves_no_output(book, tmp_path):
    out = tmp_path / "out"
    args = ["build", "--edition", "epub", "--out", str(out)]
    proc, reports = _run(book, "bookbuild.render.epub:render_epub:raise", args, tmp_path)
    _assert_crash_report(proc, reports, args, "planted failure in render_epub")
    assert not (out / "epub.epub").exists()


@pytest.mark.parametrize("mode,planted", [
    ("worker-raise", "planted failure in draw_range"),     # the worker's own traceback is in the report
    ("worker-exit", "WorkerDied"),                          # a worker killed mid-page: no hang
    ("init-raise", "WorkerDied"),     # a worker that cannot start: no traceback per respawned worker
])
def test_crash_in_pdf_worker(book, tmp_path, mode, planted):
    # a book style on every paragraph: WeasyPrint draws every page, in the workers
    (book / "styles").mkdir(exist_ok=True)
    (book / "styles" / "print.css").write_text("p { color: #010101; }\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--edition", "print", "--jobs", "2", "--out", str(out)]
    at = ("bookbuild.render.pdf.drawing.pool:_worker_init:worker-raise" if mode == "init-raise"
          else f"bookbuild.render.pdf.drawing.draw:draw_range:{mode}")
    proc, reports = _run(book, at, args, tmp_path, timeout=180)
    _assert_crash_report(proc, reports, args, planted)
    assert not (out / "print.pdf").exists()


# ------------------------------------------------------------ library messages

_RAW = ("[WARNING]", "Traceback", "Ignored `", "Duplicate link reference", "DecompressionBomb", "WARNING:")


def test_pandoc_and_weasyprint_messages_do_not_reach_the_terminal(tmp_path):
    # Pandoc warns about the duplicate link label; WeasyPrint about an unknown property.
    chapter = CHAPTER + "\n見[甲][x]。\n\n[x]: https://example.org/a\n[x]: https://example.org/b\n"
    book = make_book(tmp_path / "book", {"manuscript/01.md": chapter,
                                         "styles/all.css": "p {\n  no-such-property: 1;\n}\n"})
    for args in (["check", "--format", "json"], ["build", "--format", "json", "--out", str(tmp_path / "out")]):
        proc = bookbuild(*args, cwd=book, with_src=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for raw in _RAW:
            assert raw not in proc.stderr, (args, proc.stderr)
        json.loads(proc.stdout)         # stdout is the JSON document and nothing else
        assert "[WARNING]" not in proc.stdout and "Traceback" not in proc.stdout
    assert (tmp_path / "out" / "print.pdf").is_file() and (tmp_path / "out" / "epub.epub").is_file()


def test_python_warnings_are_captured_not_printed():
    code = ("import warnings, bookbuild.crash\n"
            "from bookbuild.capture import capture\n"
            "warnings.warn('outside any capture')\n"
            "with capture() as got:\n    warnings.warn('inside')\n"
            "print(len(got), 'inside' in got[0].text)\n")
    proc = subprocess.run([sys.executable, "-c", code], env=src_env(), capture_output=True, text=True, timeout=60)
    assert proc.stderr == ""
    assert proc.stdout.split() == ["1", "True"]


def test_pandoc_warnings_map_to_the_authors_lines():
    """Two parts joined as load/ hands them to Pandoc; each warning lands on
    the line of the duplicate definition in its own file."""
    from bookbuild.load.pandoc_parts import READER, pandoc_json, parse_parts
    fence = ":" * 12
    chapter = "# 題\n\n[x]: /a\n[x]: /b\n"
    note = "甲\n\n[y]: /a\n\n[y]: /b\n"
    parts = [f'{fence} {{.bbpart n="0"}}\n{chapter}\n{fence}\n', f'{fence} {{.bbpart n="1"}}\n{note}\n{fence}\n']
    ast, diags = parse_parts(parts, [("manuscript/01.md", 1), ("footnotes/01.md", 10)])
    assert len(ast["blocks"]) == 2
    # a chunk that holds only part 1 (load/ runs chunks in threads): located by the part's number
    _, alone = pandoc_json(parts[1:], [("manuscript/01.md", 1), ("footnotes/01.md", 10)], READER)
    assert [(d.code, d.file, d.line) for d in alone] == [("BB604", "footnotes/01.md", 14)]
    got = sorted((d.code, d.file, d.line) for d in diags)
    assert got == [("BB604", "footnotes/01.md", 14), ("BB604", "manuscript/01.md", 4)]
    assert all("Duplicate link reference" in d.message and d.severity == "warning" for d in diags)


def test_a_failing_pandoc_is_a_diagnostic():
    from bookbuild.load.pandoc_parts import pandoc_json
    out, diags = pandoc_json([":::: {.bbpart n=\"0\"}\n甲\n::::\n"], [("manuscript/01.md", 1)], "no-such-reader")
    assert out is None
    assert [(d.code, d.severity, d.file) for d in diags] == [("BB605", "error", "manuscript/01.md")]


def test_weasyprint_messages_map_to_the_stylesheet(tmp_path):
    """A real WeasyPrint run: the unknown property and the refused URL come
    back with the part and land on their lines in styles/all.css."""
    from bookbuild.load import load_book
    from bookbuild.render.pdf.drawing.css import book_css
    from bookbuild.render.pdf.drawing.draw import draw_range
    from bookbuild.render.pdf.drawing.messages import part_diagnostics

    css = "p {\n  color: red;\n  no-such-property: 1;\n}\nspan { background-image: url(file:///etc/hostname); }\n"
    book_dir = make_book(tmp_path / "book", {"styles/all.css": css})
    book, _ = load_book(book_dir)
    base = book_dir.resolve().as_uri() + "/"
    html = f"<html><head><style>{book_css(css)}</style></head><body><p>甲</p><span>乙</span></body></html>"
    part = draw_range(html, base, [book_dir], tmp_path / "part.pdf", 0, turn_pages=False)
    got = {(d.code, d.file, d.line) for d in part_diagnostics([part], book, "print", base)}
    assert got == {("BB604", "styles/all.css", 3), ("BB508", "styles/all.css", 5)}


def test_pandoc_warning_is_a_diagnostic_of_check(tmp_path):
    chapter = CHAPTER + "\n見[甲][x]。\n\n[x]: https://example.org/a\n[x]: https://example.org/b\n"
    book = make_book(tmp_path / "book", {"manuscript/01.md": chapter})
    proc = bookbuild("check", "--format", "json", cwd=book, with_src=True)
    assert proc.returncode == 0 and "[WARNING]" not in proc.stderr
    got = [(d["code"], d["file"], d["line"]) for d in json.loads(proc.stdout)["diagnostics"]]
    line = chapter.count("\n", 0, chapter.index("[x]: https://example.org/b")) + 1
    assert ("BB604", "manuscript/01.md", line) in got


def test_weasyprint_warning_is_a_diagnostic_of_build(tmp_path):
    book = make_book(tmp_path / "book", {"styles/all.css": "p {\n  color: red;\n  no-such-property: 1;\n}\n"})
    for _ in range(2):          # the rebuild too: a page with a message is drawn again, not taken from the cache
        proc = bookbuild("build", "--edition", "print", "--format", "json", "--out", str(tmp_path / "out"),
                         cwd=book, with_src=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        got = [(d["code"], d["file"], d["line"]) for d in json.loads(proc.stdout)["diagnostics"]]
        assert ("BB604", "styles/all.css", 3) in got
