"""Commands given impossible arguments: one clear line, the contract's exit status, never a traceback."""
from __future__ import annotations

import pytest

from helpers import cli
from helpers.books import make_book


def bookbuild(*args, cwd=None):
    """Run the command; whatever it says, never a traceback or an internal error."""
    r = cli.bookbuild(*args, cwd=cwd, timeout=120)
    assert "Traceback" not in r.stdout + r.stderr
    assert "internal error" not in r.stderr
    return r


def test_init_into_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    r = bookbuild("init", f)
    assert r.returncode == 2 and "is a file" in r.stderr
    assert f.read_text() == "x"


def test_init_where_nothing_can_be_written(tmp_path):
    r = bookbuild("init", "/proc/bookbuild-cannot-be-here")
    assert r.returncode == 1 and "BB601" in r.stderr


@pytest.mark.parametrize("args, status, words", [
    (["--port", "99999"], 2, "not a port number"),
    (["--port", "-1"], 2, "not a port number"),
    (["--host", "ünï..x", "--port", "0"], 1, "cannot listen on"),
])
def test_serve_bad_address(tmp_path, args, status, words):
    book = make_book(tmp_path / "book")
    r = bookbuild("serve", book, *args)
    assert r.returncode == status, r.stderr
    assert words in r.stderr
