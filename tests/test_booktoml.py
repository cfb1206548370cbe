"""Where a book's book.toml is (bookbuild/booktoml.py) and the lenient look at its tables (load)."""
from __future__ import annotations

import pytest

from bookbuild.booktoml import NoBook, book_root_for, book_toml_path, find_book_toml, parse_toml
from bookbuild.load import declared_editions


def test_top_book_toml_wins_and_both_is_bb502(tmp_path):
    (tmp_path / "manuscript").mkdir()
    inner = tmp_path / "manuscript" / "book.toml"
    inner.write_text("[book]\n", encoding="utf-8")
    assert book_toml_path(tmp_path) == inner
    assert find_book_toml(tmp_path) == (tmp_path, inner, [])
    (tmp_path / "book.toml").write_text("[book]\n", encoding="utf-8")
    root, path, diags = find_book_toml(tmp_path)
    assert (root, path) == (tmp_path, tmp_path / "book.toml")
    assert [(d.code, d.file) for d in diags] == [("BB502", "manuscript/book.toml")]


def test_no_book(tmp_path):
    with pytest.raises(NoBook):
        find_book_toml(tmp_path)
    assert book_root_for(tmp_path) is None


def test_book_root_from_a_chapter_file(tmp_path):
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "book.toml").write_text("[book]\n", encoding="utf-8")
    chapter = tmp_path / "manuscript" / "01.md"
    chapter.write_text("# 一\n", encoding="utf-8")
    assert book_root_for(chapter) == tmp_path.resolve()
    assert book_root_for(tmp_path / "manuscript") == tmp_path.resolve()


def test_parse_toml_positions_and_nesting():
    data, diags = parse_toml('[book]\ntitle = "書"\n')
    assert data == {"book": {"title": "書"}} and diags == []
    data, diags = parse_toml('[book]\ntitle = "書\n')
    assert data is None and [(d.code, d.line) for d in diags] == [("BB502", 2)]
    data, diags = parse_toml("x = " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert data is None and [d.code for d in diags] == ["BB510"]


def test_declared_editions_is_lenient(tmp_path):
    assert declared_editions(tmp_path) == {}
    (tmp_path / "book.toml").write_text('[editions.epub]\nformat = "epub"\nno_such_key = 1\n[editions]\nx = 1\n',
                                        encoding="utf-8")
    assert declared_editions(tmp_path) == {"epub": {"format": "epub", "no_such_key": 1}}
    (tmp_path / "book.toml").write_text('editions = 3\n', encoding="utf-8")
    assert declared_editions(tmp_path) == {}
    (tmp_path / "book.toml").write_bytes(b"[book\n\xff")
    assert declared_editions(tmp_path) == {}
