"""east_asian_line_breaks done by the converter (load/eastasian.py) gives what Pandoc's
own filter gives: the width tables against the installed Pandoc, the filter on tricky
Markdown, and whole books loaded both ways."""
from __future__ import annotations

import json
import shutil

import pytest

from bookbuild import model as m
from bookbuild.load import eastasian, load_book
from bookbuild.load import pandoc_parts as pp
from bookbuild.pandoc import run_pandoc
from helpers.books import CHAPTER, NOTES, make_book


def _both(text: str) -> tuple[list, list]:
    """(Pandoc's blocks with its filter, Pandoc's blocks without it after drop_breaks_in)."""
    with_filter = json.loads(run_pandoc(text, pp.READER, "json", direct=True)[0])["blocks"]
    without = json.loads(run_pandoc(text, pp.READER_SANS_FILTER, "json", direct=True)[0])["blocks"]
    eastasian.drop_breaks_in(without)
    return with_filter, without


def _sample(ranges) -> list[str]:
    """Every 7th character of each range, and its last."""
    out = [chr(c) for lo, hi in ranges for c in [*range(lo, hi + 1, 7), hi]]
    return [c for c in out if c.isprintable() and c not in "\\`*_{}[]()<>#+-.!|$@^~:='\"&"]


@pytest.mark.parametrize("ranges,wide", [(eastasian._WIDE, True), (eastasian._NARROW, False)])
def test_certain_widths_are_pandocs(ranges, wide):
    """Each certainly-wide character is wide to the installed Pandoc, each certainly-narrow
    one is not: both ways equal on 文X⏎X文 for a sample of every range."""
    chars = _sample(ranges)
    assert all(eastasian.wide(c) is wide for c in chars)
    text = "".join(f"文{c}\n{c}文\n\n" for c in chars)
    with_filter, without = _both(text)
    assert with_filter == without
    assert ('"SoftBreak"' in json.dumps(with_filter)) is not wide


TRICKY = [
    "甲乙\n丙丁", "ab\ncd", "甲a\nb乙", "甲乙a\n丙", "甲\nb",
    "*強調*\n文字", "文字\n*強調*", "**粗體**\n**粗體**", "[名字]{.name}\n下一行", "下一行\n[名字]{.name}",
    "正文[^1]\n下一行\n\n[^1]: 注。", "正文^[行內注]\n下一行", "正文\n^[行內注]下一行",
    "文字\n[見 @k, 頁12]。",
    "[*見\n於* @k, 頁\n*12*]", "[見 @k, *頁\n12*]", "[見 @k, [頁]{.x}\n[12]{.x}]",
    "文字[@k, 頁12]\n下一行", "文字\n[@k, 頁12]", "文字\n@k 說", "[見\n@k, 頁\n12]",
    "[連結](http://a.example)\n文字", "文字\n[連結\n文字](http://a.example)", "![圖\n說](a.png)\n\n文字",
    "`代碼`\n文字", "文字\n`碼`", "$x$\n文字", "文字<br>\n文字", "文字\n<span>文字</span>",
    "文字  \n文字", "文字\\\n文字", "> 引文\n> 引文\n\n正文", "- 項目\n  續行\n- 項目",
    "第一\n\n: 定義\n  續行", "| 行一\n| 行二", "文字。\n「引號」\n『雙』", "文字，\n（括號）",
    "'單'\n\"雙\"", "文字……\n——破折", "12\n34", "文字\n12", "12\n文字", "文　\n　文",
    "+--------+\n| 甲     |\n| 乙     |\n+--------+\n", "文字\n\\*跳脫", "文字\n~~刪除~~", "H~2~O\n文字",
    "# 標題\n\n甲\n乙\n丙\n丁", "[]{.bbref ref=\"a\" bbo=\"1\"}\n文字", "文字[]{.bbref ref=\"a\" bbo=\"1\"}\n文字",
]


@pytest.mark.parametrize("text", TRICKY)
def test_filter_as_pandocs(text):
    with_filter, without = _both(text + "\n")
    assert with_filter == without


def test_an_uncertain_width_is_left_to_pandoc():
    nodes = [{"t": "Str", "c": "表情😀"}, {"t": "SoftBreak"}, {"t": "Str", "c": "文"}]
    with pytest.raises(eastasian.Uncertain):
        eastasian.drop_breaks(nodes)
    assert eastasian.drop_breaks(nodes, strict=False) == nodes
    nodes[0]["c"] = "a😀"[::-1]     # 😀a: the side before ends narrow, certain
    assert eastasian.drop_breaks(nodes) == nodes


def _loaded(root, monkeypatch, pandoc_filters: bool):
    """The book loaded with Pandoc's east_asian_line_breaks, or with the converter's."""
    shutil.rmtree(root / ".bookbuild", ignore_errors=True)      # parsed now, not reused
    monkeypatch.setattr(pp, "READER_SANS_FILTER", pp.READER if pandoc_filters else "markdown-smart-task_lists")
    book, diags = load_book(root)
    blocks = [ch.blocks for ch in book.chapters] + [n.blocks for n in book.notes.values()]
    cites = [n.pandoc for bs in blocks for n in m.walk_blocks_inlines(bs) if isinstance(n, m.Citation)]
    assert cites
    return repr((book.chapters, book.notes, diags)) + json.dumps(cites, ensure_ascii=False)


def test_books_load_the_same_either_way(tmp_path, monkeypatch):
    """The whole load (converter, citations kept as JSON, positions) with Pandoc's filter
    and with the converter's: the same chapters, notes and diagnostics."""
    chapter = CHAPTER + "\n" + "\n\n".join(t for t in TRICKY if "[^1]" not in t) + "\n"
    chapter += "\n見[蔣中正日記]{.title}\n[@chiang, 7月\n20日]，\n戰事[^b]\n緊急。\n"
    root = make_book(tmp_path / "b", {"manuscript/01.md": chapter, "footnotes/01.md": NOTES + "\n[^c]: 注\n  續。\n"})
    assert _loaded(root, monkeypatch, True) == _loaded(root, monkeypatch, False)


@pytest.mark.parametrize("extra", ["", "\n[x]: https://a.example\n"])
def test_uncertain_parts_read_again(tmp_path, monkeypatch, extra):
    """A soft break beside a character of uncertain width: that part read again by Pandoc
    with its filter (every part when one holds a reference definition)."""
    chapter = CHAPTER + "\n表情😀\n文字，─\n─線。\n\n甲\n乙[x]\n" + extra
    notes = NOTES + "\n[^c]: 注😀\n  續。\n"
    root = make_book(tmp_path / "b", {"manuscript/01.md": chapter, "footnotes/01.md": notes})
    runs = []
    real = pp.pandoc_json
    monkeypatch.setattr(pp, "pandoc_json", lambda chunk, o, reader: runs.append((len(chunk), reader)) or
                        real(chunk, o, reader))
    converted = _loaded(root, monkeypatch, False)
    assert [r for _, r in runs] == ["markdown-smart-task_lists", pp.READER]
    assert runs[1][0] == (runs[0][0] if extra else 2)      # the chapter and note c, or all
    assert _loaded(root, monkeypatch, True) == converted
