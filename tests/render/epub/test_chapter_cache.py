"""Chapters' XHTML kept between builds (render/epub/chapter_cache.py, issue 19's edit loop).

Every test builds a two-chapter book with `bookbuild build`'s own function,
keeping the book's `.bookbuild/` between builds, and counts the chapter
documents written (not taken from the cache).  After each kind of change the
EPUBs must be byte for byte those of a cold build of the same sources (the
cache removed), and the change must be in them.
"""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from bookbuild.commands.build import run_build
from bookbuild.render import epub as epub_mod
from bookbuild.render.epub import chapter_cache
from helpers.books import EDIT_BOOK_TOML, EDIT_GLOSSARY, EDIT_SOURCE, PRINT_BASE, make_book
from helpers.epub import EPOCH

EDITIONS = """
[editions.epub]
format = "epub"
writing = "vertical"

[editions.epub-horizontal]
format = "epub"
writing = "horizontal"

[editions.epub-book]
format = "epub"
notes = "book"
"""
PAGED = """
[editions.print]
format = "pdf"

[editions.epub-paged]
format = "epub"
page_source = "print"
"""
TOML = PRINT_BASE["book.toml"].split("[editions.print]")[0]
LONG = "守軍在城南的高地之間挖掘交通壕，把民房的牆壁打通，使各據點可以互相支援。" * 40


class Books:
    def __init__(self, root: Path, monkeypatch, editions: str = EDITIONS):
        self.root = make_book(root / "book", {"book.toml": TOML + editions}, base=PRINT_BASE)
        self.out = root
        self.written: list[tuple[str, str]] = []       # (edition, chapter file) written, not kept
        real = epub_mod.chapter_doc

        def counting(ctx, ch):
            self.written.append((ctx.edition.name, ch.file))
            return real(ctx, ch)
        monkeypatch.setattr(epub_mod, "chapter_doc", counting)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    def build(self, out: str) -> dict[str, bytes]:
        self.written = []
        err = io.StringIO()
        assert run_build(self.root, out_dir=self.out / out, stdout=io.StringIO(), stderr=err, jobs=1) == 0, \
            err.getvalue()
        return {p.name: p.read_bytes() for p in sorted((self.out / out).glob("*.epub"))}

    def cold(self, out: str) -> dict[str, bytes]:
        written = self.written
        shutil.rmtree(self.root / ".bookbuild")
        try:
            return self.build(out)
        finally:
            self.written = written

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def text_of(archive: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))


@pytest.fixture
def books(tmp_path, monkeypatch):
    return Books(tmp_path, monkeypatch)


def test_a_second_build_writes_no_chapter_and_the_same_bytes(books):
    first = books.build("a")
    assert len(books.written) == 6              # 3 editions × 2 chapters
    again = books.build("b")
    assert books.written == [] and again == first
    folders = list((books.root / ".bookbuild/cache" / chapter_cache.FOLDER).iterdir())
    assert len(folders) == 3 and all(len(list(f.iterdir())) == 2 for f in folders)


def test_a_note_edit_writes_only_its_chapter(books):
    books.build("a")
    books.edit("footnotes/01.md", "見當時重慶各報的報導。", "見當時重慶與桂林各報的報導，另見校勘記。")
    warm = books.build("b")
    # n6 is called in chapter 2; epub-book's notes are in notes.xhtml: its chapters are kept
    assert sorted(books.written) == [("epub", "manuscript/02.md"), ("epub-horizontal", "manuscript/02.md")]
    assert all("校勘記" in text_of(b) for b in warm.values())
    assert warm == books.cold("c")
    # one entry per chapter is left: the replaced one is removed
    assert all(len(list(f.iterdir())) == 2
               for f in (books.root / ".bookbuild/cache" / chapter_cache.FOLDER).iterdir())


@pytest.mark.parametrize("kind", ["paragraph", "glossary definition", "glossary term", "source", "style",
                                  "book.toml"])
def test_every_kind_of_change_reaches_the_epub(books, kind):
    (books.root / "styles").mkdir()
    (books.root / "styles/epub.css").write_text("p { color: #111 }\n", encoding="utf-8")
    books.build("a")
    marker = {"paragraph": "以上據校勘記", "glossary definition": "湘江與耒水交匯處", "glossary term": "第十軍團",
              "source": "一號作戰全史", "style": None, "book.toml": "衡陽四十七日新本"}[kind]
    if kind == "paragraph":
        books.edit("manuscript/02.md", "仍然沒有定論。", "仍然沒有定論，以上據校勘記。")
    elif kind == "glossary definition":
        books.edit(*EDIT_GLOSSARY)
    elif kind == "glossary term":
        books.edit("footnotes/glossary.yaml", "term: 第十軍", "term: 第十軍團")
    elif kind == "source":
        books.edit(*EDIT_SOURCE)
    elif kind == "style":
        books.edit("styles/epub.css", "#111", "rgb(0, 0, 200)")
    else:
        books.edit(*EDIT_BOOK_TOML)
    warm = books.build("b")
    if marker:
        assert all(marker in text_of(b) for b in warm.values())
    else:
        with zipfile.ZipFile(io.BytesIO(warm["epub.epub"])) as z:
            assert any(b"rgb(0, 0, 200)" in z.read(n) for n in z.namelist() if n.endswith(".css"))
    assert warm == books.cold("c")
    written = {f for _, f in books.written}
    expected = {"paragraph": {"manuscript/02.md"},      # the chapter edited, and no other
                "glossary definition": set(),           # read by glossary.xhtml only
                "style": set(),                         # the chapters link the same (changed) file
                "source": {"manuscript/01.md"},         # a note of chapter 1 cites it; chapter 2 cites another
                "glossary term": None, "book.toml": None}[kind]
    if expected is not None:
        assert written == expected
    else:
        assert len(books.written) == 6


def test_a_kept_entry_is_used_only_when_its_images_are_numbered_the_same(books):
    """Images are numbered in order of first use: a new image in chapter 1 renumbers
    chapter 2's, whose kept document then cannot be used."""
    from PIL import Image
    for name, colour in (("a.png", "red"), ("b.png", "blue")):
        Image.new("RGB", (40, 30), colour).save(books.root / name)
    books.edit("manuscript/02.md", "仍然沒有定論。", "仍然沒有定論。\n\n![乙圖](b.png)\n")
    books.build("a")
    books.edit("manuscript/01.md", "## 城內\n", "## 城內\n\n![甲圖](a.png)\n\n")
    warm = books.build("b")
    assert ("epub", "manuscript/02.md") in books.written     # its key is the same; its image is not
    assert warm == books.cold("c")


def test_a_page_moving_change_with_a_page_list(tmp_path, monkeypatch):
    """An edition with page_source is never kept (its page marks are placed in order):
    a change that moves every later print page still gives the cold build's EPUB."""
    books = Books(tmp_path, monkeypatch, PAGED)
    books.build("a")
    books.edit("manuscript/01.md", "## 城內\n", f"## 城內\n\n{LONG}\n")
    warm = books.build("b")
    assert len(books.written) == 2
    assert not (books.root / ".bookbuild/cache" / chapter_cache.FOLDER).exists()
    assert warm == books.cold("c")


def test_a_damaged_entry_is_written_again(books):
    first = books.build("a")
    for f in (books.root / ".bookbuild/cache" / chapter_cache.FOLDER).rglob("*.pickle"):
        f.write_bytes(b"\x80\x05cos\nsystem\n.")       # a planted pickle: refused, not run
    assert books.build("b") == first and len(books.written) == 6


def test_a_note_added_in_chapter_1_renumbers_chapter_2_with_book_numbering(tmp_path, monkeypatch):
    """With one note sequence through the book, a note added in chapter 1 changes
    every number in chapter 2, whose text did not change: it is written again."""
    books = Books(tmp_path, monkeypatch)
    books.edit("book.toml", 'publisher = "測試書房"', 'publisher = "測試書房"\nnote_numbering = "book"')
    books.build("a")
    books.edit("manuscript/01.md", "仍有爭論。[^n3]", "仍有爭論。[^n3]新添一注。[^n8]")
    books.edit("footnotes/01.md", "[^n7]:", "[^n8]: 新添的注。\n\n[^n7]:")
    warm = books.build("b")
    assert ("epub", "manuscript/02.md") in books.written
    assert all("新添的注" in text_of(b) for b in warm.values())
    assert warm == books.cold("c")
