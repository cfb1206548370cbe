"""Citations through Pandoc citeproc (one call per book) and bibliography order."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bookbuild import model as m
from bookbuild.config import BookConfig, ChapterEntry, EditionConfig
from bookbuild.diagnostics import BookError
from bookbuild.transform import citeproc
from bookbuild.transform.sortkeys import sort_key, source_group, strokes

P = m.Pos("footnotes/n.md", 1, 1)

SOURCES = {
    "chiang": {"type": "manuscript", "title": "蔣中正日記", "author": [{"literal": "蔣中正"}],
               "issued": {"date-parts": [[1944]]}, "archive": "胡佛研究所檔案館"},
    "senshi": {"type": "book", "title": "一号作戦（2）湖南の会戦", "author": [{"literal": "防衛庁防衛研修所戦史室"}],
               "publisher": "朝雲新聞社", "publisher-place": "東京", "issued": {"date-parts": [[1968]]},
               "language": "ja"},
    "hattori": {"type": "book", "title": "大東亜戦争全史", "author": [{"literal": "服部卓四郎"}], "language": "ja",
                "issued": {"date-parts": [[1965]]}},
    "smith": {"type": "book", "title": "The Siege", "author": [{"family": "Smith", "given": "John"}],
              "publisher": "Oxford University Press", "issued": {"date-parts": [[2001]]}, "language": "en"},
    "adams": {"type": "book", "title": "Hunan 1944", "author": [{"family": "Adams", "given": "Ann"}],
              "issued": {"date-parts": [[1990]]}},
    "xue": {"type": "book", "title": "薛岳回憶錄", "author": [{"literal": "薛岳"}], "issued": {"date-parts": [[1980]]}},
    "fang": {"type": "book", "title": "方先覺傳", "author": [{"literal": "方先覺"}],
             "issued": {"date-parts": [[1975]]}},
    "unused": {"type": "book", "title": "未引書", "author": [{"literal": "某"}]},
}


def cite(*items) -> m.Citation:
    return m.Citation([m.CiteItem(k, prefix, loc) for k, prefix, loc in items], P)


def make_book(chapters_notes, root=Path("/nonexistent"), **cfg) -> tuple[m.Book, dict]:
    """chapters_notes: per chapter, a list of (note id, [inlines]) in call order."""
    chapters, notes = [], {}
    for i, chapter in enumerate(chapters_notes):
        refs = [m.NoteRef(nid, False, P) for nid, _ in chapter]
        chapters.append(m.Chapter(f"manuscript/{i}.md", "body", i, i + 1, [m.Text(f"第{i}章")],
                                  [m.Para([m.Text("正文")] + refs, P)], P))
        for nid, inlines in chapter:
            notes[nid] = m.Note(nid, [m.Para(inlines, P)], P)
    config = BookConfig(path="book.toml", title="書", authors=("某",), identifier="urn:uuid:x",
                        chapters=tuple(ChapterEntry(c.file, "body", 1, 1) for c in chapters),
                        editions=(EditionConfig("epub", "epub"),), **cfg)
    sources = {k: m.Source(k, v, P) for k, v in SOURCES.items()}
    return m.Book(root, config, chapters, notes, sources, {}), notes


def text_of(cites, citation) -> str:
    return m.plain_text(cites.formatted(citation))


TRICKY = ["頁112", "pp. 45-7", "p. 45", "1944年7月20日", "卷3，頁5", "第2冊, 頁3", "MATTERHORN 部分"]


@pytest.mark.parametrize("style", ["china-national-standard-gb-t-7714-2015-note",
                                   "chicago-notes-bibliography",
                                   "china-national-standard-gb-t-7714-2015-numeric"])
def test_every_locator_appears_as_written(style):
    chapter = []
    for i, loc in enumerate(TRICKY + TRICKY):   # twice: ibid and subsequent positions too
        chapter.append((f"n{i}", [m.Text("文字。"), cite(("smith" if i % 2 else "chiang", "", loc))]))
    book, notes = make_book([chapter], csl=style)
    cites = citeproc.format_citations(book)
    for nid, inlines in chapter:
        c = inlines[1]
        assert c.items[0].locator in text_of(cites, c), (style, nid)
        assert "BBLOC" not in text_of(cites, c)


def test_one_pandoc_call_per_book(monkeypatch):
    import pypandoc
    calls = []
    real = pypandoc.convert_text
    monkeypatch.setattr(pypandoc, "convert_text", lambda *a, **k: calls.append(1) or real(*a, **k))
    chapters = [[(f"c{c}n{i}", [cite(("chiang", "", f"{i}日"))]) for i in range(20)] for c in range(5)]
    book, _ = make_book(chapters)
    citeproc.format_citations(book)
    assert len(calls) == 1


def test_no_pandoc_call_without_citations(monkeypatch):
    import pypandoc
    monkeypatch.setattr(pypandoc, "convert_text", lambda *a, **k: pytest.fail("pandoc called"))
    book, _ = make_book([[("a", [m.Text("無引文")])]])
    assert citeproc.format_citations(book).bibliography == []


def test_chapter_scope_first_citation_is_full_again():
    """With per-chapter numbering, 同N / 同上 never reach into another chapter."""
    c1 = cite(("senshi", "", "頁1"))
    c2 = cite(("senshi", "", "頁2"))
    c3 = cite(("senshi", "", "頁3"))
    c4 = cite(("senshi", "", "頁4"))
    book, _ = make_book([[("a", [c1]), ("b", [m.Text("x"), c2])], [("c", [c3]), ("d", [c4])]])
    cites = citeproc.format_citations(book)
    assert "湖南の会戦" in text_of(cites, c1)
    assert text_of(cites, c2).startswith("（同上") and "頁2" in text_of(cites, c2)
    assert "湖南の会戦" in text_of(cites, c3), "chapter 2 must start with a full citation"
    assert text_of(cites, c4).startswith("同上")


def test_subsequent_form_names_the_chapter_note_number():
    """GB/T's 同N: N is the note number inside the chapter, not a global count."""
    c = [cite(("senshi", "", f"頁{i}")) for i in range(3)]
    other = cite(("chiang", "", "1日"))
    book, _ = make_book([[("x", [cite(("xue", "", "1"))]), ("y", [cite(("xue", "", "2"))])],
                         [("a", [c[0]]), ("b", [other]), ("c", [c[2]])]])
    out = text_of(citeproc.format_citations(book), c[2])
    assert out.startswith("同1") and "頁2" in out


def test_book_scope_continues_across_chapters():
    c1, c2 = cite(("senshi", "", "頁1")), cite(("senshi", "", "頁2"))
    book, _ = make_book([[("a", [c1])], [("b", [c2])]], note_numbering="book")
    cites = citeproc.format_citations(book)
    assert text_of(cites, c2).startswith("同上")


def test_prefix_has_no_space_and_lone_citation_has_no_parentheses():
    c = cite(("chiang", "見", "8月7日"))
    book, _ = make_book([[("a", [c])]])
    out = text_of(citeproc.format_citations(book), c)
    assert out.startswith("見蔣中正") and not out.startswith("（")


def test_parentheses_are_fullwidth_around_cjk_only():
    cj, en = cite(("chiang", "", "8月7日")), cite(("smith", "", "p. 9"))
    book, _ = make_book([[("a", [m.Text("正文。"), cj]), ("b", [m.Text("text "), en])]])
    cites = citeproc.format_citations(book)
    assert text_of(cites, cj).startswith("（") and text_of(cites, cj).endswith("）")
    assert text_of(cites, en).startswith("(") and text_of(cites, en).endswith(")")


def test_render_returns_a_citation_span():
    c = cite(("chiang", "", "1日"))
    book, _ = make_book([[("a", [c])]])
    out = citeproc.format_citations(book).formatted(c)
    assert len(out) == 1 and isinstance(out[0], m.Span) and out[0].classes == ("citation",)


@pytest.mark.parametrize("method,expected", [
    ("strokes", ["方先覺傳", "蔣中正日記", "薛岳回憶錄"]),   # 方 4 < 蔣 15 < 薛 17
    ("zhuyin", ["方先覺傳", "蔣中正日記", "薛岳回憶錄"]),    # ㄈ < ㄐ < ㄒ
    ("pinyin", ["方先覺傳", "蔣中正日記", "薛岳回憶錄"]),    # fang < jiang < xue
])
def test_bibliography_groups_and_order(method, expected):
    notes = [(f"n{k}", [cite((k, "", "1"))]) for k in ("xue", "smith", "chiang", "senshi",
                                                        "hattori", "fang", "adams")]
    book, _ = make_book([notes], bibliography_sort=method)
    bib = citeproc.format_citations(book).bibliography
    assert [g for g, _ in bib] == ["中文", "日文", "西文"]
    groups = dict(bib)
    assert [SOURCES[e.key]["title"] for e in groups["中文"]] == expected
    assert [e.key for e in groups["日文"]] == ["senshi", "hattori"]   # 防 7 < 服 8 strokes
    assert [e.key for e in groups["西文"]] == ["adams", "smith"]
    keys = [e.key for _, es in bib for e in es]
    assert len(keys) == len(set(keys)) and "unused" not in keys
    for _, es in bib:
        for e in es:
            text = m.plain_text(e.inlines)
            assert SOURCES[e.key]["title"] in text and not text.startswith(("[", " "))
            assert isinstance(e.inlines[0], m.Text) and e.inlines[0].text


def test_scoped_copies_never_reach_the_bibliography():
    chapters = [[(f"c{c}", [cite(("chiang", "", "1"))])] for c in range(3)]
    book, _ = make_book(chapters)
    bib = citeproc.format_citations(book).bibliography
    assert [[e.key for e in es] for _, es in bib] == [["chiang"]]


def test_csl_file_in_book_and_missing_style(tmp_path):
    import shutil
    src = citeproc.style_path(make_book([[]])[0])
    shutil.copy(src, tmp_path / "my.csl")
    (tmp_path / "book.toml").write_text('[book]\ncsl = "nope"\n', "utf-8")
    c = cite(("chiang", "", "2日"))
    book, _ = make_book([[("a", [c])]], root=tmp_path, csl="my.csl")
    assert "2日" in text_of(citeproc.format_citations(book), c)
    with pytest.raises(BookError) as err:
        citeproc.format_citations(replace(book, config=replace(book.config, csl="nope")))
    d = err.value.diagnostics[0]
    assert (d.code, d.file, d.line) == ("BB502", "book.toml", 2)


def test_bundled_pandoc_api_version():
    import json

    import pypandoc
    out = json.loads(pypandoc.convert_text("", "json", format="markdown"))
    assert out["pandoc-api-version"] == citeproc.PANDOC_API


def test_sort_keys():
    # Unihan kTotalStrokes counts the grass radical 艹 as 3 strokes: 蔣 is 14.
    assert [strokes(c) for c in "一衡蔣"] == [1, 16, 14]
    assert sort_key("Smith", "strokes") < sort_key("一", "strokes")
    assert sorted(["王", "白", "方"], key=lambda s: sort_key(s, "zhuyin")) == ["白", "方", "王"]
    assert sorted(["王", "白", "方"], key=lambda s: sort_key(s, "pinyin")) == ["白", "方", "王"]
    # 方 and 王 both have 4 strokes: the code point breaks the tie.
    assert sorted(["白", "王", "方"], key=lambda s: sort_key(s, "strokes")) == ["方", "王", "白"]
    assert sort_key("乙", "codepoint") < sort_key("丁", "codepoint") or ord("乙") > ord("丁")
    with pytest.raises(ValueError):
        sort_key("x", "alphabet")


def test_source_groups():
    assert source_group({"title": "一号作戦", "language": "ja"}) == "日文"
    assert source_group({"title": "ひらがなの本"}) == "日文"
    assert source_group({"title": "蔣中正日記"}) == "中文"
    assert source_group({"title": "Thunder"}) == "西文"
    assert source_group({"title": "中文書", "language": "zh-Hans"}) == "中文"


def test_citeproc_answer_is_kept_between_builds(tmp_path, monkeypatch):
    """With a cache folder, the same document, sources and style are answered
    from it (Pandoc does not run) with the same citations and bibliography; a
    note's wording is not in the document, a changed source is."""
    def book_with(note_text, smith_title="The Siege"):
        book, notes = make_book([[("n1", [m.Text(note_text), cite(("smith", "", "頁3"))]),
                                  ("n2", [cite(("chiang", "見", "1944年7月20日"))])]])
        sources = dict(book.sources)
        sources["smith"] = m.Source("smith", {**SOURCES["smith"], "title": smith_title}, P)
        return replace(book, sources=sources), notes

    def shown(book, notes, cache):
        cites = citeproc.format_citations(book, cache_dir=cache)
        return ([text_of(cites, c) for n in notes.values() for c in n.blocks[0].inlines
                 if isinstance(c, m.Citation)], [m.plain_text(e.inlines) for g in cites.bibliography
                                                 for e in g[1]])

    first = shown(*book_with("文字。"), tmp_path)
    assert len(list(tmp_path.glob("citeproc-*.json"))) == 1
    runs = []
    real = citeproc.run_pandoc
    monkeypatch.setattr(citeproc, "run_pandoc", lambda *a, **k: runs.append(1) or real(*a, **k))
    assert shown(*book_with("改過的文字，另一種說法。"), tmp_path) == first
    assert runs == []
    changed = shown(*book_with("文字。", smith_title="The Long Siege"), tmp_path)
    assert runs == [1] and any("Long Siege" in t for t in changed[1])
    assert len(list(tmp_path.glob("citeproc-*.json"))) == 2
