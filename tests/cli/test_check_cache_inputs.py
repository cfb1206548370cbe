"""The check cache never answers for a book that changed, and never blocks or reads outside the book."""
from __future__ import annotations

import os

from helpers.books import BOOK_TOML, CHAPTER, make_book
from helpers.cli import check_json


def codes(book) -> list[str]:
    return sorted(d["code"] for d in check_json(book)[1])


def test_chapter_kept_outside_manuscript_is_part_of_the_key(tmp_path):
    toml = BOOK_TOML.replace('"manuscript/01.md"', '"text/01.md"')
    book = make_book(tmp_path / "book", {"book.toml": toml})
    (book / "text").mkdir()
    os.replace(book / "manuscript" / "01.md", book / "text" / "01.md")
    assert codes(book) == []
    (book / "text" / "01.md").write_text(CHAPTER + "\n又一注[^zz]。\n", encoding="utf-8")
    assert codes(book) == ["BB101"]


def test_symlinked_chapter_inside_the_root_is_followed_for_the_key(tmp_path):
    book = make_book(tmp_path / "book")
    (book / "drafts").mkdir()
    os.replace(book / "manuscript" / "01.md", book / "drafts" / "01.md")
    os.symlink("../drafts/01.md", book / "manuscript" / "01.md")
    assert codes(book) == []
    (book / "drafts" / "01.md").write_text(CHAPTER + "\n又一注[^zz]。\n", encoding="utf-8")
    assert codes(book) == ["BB101"]


def test_chapter_replaced_by_a_folder_then_a_fifo(tmp_path):
    book = make_book(tmp_path / "book")
    chapter = book / "manuscript" / "01.md"
    chapter.unlink()
    chapter.mkdir()
    assert "BB501" in codes(book)
    chapter.rmdir()
    os.mkfifo(chapter)           # reading it would block forever: it must be refused, not opened
    assert "BB508" in codes(book)
