"""Simplified editions: OpenCC conversion of the model, .noconv, glossary simplified:, BB405."""
from __future__ import annotations

import json
from io import StringIO

from bookbuild import model as m
from bookbuild.commands.check import run_check
from bookbuild.load import load_book
from bookbuild.transform.simplified import convert_book
from helpers.books import BOOK_TOML, CHAPTER, GLOSSARY, make_book

HANS_TOML = BOOK_TOML + '\n[editions.epub-hans]\nformat = "epub"\nscript = "zh-Hans"\n'


def test_convert_book_keeps_noconv_and_glossary_override(tmp_path):
    chapter = CHAPTER + "\n軟體與記憶體，[臺灣總督府]{.noconv}檔案。\n"
    glossary = GLOSSARY.replace("  term: 第十軍\n", "  term: 第十軍\n  simplified: 第十军（国军）\n")
    book, diags = load_book(make_book(tmp_path / "b", {"book.toml": HANS_TOML, "manuscript/01.md": chapter,
                                                       "footnotes/glossary.yaml": glossary}))
    hans = convert_book(book)
    text = "".join(m.plain_text(inl) for b in hans.chapters[0].blocks for inl in m.block_inlines(b))
    assert "软件与内存" in text, "phrase-level Taiwan -> Mainland conversion"
    assert "臺灣總督府" in text, ".noconv kept as written"
    assert "日军于1944年6月23日进抵" in text
    assert hans.terms["tenth"].term == "第十军（国军）"
    assert hans.terms["衡陽"].term == "衡阳"
    assert hans.config.title == "测试之书"
    # the original model is untouched
    assert "軟體與記憶體" in "".join(m.plain_text(inl) for b in book.chapters[0].blocks for inl in m.block_inlines(b))


def test_simplified_edition_defaults(tmp_path):
    book, _ = load_book(make_book(tmp_path / "b", {"book.toml": HANS_TOML}))
    ed = book.config.edition("epub-hans")
    assert (ed.font, ed.language) == ("Noto Serif CJK SC", "zh-Hans-CN")


def test_bb405_golden(tmp_path):
    chapter = CHAPTER + "\n敵軍旋即覆滅，乾隆年間。\n"
    root = make_book(tmp_path / "b", {"book.toml": HANS_TOML, "manuscript/01.md": chapter})
    out = StringIO()
    assert run_check([root], fmt="json", stdout=out, stderr=StringIO()) == 0
    diags = json.loads(out.getvalue())["diagnostics"]
    # 覆 in 覆滅: no OpenCC phrase decides it (default kept): reported; 乾隆 is decided by a phrase: not reported
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("BB405", 7, 5)]
    assert "复/覆" in diags[0]["message"]


def test_bb405_only_with_a_simplified_edition(tmp_path):
    root = make_book(tmp_path / "b", {"manuscript/01.md": CHAPTER + "\n雙方反覆爭奪。\n"})
    out = StringIO()
    run_check([root], fmt="json", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["diagnostics"] == []
