"""`bookbuild init [BOOK_DIR] [--title T] [--author A]`: a new, clean book in the contract format.

The skeleton uses every file of the format once (a chapter with a note, a
citation and a glossary term) so an author sees each construct, and
`bookbuild check` passes on it with no diagnostics.
"""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

from ..atomic import write_text
from .check import run_check


def _files(title: str, author: str) -> dict[str, str]:
    ident = uuid.uuid4()
    return {
        "book.toml": f'''[book]
title = "{title}"
authors = ["{author}"]
language = "zh-Hant-TW"
identifier = "urn:uuid:{ident}"
chapters = [
  "manuscript/01.md",
]

[editions.epub]
format = "epub"
writing = "vertical"

[editions.epub-horizontal]
format = "epub"
writing = "horizontal"

[editions.print]
format = "pdf"
writing = "vertical"
''',
        "manuscript/01.md": """# 第一章

這是第一段正文。注釋寫在 footnotes/ 裡，正文只放引用記號。[^first-note]

引用文獻寫成這樣，會自動成為一條注。[@example-source, 頁1]

詞彙表的條目這樣標記：[範例詞]{.term}。
""",
        "footnotes/01.md": "[^first-note]: 這是一條注，可以引用文獻。[@example-source, 頁2]\n",
        "footnotes/sources.yaml": """- id: example-source
  type: book
  title: 範例書名
  author: [{literal: 某某}]
  issued: {date-parts: [[2020]]}
""",
        "footnotes/glossary.yaml": """範例詞:
  definition: 詞彙表條目的說明。
""",
        "styles/all.css": "/* Styles for every edition; styles/<edition>.css for one edition. */\n",
        ".gitignore": ".bookbuild/\ndist/\n",
    }


def run_init(book_dir: Path, *, title: str = "新書", author: str = "作者", stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if book_dir.exists() and not book_dir.is_dir():
        print(f"bookbuild: {book_dir} is a file; init needs a new or empty folder", file=stderr)
        return 2
    if book_dir.exists() and any(book_dir.iterdir()):
        print(f"bookbuild: {book_dir} is not empty; init writes only into a new or empty folder", file=stderr)
        return 2
    if '"' in title + author or "\\" in title + author:
        print("bookbuild: the title and author may not contain \" or \\", file=stderr)
        return 2
    try:
        for rel, text in _files(title, author).items():
            write_text(book_dir / rel, text)
    except OSError as e:
        print(f"bookbuild: error BB601 cannot write {e.filename or book_dir}: {e.strerror or e} "
              "(hint: choose a folder you can write to)", file=stderr)
        return 1
    print(f"created a new book in {book_dir}; build it with: bookbuild build {book_dir}", file=stderr)
    return run_check([book_dir], stdout=stdout, stderr=stderr)
