"""Golden tests: one tiny book per diagnostic code; code, file, line and column asserted."""
from __future__ import annotations

import pytest

from bookbuild.diagnostics import CODES
from bookbuild.fonts import find_font
from helpers.books import BASE, BOOK_TOML, CHAPTER, GLOSSARY, NOTES, SOURCES, make_book
from helpers.cli import check_json


def loc(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column (code points) of the nth occurrence of needle."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def run(book, *args):
    """check in process with the (option, value) pairs args: (status, diagnostics)."""
    return check_json(book, **dict(args))


CH_EXTRA = CHAPTER + "\n再記一事@@@。\n"
TABLE = "\n| 部隊 | 師長 |\n|---|---|\n| 第三師 | 周慶祥 |\n\n: {} {{#tbl-army}}\n"
TOML_CH2 = BOOK_TOML.replace('  "manuscript/01.md",\n', '  "manuscript/01.md",\n  "manuscript/02.md",\n')

CASES = {
    "BB101": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[^zz]")}, "manuscript/01.md", "[^zz]"),
    "BB102": ({"footnotes/01.md": NOTES + "\n[^a]: 重複的定義。\n"}, "footnotes/01.md", ("[^a]", 1)),
    "BB103": ({"footnotes/01.md": NOTES + "\n[^orphan]: 無人引用。\n"}, "footnotes/01.md", "[^orphan]"),
    "BB104": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[^a]")}, "manuscript/01.md", ("[^a]", 1)),
    "BB105": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[^c]"), "footnotes/01.md": NOTES + "\n[^c]:\n"},
              "footnotes/01.md", "[^c]"),
    "BB106": ({"footnotes/01.md": NOTES.replace("續行縮排四格。", "續行縮排四格[^a]。")},
              "footnotes/01.md", ("[^a]", 1)),
    "BB107": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "如前注〔16〕所述")}, "manuscript/01.md", "〔16〕"),
    "BB108": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[^壞注]")}, "manuscript/01.md", "[^壞注]"),
    "BB109": ({"manuscript/01.md": CHAPTER + "\n[^inchapter]: 寫錯地方的注。\n"}, "manuscript/01.md", "[^inchapter]"),
    "BB201": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[@nosuch, 頁1]")}, "manuscript/01.md", "[@nosuch"),
    "BB202": ({"footnotes/sources.yaml": SOURCES + "- id: unused\n  type: book\n  title: 無人引用之書\n"},
              "footnotes/sources.yaml", "id: unused"),
    "BB203": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[@]")}, "manuscript/01.md", "@]"),
    "BB301": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "[不存在]{.term}")}, "manuscript/01.md", "[不存在]"),
    "BB302": ({"footnotes/glossary.yaml": GLOSSARY + "長沙:\n  definition: 湖南省會。\n"},
              "footnotes/glossary.yaml", "長沙:"),
    "BB303": ({"footnotes/glossary.yaml": GLOSSARY.replace("see: [tenth]", "see: [nosuch]")},
              "footnotes/glossary.yaml", "nosuch"),
    "BB304": ({"footnotes/glossary.yaml": GLOSSARY + "tenth:\n  definition: 重複。\n"},
              "footnotes/glossary.yaml", ("tenth:", 1)),
    "BB401": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "他說,我們走吧")}, "manuscript/01.md", ",我們"),
    "BB402": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "笑🦜")}, "manuscript/01.md", "🦜"),
    "BB404": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "他說「走吧")}, "manuscript/01.md", "「走吧"),
    "BB501": ({"book.toml": TOML_CH2}, "book.toml", "manuscript/02.md"),
    "BB502": ({"book.toml": BOOK_TOML.replace('title = "測試之書"', 'title = "測試之書"\ntitel = "錯字"')},
              "book.toml", "titel"),
    "BB503": ({"manuscript/01.md": (CHAPTER + "\n第二段落。\n").encode("cp950")}, "manuscript/01.md", None),
    "BB504": ({"footnotes/sources.yaml": SOURCES + "- id: [broken\n"}, "footnotes/sources.yaml", None),
    "BB505": ({"book.toml": TOML_CH2, "manuscript/02.md": ""}, "manuscript/02.md", None),
    "BB506": ({"manuscript/01.md": CHAPTER.replace("# 第一章　圍城\n", "")}, "manuscript/01.md", None),
    "BB507": ({"manuscript/99.md": "# 草稿\n\n未列入。\n"}, "manuscript/99.md", None),
    "BB508": ({"book.toml": BOOK_TOML.replace('"manuscript/01.md",\n', '"manuscript/01.md",\n  "../outside.md",\n')},
              "book.toml", "../outside.md"),
    "BB509": ({"book.toml": BOOK_TOML.replace('title = "測試之書"', 'title = "測試之書"\ncover = "assets/cover.png"')},
              "book.toml", "cover"),
    "BB904": ({"manuscript/01.md": CH_EXTRA.replace("@@@", "見[](#tbl-nosuch)")}, "manuscript/01.md",
              "[](#tbl-nosuch)"),
    "BB905": ({"manuscript/01.md": CHAPTER + TABLE.format("甲") + TABLE.format("乙")}, "manuscript/01.md",
              "乙 {#tbl"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_golden(tmp_path, code):
    changes, file, needle = CASES[code]
    book = make_book(tmp_path / "book", changes)
    status, diags = run(book)
    got = [d for d in diags if d["code"] == code]
    assert len(got) == 1, diags
    others = [d for d in diags if d["code"] != code]
    assert others == [], f"{code} should be the only diagnostic: {others}"
    d = got[0]
    assert d["file"] == file
    assert d["message"] and d["hint"]
    if needle is not None:
        text = changes.get(file) if isinstance(changes.get(file), str) else BASE[file]
        needle, nth = needle if isinstance(needle, tuple) else (needle, 0)
        line, col = loc(text, needle, nth)
        assert (d["line"], d["column"]) == (line, col), d
    assert status == (1 if CODES[code][0] == "error" else 0)


def test_bb503_position_and_guess(tmp_path):
    text = CHAPTER + "\n第二段落。\n"
    book = make_book(tmp_path / "b", {"manuscript/01.md": text.encode("cp950")})
    _, diags = run(book)
    (d,) = diags
    # the first non-ASCII byte is the first character of the title, after "# "
    assert (d["line"], d["column"]) == (1, 3)
    assert "Big5" in d["message"] and "byte offset 2" in d["message"]


def test_bb510_file_limit(tmp_path):
    book = make_book(tmp_path / "b")
    with open(book / "manuscript/01.md", "ab") as f:
        f.truncate(65 * 1024 * 1024)
    _, diags = run(book)
    assert [d["code"] for d in diags] == ["BB510"]


def test_bb502_missing_required_key_points_at_table(tmp_path):
    toml = BOOK_TOML.replace('authors = ["測試者"]\n', "")
    book = make_book(tmp_path / "b", {"book.toml": toml})
    _, diags = run(book)
    assert [(d["code"], d["line"]) for d in diags] == [("BB502", 1)]


def test_bb502_notes_page_on_epub(tmp_path):
    toml = BOOK_TOML.replace('writing = "vertical"\n', 'writing = "vertical"\nnotes = "page"\n', 1)
    book = make_book(tmp_path / "b", {"book.toml": toml})
    _, diags = run(book)
    assert [(d["code"], d["line"]) for d in diags] == [("BB502", loc(toml, "notes")[0])]


def test_bb502_type_area_too_big(tmp_path):
    toml = BOOK_TOML + "chars_per_column = 60\n"
    book = make_book(tmp_path / "b", {"book.toml": toml})
    _, diags = run(book)
    assert [d["code"] for d in diags] == ["BB502"]
    assert "does not fit" in diags[0]["message"]


def test_bb502_both_places(tmp_path):
    book = make_book(tmp_path / "b", {"manuscript/book.toml": BOOK_TOML})
    _, diags = run(book)
    assert "BB502" in [d["code"] for d in diags]


def test_bb402_font_not_installed(tmp_path):
    toml = BOOK_TOML.replace('format = "pdf"\n', 'format = "pdf"\nfont = "No Such Font Family"\n')
    book = make_book(tmp_path / "b", {"book.toml": toml})
    _, diags = run(book)
    assert [d["code"] for d in diags] == ["BB402"]
    assert "not installed" in diags[0]["message"]


def test_clean_base_book(tmp_path):
    find_font("Noto Serif CJK TC")
    status, diags = run(make_book(tmp_path / "b"))
    assert (status, diags) == (0, [])


def test_bb303_block_style_see_points_at_the_item(tmp_path):
    glossary = GLOSSARY.replace("  see: [tenth]\n", "  see:\n    - tenth\n    - nosuch\n")
    _, diags = run(make_book(tmp_path / "b", {"footnotes/glossary.yaml": glossary}))
    assert [(d["code"], d["line"]) for d in diags] == [("BB303", loc(glossary, "- nosuch")[0])]


def _png(w: int, h: int, dpi: int | None = None) -> bytes:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "white").save(buf, "PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


# Each case asserts its own code, once, at the image, and nothing else — but
# BB407 for the BB901 case: an image inside running text is not drawn in print
# (figures are).
IMAGE_CASES = {
    "BB901": ("見圖![](images/a.png)。", (1200, 900), "images/a.png"),
    "BB902": ("![衡陽守城示意圖](images/a.png){#fig-a}", (800, 600), "![衡陽"),
    "BB903": ("![衡陽守城示意圖](images/a.png){#fig-a width=250mm}", (3000, 2000), "![衡陽"),
}


@pytest.mark.parametrize("code", sorted(IMAGE_CASES))
def test_golden_images(tmp_path, code):
    para, (w, h), needle = IMAGE_CASES[code]
    text = CHAPTER + "\n" + para + "\n"
    book = make_book(tmp_path / "book", {"manuscript/01.md": text, "images/a.png": _png(w, h)})
    status, diags = run(book)
    got = [d for d in diags if d["code"] == code]
    assert len(got) == 1, diags
    also = ("BB407",) if code == "BB901" else ()
    assert [d for d in diags if d["code"] not in (code, *also)] == []
    assert (got[0]["line"], got[0]["column"]) == loc(text, needle)
    assert got[0]["hint"]
    assert status == (1 if CODES[code][0] == "error" else 0)


def test_bb902_says_the_size_needed(tmp_path):
    """print's type area is 15 columns of 1.75 em less a gap, at 10.5 pt: 267.75 pt = 94.5 mm
    wide; at 300 ppi that is 1116 px, and a 4:3 image 837 px tall.  Past it, no warning."""
    text = CHAPTER + "\n![衡陽守城示意圖](images/a.png){#fig-a}\n"
    book = make_book(tmp_path / "a", {"manuscript/01.md": text, "images/a.png": _png(800, 600)})
    (d,) = [d for d in run(book)[1] if d["code"] == "BB902"]
    assert "800×600 px" in d["message"] and "1116×837 px" in d["message"], d
    book = make_book(tmp_path / "b", {"manuscript/01.md": text, "images/a.png": _png(1116, 837)})
    assert [d for d in run(book)[1] if d["code"] == "BB902"] == []
    # a smaller placed width asks fewer pixels: half the type area
    half = text.replace("{#fig-a}", "{#fig-a width=50%}")
    book = make_book(tmp_path / "c", {"manuscript/01.md": half, "images/a.png": _png(800, 600)})
    assert [d for d in run(book)[1] if d["code"] == "BB902"] == []


def test_bb902_judges_the_size_print_draws(tmp_path):
    """Print never enlarges an image past its natural size (its pixels at its own dpi, else
    96 per inch): a 600×450 px image tagged 300 dpi is drawn 2 in = 51 mm wide, at 300 ppi;
    the same pixels untagged are drawn 6.25 in wide, shrunk to the 94.5 mm type area: 161 ppi."""
    text = CHAPTER + "\n![衡陽守城示意圖](images/a.png){#fig-a}\n"
    book = make_book(tmp_path / "a", {"manuscript/01.md": text, "images/a.png": _png(600, 450, dpi=300)})
    assert [d for d in run(book)[1] if d["code"] == "BB902"] == []
    book = make_book(tmp_path / "b", {"manuscript/01.md": text, "images/a.png": _png(600, 450)})
    (d,) = [d for d in run(book)[1] if d["code"] == "BB902"]
    assert "161 ppi" in d["message"] and "94 mm" in d["message"], d
    # a 60 px icon at 96 dpi is drawn 16 mm wide, not stretched to the type area: judged there
    book = make_book(tmp_path / "c", {"manuscript/01.md": text, "images/a.png": _png(60, 60)})
    (d,) = [d for d in run(book)[1] if d["code"] == "BB902"]
    assert "96 ppi" in d["message"] and "16 mm" in d["message"], d
