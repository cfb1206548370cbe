"""索引 on the real outputs: the printed index is read back from the PDF's text
layer and every page number it gives is checked against the pages where the
entry's text is; the EPUB index links land on the spans."""
from __future__ import annotations

import posixpath
import re

import pytest
from pypinyin import Style, lazy_pinyin

from bookbuild.transform.bookindex import collapse, collect, group_label, reading_key
from helpers.books import BOOK_TOML, CHAPTER, make_book
from helpers.epub import NS, epubcheck_problems, load
from helpers.outputs import build_book, pdf_page_text, squeeze

PAGES = re.compile(r"^\d+(～\d+)?(、\d+(～\d+)?)*、?$")


def printed_index(pdf, last_page: int) -> tuple[int, list[tuple[str, str]]]:
    """(first page, [(entry, page numbers as printed)]) of the PDF's 索引,
    found as the last page whose text starts with the heading."""
    first = next(n for n in range(last_page, 0, -1) if pdf_page_text(pdf, n).startswith("索引"))
    rows, prev, numbers = [], None, None
    for n in range(first, last_page + 1):
        lines = [ln.strip() for ln in pdf_page_text(pdf, n).splitlines() if ln.strip()]
        for ln in lines:
            if PAGES.match(ln) and numbers is not None and numbers.endswith("、"):
                numbers += ln                       # numbers continued in the next column
                rows[-1] = (rows[-1][0], numbers)
            elif PAGES.match(ln) and prev and not PAGES.match(prev) and not re.fullmatch(r"[A-Z]", prev):
                numbers = ln
                rows.append((prev, numbers))
            else:
                numbers = None
            prev = ln
    return first, rows


def expand(printed: str) -> list[int]:
    out = []
    for part in printed.strip("、").split("、"):
        a, _, b = part.partition("～")
        out += list(range(int(a), int(b or a) + 1))
    return out


@pytest.fixture(scope="module")
def sample_index(printed):
    pages = len(printed.layout()["pages"])
    first, rows = printed_index(printed.pdf, pages)
    return first, rows, collect(printed.book)


def test_every_entry_printed_once(sample_index):
    _, rows, index = sample_index
    assert [e for e, _ in rows] == [e.text for e in index.entries]
    assert len(rows) >= 40


def test_printed_pages_hold_the_entry(printed, sample_index):
    """Each page number printed for an entry is a page whose text holds one of
    the entry's marked spans; and an occurrence's page (layout.json) is one of them."""
    _, rows, index = sample_index
    by_text = {e.text: e for e in index.entries}
    texts = {}
    occ_pages = {o["src"]: o["page"] for o in printed.layout()["index"]["occurrences"]}
    for entry, numbers in rows:
        pages = expand(numbers)
        spans = _span_texts(printed.book, by_text[entry])
        for n in pages:
            page = texts.setdefault(n, squeeze(pdf_page_text(printed.pdf, n)))
            assert any(s in page for s in spans), (entry, n, spans)
        srcs = {f"{o.pos.file}:{o.pos.line}:{o.pos.col}" for o in by_text[entry].occurrences}
        assert sorted({occ_pages[s] for s in srcs}) == pages, entry


def test_page_ranges_collapsed(sample_index):
    _, rows, _ = sample_index
    for entry, numbers in rows:
        pages = expand(numbers)
        assert pages == sorted(set(pages)), entry
        singles = [int(p) for p in numbers.split("、") if p and "～" not in p]
        assert not any(b == a + 1 for a, b in zip(singles, singles[1:])), (entry, numbers)
        for part in numbers.split("、"):
            if "～" in part:
                a, b = map(int, part.split("～"))
                assert b > a
    assert any("～" in numbers for _, numbers in rows)       # the sample has a range


def test_sorted_by_pinyin_under_initials(sample_index):
    import opencc
    t2s = opencc.OpenCC("t2s")
    _, rows, index = sample_index
    # Character by character, the syllable then its tone (同音字按聲調): all
    # 史… (shǐ) before 侍… (shì).
    readings = [[(s[:-1], s[-1]) for s in lazy_pinyin(t2s.convert(e), style=Style.TONE3,
                                                      neutral_tone_with_five=True)] for e, _ in rows]
    assert readings == sorted(readings)
    for e in index.entries:
        assert e.group == lazy_pinyin(t2s.convert(e.text))[0][0].upper()


def test_toc_lists_the_index(printed, sample_index):
    first, _, _ = sample_index
    toc = squeeze(pdf_page_text(printed.pdf, 3))
    assert f"索引{first}" in toc


def test_epub_index_links_land_on_the_spans(printed, sample_index):
    _, rows, index = sample_index
    printed_pages = {e: expand(n) for e, n in rows}
    docs = printed.docs()
    idx = docs["EPUB/text/index.xhtml"]
    assert idx.xpath("//h:section[@epub:type='index']", namespaces=NS)
    entries = idx.xpath("//h:li[@epub:type='index-entry']", namespaces=NS)
    assert len(entries) == len(index.entries)
    pdf_text = {}
    for li in entries:
        term = li.xpath("string(h:span[@epub:type='index-term'])", namespaces=NS)
        spans = _span_texts(printed.book, next(e for e in index.entries if e.text == term))
        labels = []
        for a in li.xpath("h:a[@epub:type='index-locator']", namespaces=NS):
            file, frag = a.get("href").split("#")
            target = docs[posixpath.normpath(posixpath.join("EPUB/text", file))]
            el = target.xpath(f"//*[@id='{frag}']")[0]
            assert set(el.get("class").split()) & {"name", "term", "index"}
            assert squeeze("".join(el.itertext())) in spans
            page = int("".join(a.itertext()))
            text = pdf_text.setdefault(page, squeeze(pdf_page_text(printed.pdf, page)))
            assert squeeze("".join(el.itertext())) in text, (term, page)
            labels.append(page)
        assert labels == printed_pages[term], term


def test_epubcheck_clean_with_index(printed):
    assert epubcheck_problems(printed.epub) == []


def _span_texts(book, entry) -> set[str]:
    from bookbuild import model as m
    texts = set()
    for block_list in [ch.blocks for ch in book.chapters] + [n.blocks for n in book.notes.values()]:
        for node in m.walk_blocks_inlines(block_list):
            if isinstance(node, m.Span) and node.pos in {o.pos for o in entry.occurrences}:
                texts.add(squeeze(m.plain_text(node.children)))
    return texts


# ------------------------------------------------------------ a small book

SMALL_CHAPTER = CHAPTER + '''
[委員長]{.index key=蔣中正}電令[方軍長]{.index key=方先覺}固守，[蔣中正]{.name}另有手令[南按：手令見[徐永昌]{.name}日記]{.aside}。
'''


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    toml = BOOK_TOML.replace('[editions.epub]\nformat = "epub"\n',
                             '[editions.epub]\nformat = "epub"\npage_source = "print"\n')
    toml = toml.replace("[book]\n", '[book]\nindex_sort = "strokes"\n', 1)
    root = make_book(tmp_path_factory.mktemp("small-index") / "book",
                     {"book.toml": toml, "manuscript/01.md": SMALL_CHAPTER})
    built = build_book(root, ["epub"])
    assert built.code == 0, built.stdout
    built.book = load(root)
    return built


def test_index_marks_and_keys(small):
    index = collect(small.book)
    entries = {e.text: len(e.occurrences) for e in index.entries}
    assert entries["蔣中正"] == 2            # .index key= and .name
    assert entries["方先覺"] == 2            # .name and .index key=
    assert entries["第十軍"] == 1            # .term key=tenth -> the glossary term
    assert entries["徐永昌"] == 1            # a name inside an aside
    assert [e.group for e in index.entries] == sorted(
        (e.group for e in index.entries), key=lambda g: int(g[:-1]))
    assert all(g.endswith("畫") for g, _ in index.groups())


def test_small_pdf_index_and_plain_index_spans(small):
    pages = len(small.layout()["pages"])
    _, rows = printed_index(small.pdf, pages)
    printed = dict(rows)
    assert {"蔣中正", "方先覺", "徐永昌", "第十軍", "衡陽"} <= set(printed)
    for entry in printed:
        for n in expand(printed[entry]):
            assert squeeze(pdf_page_text(small.pdf, n))   # a real page with text
    docs = small.docs()
    spans = docs["EPUB/text/ch01.xhtml"].xpath("//h:span[contains(@class, 'index')]", namespaces=NS)
    assert ["".join(s.itertext()) for s in spans] == ["委員長", "方軍長"]   # plain text, no marks
    assert all(s.get("id", "").startswith("ix-") for s in spans)
    assert epubcheck_problems(small.epub) == []


@pytest.mark.parametrize("pages, want", [
    ([12, 13, 14], ["12～14"]), ([3, 5, 6, 7, 9], ["3", "5～7", "9"]),
    ([8, 8, 2], ["2", "8"]), ([4, 5], ["4～5"]), ([], []),
])
def test_collapse(pages, want):
    assert collapse(pages, "～") == want


def test_readings_of_words_and_groups():
    assert reading_key("長沙", "pinyin")[0][2] == "chang"      # not zhang: read as a word
    assert reading_key("重慶", "pinyin")[0][2] == "chong"
    assert group_label("長沙", "pinyin") == "C"
    assert group_label("長沙", "zhuyin") == "ㄔ"
    assert group_label("長沙", "strokes") == "8畫"
    assert group_label("Ichi-Go", "pinyin") == "I"
    order = sorted(["薛岳", "方先覺", "長沙", "蔣中正"], key=lambda t: reading_key(t, "strokes"))
    assert order == ["方先覺", "長沙", "蔣中正", "薛岳"]         # 4, 8, 14, 16 strokes (Unihan)
