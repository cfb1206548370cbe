"""Sorting rare characters (docs/FORMAT.md "Characters", transform/sortkeys.py): astral ideographs,
variation sequences, compatibility ideographs and characters without reading or stroke data sort by the
documented rule in the 索引 and the 參考書目 — never a crash, never lost, the author's code points kept."""
from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from bookbuild.transform.bookindex import group_label, reading_key
from bookbuild.transform.sortkeys import UNKNOWN_STROKES, sort_chars, sort_key, strokes
from helpers.books import BOOK_TOML, CHAPTER, SOURCES, make_book
from helpers.epub import NS
from helpers.outputs import build_book

IVS = "\U000E0100"
NO_READING = "\U0002000B"      # 𠀋 Ext. B: 4 strokes, no reading in pypinyin
NO_READING_5 = "\U0002B746"    # 𫝆 Ext. D: 5 strokes, no reading
CHU = "\U0002CE93"             # 𬺓 Ext. E: chǔ, 21 strokes
BIANG = "\U00030EDD"           # 𰻝 Ext. G: biáng
EXT_I = "\U0002EBF0"           # Ext. I (Unicode 15.1): neither strokes nor reading in the data
EXT_H = "\U00031350"           # Ext. H: unknown to Python 3.11's own Unicode data
COMPAT = "\uF900"              # 豈 compatibility ideograph of 豈 U+8C48


def test_what_a_key_sees():
    assert sort_chars(f" 葛{IVS}洪 ") == "葛洪"
    assert sort_chars(COMPAT + "\U0002F804") == "\u8C48\u4F60"
    for method in ("strokes", "pinyin", "zhuyin"):
        assert sort_key(f"葛{IVS}洪", method) == sort_key("葛洪", method)
        assert sort_key(COMPAT, method) == sort_key("\u8C48", method)
        assert reading_key(f"葛{IVS}洪", method) == reading_key("葛洪", method)
    assert group_label(COMPAT + "某", "pinyin") == "Q" and group_label(COMPAT, "strokes") == "10畫"
    assert group_label(f"葛{IVS}洪", "zhuyin") == "ㄍ"


def test_characters_without_data_sort_after_those_with_it():
    assert strokes(EXT_I) == 0 and strokes(EXT_H) == 5
    by_strokes = sorted(["一", EXT_I, "龘", "A", EXT_H, NO_READING], key=lambda t: sort_key(t, "strokes"))
    assert by_strokes == ["A", "一", NO_READING, EXT_H, "龘", EXT_I]     # 1, 4, 5, 48 strokes, then unknown
    assert sort_key(EXT_I, "strokes")[0][1] == UNKNOWN_STROKES
    for method, read in (("pinyin", [CHU, "葛"]), ("zhuyin", ["葛", CHU])):     # chu < ge; ㄍ < ㄔ
        order = sorted([NO_READING_5, EXT_I, "葛", NO_READING, CHU], key=lambda t: reading_key(t, method))
        # read ones by reading; then the unread by strokes (4, 5), the unknown count last
        assert order == read + [NO_READING, NO_READING_5, EXT_I], method
        assert group_label(NO_READING, method) == "其他" and group_label(EXT_I, method) == "其他"
    assert group_label(EXT_I, "strokes") == "其他"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    chapter = CHAPTER + (f"\n[{BIANG}{BIANG}麵]{{.name}}、[{NO_READING_5}某]{{.name}}、[{NO_READING}某]{{.name}}、"
                         f"[葛{IVS}洪]{{.name}}、[葛洪]{{.name}}、[{COMPAT}某]{{.name}}與[{CHU}某]{{.name}}同見"
                         "[@rare1, 頁1][@rare2, 頁2]。\n")
    sources = SOURCES + "".join(f"- id: {key}\n  type: book\n  title: {ch}氏家譜\n  author: [{{literal: {ch}某}}]\n"
                                for key, ch in (("rare1", NO_READING), ("rare2", CHU)))
    toml = BOOK_TOML.replace("[book]\n", '[book]\nindex_sort = "pinyin"\nbibliography_sort = "pinyin"\n', 1)
    root = make_book(tmp_path_factory.mktemp("rare-sort") / "book",
                     {"book.toml": toml, "manuscript/01.md": chapter, "footnotes/sources.yaml": sources})
    out = build_book(root, ["epub"])
    assert out.code == 0, out.stdout
    return out


def _doc(built, name):
    with zipfile.ZipFile(built.epub) as zf:
        return etree.fromstring(zf.read(f"EPUB/text/{name}.xhtml"))


def test_epub_index_sorts_rare_characters_by_the_rule(built):
    groups = [("".join(g.xpath("h:h2", namespaces=NS)[0].itertext()),
               ["".join(t.itertext()) for t in g.xpath(".//h:span[@epub:type='index-term']", namespaces=NS)])
              for g in _doc(built, "index").xpath("//h:section[@epub:type='index-group']", namespaces=NS)]
    assert groups == [
        ("B", [f"{BIANG}{BIANG}麵"]), ("C", [f"{CHU}某"]), ("D", ["第十軍"]), ("F", ["方先覺"]),
        ("G", ["葛洪", f"葛{IVS}洪"]),          # a variation sequence sorts with its base; the text breaks the tie
        ("H", ["衡陽"]),
        ("Q", [f"{COMPAT}某"]),                  # sorted as 豈 qǐ, printed as the author typed it (U+F900)
        ("其他", [f"{NO_READING}某", f"{NO_READING_5}某"]),   # no reading: after every read entry, by strokes
    ]


def test_epub_bibliography_sorts_rare_characters_by_the_rule(built):
    entries = ["".join(li.itertext()) for li in _doc(built, "bibliography").xpath("//h:li", namespaces=NS)]
    firsts = [e.split(".")[0] for e in entries]
    assert firsts == [f"{CHU}某", "蔣中正", "一号作戦[M]", f"{NO_READING}某"]   # chǔ, jiǎng, yī, then unread
