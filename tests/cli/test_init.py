"""bookbuild init: a new book that checks clean and builds; never writes into a non-empty folder."""
from __future__ import annotations

import io
import tomllib
import zipfile

from bookbuild.commands.build import run_build
from bookbuild.commands.init import run_init


def test_init_makes_a_clean_book_that_builds(tmp_path):
    book = tmp_path / "新書"
    out = io.StringIO()
    assert run_init(book, title="衡陽札記", author="林南", stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue() == "0 errors, 0 warnings\n"
    cfg = tomllib.loads((book / "book.toml").read_text(encoding="utf-8"))
    assert cfg["book"]["title"] == "衡陽札記" and cfg["book"]["authors"] == ["林南"]
    assert cfg["book"]["identifier"].startswith("urn:uuid:")
    assert run_build(book, editions=["epub"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    with zipfile.ZipFile(book / "dist" / "epub.epub") as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "這是第一段正文" in text and "範例書名" in text


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "mine.md").write_text("keep", encoding="utf-8")
    err = io.StringIO()
    assert run_init(tmp_path, stdout=io.StringIO(), stderr=err) == 2
    assert "not empty" in err.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["mine.md"]
