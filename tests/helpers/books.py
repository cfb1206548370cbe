"""Tiny books on disk for tests: a valid base that each test breaks in one place."""
from __future__ import annotations

from pathlib import Path

BOOK_TOML = '''[book]
title = "測試之書"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
chapters = [
  "manuscript/01.md",
]

[editions.epub]
format = "epub"
writing = "vertical"

[editions.print]
format = "pdf"
'''

CHAPTER = '''# 第一章　圍城

日軍於1944年6月23日進抵[衡陽]{.term}外圍[^a]，[方先覺]{.name}率[第十軍]{.term key=tenth}守城。

見[蔣中正日記]{.title}[@chiang, 7月20日]，戰事緊急[^b]。
'''

NOTES = '''[^a]: 日軍第十一軍進抵衡陽外圍。[@japan, 頁112]

[^b]: 第一段。

    續行縮排四格。
'''

SOURCES = '''- id: chiang
  type: manuscript
  title: 蔣中正日記
  author: [{literal: 蔣中正}]
  issued: {date-parts: [[1944]]}
- id: japan
  type: book
  title: 一号作戦
'''

GLOSSARY = '''tenth:
  term: 第十軍
  definition: 國民革命軍第十軍。
衡陽:
  definition: 湖南省城市。
  see: [tenth]
'''

BASE = {
    "book.toml": BOOK_TOML,
    "manuscript/01.md": CHAPTER,
    "footnotes/01.md": NOTES,
    "footnotes/sources.yaml": SOURCES,
    "footnotes/glossary.yaml": GLOSSARY,
}


def make_book(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    files = dict(BASE)
    files.update(changes or {})
    for rel, content in files.items():
        if content is None:
            continue
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root
