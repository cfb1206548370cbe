"""Issue 15: figures, numbered tables and cross-references in the model — each
where the author wrote it (file:line:col), numbered in reading order."""
from __future__ import annotations

from bookbuild import model as m
from bookbuild.config import parse_config
from bookbuild.load import load_book
from bookbuild.transform.figures import number_figures
from helpers.books import BOOK_TOML, make_book

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

CH1 = """# 第一章

衡陽守城見[](#fig-map)，兵力見[](#tbl-army){.page}。

![衡陽守城示意圖](images/a.png){#fig-map .plate width=60% alt="湘江西岸的衡陽城"}

| 部隊 | 師長 |
|---|---|
| 第三師 | 周慶祥 |

: 第十軍編制 {#tbl-army .landscape}

Table: 無編號之前置標題

| 甲 | 乙 |
|---|---|
| 丙 | 丁 |

![第二圖](images/a.png)

| 無 | 題 |
|---|---|
| 表 | 格 |
"""

CH2 = """# 第二章

再見[](#fig-map)與[](#fig-three)。

![第三圖](images/a.png){#fig-three}
"""


def _book(tmp_path, toml_extra: str = ""):
    toml = BOOK_TOML.replace('chapters = [\n  "manuscript/01.md",\n]',
                             'chapters = ["manuscript/01.md", "manuscript/02.md"]' + toml_extra)
    root = make_book(tmp_path, {"book.toml": toml, "manuscript/01.md": CH1, "manuscript/02.md": CH2,
                                "images/a.png": PNG_1PX})
    book, diags = load_book(root)
    assert book is not None, diags
    return book


def _pos(p: m.Pos) -> tuple:
    return (p.file, p.line, p.col)


def test_figure_caption_attributes_and_positions(tmp_path):
    book = _book(tmp_path)
    figs = [b for b in book.chapters[0].blocks if isinstance(b, m.Figure)]
    assert len(figs) == 2
    f = figs[0]
    assert (f.id, f.classes, f.attrs, f.src) == ("fig-map", ("plate",), {"width": "60%"}, "images/a.png")
    assert m.plain_text(f.caption) == "衡陽守城示意圖"
    assert f.alt == "湘江西岸的衡陽城"
    assert _pos(f.pos) == ("manuscript/01.md", 5, 1)
    assert _pos(f.caption[0].pos) == ("manuscript/01.md", 5, 3)
    assert _pos(f.image.pos) == ("manuscript/01.md", 5, CH1.split("\n")[4].index("images/") + 1)
    # no alt attribute: the image's own alt is empty and the caption stands in
    assert figs[1].image.alt == [] and figs[1].alt == "第二圖" and figs[1].id == ""
    assert _pos(figs[1].pos) == ("manuscript/01.md", 19, 1)


def test_table_caption_id_and_header(tmp_path):
    book = _book(tmp_path)
    tables = [b for b in book.chapters[0].blocks if isinstance(b, m.Table)]
    assert len(tables) == 3
    t = tables[0]
    assert (t.id, t.classes) == ("tbl-army", ("landscape",))
    assert m.plain_text(t.caption) == "第十軍編制"
    assert _pos(t.caption[0].pos) == ("manuscript/01.md", 11, 3), "a caption after the table"
    assert [m.plain_text(c) for c in t.header[0]] == ["部隊", "師長"]
    assert [m.plain_text(c) for c in t.rows[0]] == ["第三師", "周慶祥"]
    assert _pos(t.pos) == ("manuscript/01.md", 7, 3)
    before = tables[1]
    assert m.plain_text(before.caption) == "無編號之前置標題"
    assert _pos(before.caption[0].pos) == ("manuscript/01.md", 13, 8), "a caption before the table"
    assert _pos(before.rows[0][0][0].pos) == ("manuscript/01.md", 17, 3)
    assert tables[2].caption == [] and tables[2].id == ""


def test_cross_references_are_not_links_and_keep_their_place(tmp_path):
    book = _book(tmp_path)
    refs = [n for n in m.walk_blocks_inlines(book.chapters[0].blocks) if isinstance(n, m.XRef)]
    assert [(r.target, r.with_page, _pos(r.pos)) for r in refs] == [
        ("fig-map", False, ("manuscript/01.md", 3, 6)),
        ("tbl-army", True, ("manuscript/01.md", 3, CH1.split("\n")[2].index("[](#tbl") + 1))]
    assert not [n for n in m.walk_blocks_inlines(book.chapters[0].blocks) if isinstance(n, m.Link)]
    text = m.plain_text(book.chapters[0].blocks[0].inlines)
    assert "bbo" not in text and "#" not in text


def test_numbers_per_book_and_per_chapter(tmp_path):
    book = _book(tmp_path / "a")
    nums = number_figures(book)
    assert [(n.id, n.label) for n in nums.ordered("figure")] == [("fig-map", "圖1"), ("", "圖2"),
                                                                  ("fig-three", "圖3")]
    assert [n.label for n in nums.ordered("table")] == ["表1", "表2"], "a table without caption is not numbered"
    assert nums.by_id["fig-three"].chapter == 1
    book = _book(tmp_path / "b", '\nfigure_numbering = "chapter"\nfigure_label = "圖{chapter}之{n}"')
    nums = number_figures(book)
    assert [n.label for n in nums.ordered("figure")] == ["圖1之1", "圖1之2", "圖2之1"]


def test_duplicate_ids_are_recorded(tmp_path):
    toml = BOOK_TOML.replace('chapters = [\n  "manuscript/01.md",\n]', 'chapters = ["manuscript/01.md"]')
    root = make_book(tmp_path, {"book.toml": toml, "images/a.png": PNG_1PX, "manuscript/01.md":
                                "# 章\n\n![甲](images/a.png){#fig-a}\n\n![乙](images/a.png){#fig-a}\n"})
    book, _ = load_book(root)
    (again, first), = number_figures(book).duplicates
    assert (again.pos.line, first.pos.line) == (5, 3)


def test_label_keys_are_checked():
    toml = BOOK_TOML + ""
    bad = toml.replace("[book]\n", '[book]\nfigure_label = "圖"\ntable_label = "表{x}{n}"\n')
    cfg, diags = parse_config(bad)
    assert cfg is None
    assert sorted((d.code, d.line) for d in diags) == [("BB502", 2), ("BB502", 3)]
    good = toml.replace("[book]\n", '[book]\nfigure_label = "附圖{chapter}-{n}"\n')
    cfg, diags = parse_config(good)
    assert diags == [] and cfg.figure_label == "附圖{chapter}-{n}"
