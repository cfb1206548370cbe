"""Issue 15 item 4: figures and numbered tables in the EPUBs — figure/figcaption/img@alt,
table/caption/th[scope], ids every cross-reference resolves to, a 圖目次/表目次 nav with
landmarks, SVG and PNG packaged with their media types; EPUBCheck and Ace find nothing."""
from __future__ import annotations

import io
import posixpath

import pytest
from PIL import Image

from bookbuild.verify import validators
from helpers.books import BASE, BOOK_TOML, CHAPTER, make_book
from helpers.epub import NS, Epub, epubcheck_problems
from helpers.outputs import build_book

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">'
       '<rect width="400" height="300" fill="#fff"/><text x="20" y="150" font-size="40">衡陽</text></svg>')

CH2 = """# 第二章　兵力

兵力見[](#tbl-army){.page}，城防見[](#fig-map)，時序見[](#fig-chart)。

![衡陽守城示意圖](images/map.svg){#fig-map width=80% alt="湘江西岸的衡陽城與東岸的機場"}

| 部隊 | 師長 |
|---|---|
| 第三師 | 周慶祥 |
| 第一九〇師 | 容有略 |

: 第十軍編制 {#tbl-army}

![圍城時序](images/chart.png){#fig-chart}

| 一 | 二 | 三 | 四 | 五 | 六 | 七 | 八 | 九 | 十 | 十一 | 十二 |
|---|---|---|---|---|---|---|---|---|---|---|---|
| 甲 | 乙 | 丙 | 丁 | 戊 | 己 | 庚 | 辛 | 壬 | 癸 | 子 | 丑 |

: 寬表 {#tbl-wide}
"""
CH1_REF = CHAPTER + "\n前章之圖見[](#fig-map)。\n"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 60, 90)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("figbook")
    toml = BOOK_TOML.replace('  "manuscript/01.md",\n', '  "manuscript/01.md",\n  "manuscript/02.md",\n')
    toml += '\n[editions.epub-horizontal]\nformat = "epub"\nwriting = "horizontal"\n'
    toml += '\n[editions.epub-chinese]\nformat = "epub"\nnumerals = "chinese"\n'
    toml = toml.replace('[editions.print]\nformat = "pdf"\n', "")
    make_book(root, {"book.toml": toml, "manuscript/01.md": CH1_REF, "manuscript/02.md": CH2,
                     "images/map.svg": SVG, "images/chart.png": _png(), **{k: v for k, v in BASE.items()
                                                                             if k.startswith("footnotes/")}})
    names = ["epub", "epub-horizontal", "epub-chinese"]
    result = build_book(root, names)
    assert result.code == 0, result.stdout
    return {name: Epub(result.out / f"{name}.epub") for name in names}


def _x(doc, path):
    return doc.xpath(path, namespaces=NS)


def test_figures_have_img_alt_and_numbered_figcaption(built):
    ch = built["epub"].xml("EPUB/text/ch02.xhtml")
    figs = _x(ch, "//h:figure")
    assert [f.get("id") for f in figs] == ["fig-map", "fig-chart"]
    alts = [_x(f, "h:img/@alt")[0] for f in figs]
    assert alts == ["湘江西岸的衡陽城與東岸的機場", "圍城時序"], "alt= else the caption"
    caps = ["".join(_x(f, "h:figcaption")[0].itertext()) for f in figs]
    assert caps == ["圖1\u3000衡陽守城示意圖", "圖2\u3000圍城時序"]
    assert _x(figs[0], "h:figcaption/h:span[@class='fig-label']")
    assert _x(figs[0], "h:img/@style") == ["width:80%"]


def test_labels_take_the_editions_numerals(built):
    """圖2 with tcy digits by default, 圖二 under numerals = "chinese" (captions, references, 圖目次)."""
    ch = built["epub-chinese"].xml("EPUB/text/ch02.xhtml")
    assert ["".join(s.itertext()) for s in _x(ch, "//h:span[@class='fig-label']")] == ["圖一", "表一", "圖二", "表二"]
    assert ["".join(a.itertext()) for a in _x(ch, "//h:a[@class='xref']")] == ["表一", "圖一", "圖二"]
    tcy = built["epub"].xml("EPUB/text/ch02.xhtml")
    assert _x(tcy, "//h:span[@class='fig-label']/h:span[@class='tcy']/text()") == ["1", "1", "2", "2"]


def test_tables_have_caption_and_header_cells(built):
    ch = built["epub"].xml("EPUB/text/ch02.xhtml")
    tables = _x(ch, "//h:div[@class='table-wrap']/h:table")
    assert [t.get("id") for t in tables] == ["tbl-army", "tbl-wide"]
    t = tables[0]
    assert t[0].tag.endswith("caption"), "caption is the table's first child"
    assert "".join(t[0].itertext()) == "表1\u3000第十軍編制"
    assert [("".join(th.itertext()), th.get("scope")) for th in _x(t, "h:thead/h:tr/h:th")] == [
        ("部隊", "col"), ("師長", "col")]
    assert ["".join(td.itertext()) for td in _x(t, "h:tbody/h:tr[2]/h:td")] == ["第一九〇師", "容有略"]


def test_cross_references_link_to_their_figures(built):
    epub = built["epub"]
    docs = epub.xhtml
    refs = [(name, a) for name, d in docs.items() for a in _x(d, "//h:a[@class='xref']")]
    assert [("".join(a.itertext())) for _, a in refs] == ["圖1", "表1", "圖1", "圖2"]
    for name, a in refs:
        file, _, frag = a.get("href").partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), file)) if file else name
        assert _x(docs[target], f"//*[@id='{frag}']"), a.get("href")
    assert refs[0][1].get("href") == "ch02.xhtml#fig-map", "from chapter 1 to the figure in chapter 2"


def test_lists_of_figures_and_tables_in_nav(built):
    nav = built["epub"].xml("EPUB/nav.xhtml")
    loi = _x(nav, "//h:nav[@epub:type='loi']//h:a")
    assert ["".join(a.itertext()) for a in loi] == ["圖1\u3000衡陽守城示意圖", "圖2\u3000圍城時序"]
    assert [a.get("href") for a in loi] == ["text/ch02.xhtml#fig-map", "text/ch02.xhtml#fig-chart"]
    assert len(_x(nav, "//h:nav[@epub:type='lot']//h:a")) == 2
    marks = _x(nav, "//h:nav[@epub:type='landmarks']//h:a/@epub:type")
    assert "loi" in marks and "lot" in marks


def test_images_packaged_with_their_media_types(built):
    epub = built["epub"]
    items = {i.get("href"): i.get("media-type") for i in _x(epub.opf, "//opf:item")}
    images = {h: t for h, t in items.items() if h.startswith("images/") and "cover" not in h}
    assert sorted(images.values()) == ["image/png", "image/svg+xml"]
    for href in images:
        assert ("EPUB/" + href) in epub.files


def test_vertical_tables_inherit_the_writing_mode_and_scroll(built):
    css = built["epub"].css()
    assert "writing-mode: vertical-rl" in css["EPUB/css/epub-vertical.css"]
    assert "table" not in css["EPUB/css/epub-vertical.css"].split("writing-mode")[0], \
        "no table rule before html's writing mode that could reset it"
    assert "div.table-wrap { overflow: auto" in css["EPUB/css/epub.css"]


@pytest.mark.parametrize("name", ["epub", "epub-horizontal"])
def test_epubcheck_finds_nothing(built, name):
    assert epubcheck_problems(built[name].path) == []


@pytest.mark.slow
def test_ace_finds_no_violation(built):
    try:
        validators.ace_command()
    except validators.Missing:
        pytest.skip("DAISY Ace not installed (scripts/setup.sh)")
    assert validators.run_ace(built["epub"].path) == []
