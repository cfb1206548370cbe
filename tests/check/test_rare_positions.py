"""Diagnostics after astral characters, variation sequences and compatibility ideographs (docs/FORMAT.md
"Characters"): the column of every format (text, json, sarif, github) counts code points — a character
beyond the BMP is one column, not two (UTF-16) or four (bytes), a variation selector is a column of its
own — and points at the offending text; `fix` changes only the ASCII marks and keeps every rare character."""
from __future__ import annotations

import io
import json
import re

import pytest

from bookbuild.commands.check import load_prepared, run_check
from bookbuild.transform.bookindex import collect
from helpers.books import BASE, BOOK_TOML, CHAPTER, GLOSSARY, NOTES, make_book
from helpers.cli import check_json, fix_book
from helpers.outputs import build_book

IVS, SVS = "\U000E0100", "\uFE00"
# 🦜 U+1F99C is in no installed font (HanaMinA of the default chain has 😀).
# Noto Serif CJK TC has all of these (no BB402 of their own): Ext. B, C, D, E, G; 葛 + VS17, 兀 + VS1;
# compatibility ideographs 豈 U+F900 and 你 U+2F804.
RARE = "\U0002000B\U0002A7DD\U0002B746\U0002CE93\U00030EDD" + f"葛{IVS}兀{SVS}" + "\uF900\U0002F804"

CHAPTER_RARE = CHAPTER + (
    f"\n{RARE}他說,我們走吧[^zz]。\n"
    f"\n{RARE}見[{RARE}]{{.term}}與[@nosuch, 頁1]。\n"
    f"\n{RARE}「走吧。\n"
    f"\n{RARE}笑🦜。\n")
NOTES_RARE = NOTES + f"\n[^c]: {RARE}注中有[^a]。\n"
CHAPTER_RARE = CHAPTER_RARE.replace("戰事緊急[^b]", "戰事緊急[^b][^c]")
GLOSSARY_RARE = GLOSSARY + f"{RARE}某:\n  definition: {RARE}人名。\n  see: [{RARE}nosuch]\n"

# code -> (file, needle, occurrence) the diagnostic must point at
WANT = {
    "BB401": ("manuscript/01.md", ",我們", 0),
    "BB101": ("manuscript/01.md", "[^zz]", 0),
    "BB301": ("manuscript/01.md", f"[{RARE}]{{.term}}", 0),
    "BB201": ("manuscript/01.md", "[@nosuch", 0),
    "BB404": ("manuscript/01.md", "「走吧", 0),
    "BB402": ("manuscript/01.md", "🦜", 0),
    "BB106": ("footnotes/01.md", "[^a]", 1),
    "BB303": ("footnotes/glossary.yaml", f"{RARE}nosuch", 0),
}


def loc(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column, in code points, of the nth occurrence of needle."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return make_book(tmp_path_factory.mktemp("rare-pos") / "book", {
        "manuscript/01.md": CHAPTER_RARE, "footnotes/01.md": NOTES_RARE, "footnotes/glossary.yaml": GLOSSARY_RARE})


def _texts(book):
    return {f: (book / f).read_text(encoding="utf-8") for f in ("manuscript/01.md", "footnotes/01.md",
                                                               "footnotes/glossary.yaml")}


def test_json_columns_count_code_points(book):
    status, diags = check_json(book)
    assert status == 1
    # one diagnostic each (BB302: the glossary entry no span uses); no BB402 for a variation selector:
    # it has no glyph of its own, it picks one of its base (cmap format 14)
    assert sorted(d["code"] for d in diags) == sorted([*WANT, "BB302"])
    got = {d["code"]: (d["file"], d["line"], d["column"]) for d in diags}
    texts = _texts(book)
    for code, (file, needle, nth) in WANT.items():
        assert got.get(code) == (file, *loc(texts[file], needle, nth)), (code, got.get(code))
    for d in diags:        # and the column really is the needle's first character
        line = texts[d["file"]].split("\n")[d["line"] - 1] if d["file"] in texts else None
        if line is not None and d["code"] in WANT:
            assert line[d["column"] - 1:].startswith(WANT[d["code"]][1][:2]), d


def _run(book, fmt: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    run_check([book], fmt=fmt, stdout=out, stderr=err)
    assert "Traceback" not in err.getvalue()
    return out.getvalue()


def test_sarif_declares_code_point_columns_and_points_at_the_needle(book):
    run = json.loads(_run(book, "sarif"))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"     # SARIF's default would be UTF-16 code units
    texts = _texts(book)
    found, differ = {}, 0
    for res in run["results"]:
        region = res["locations"][0]["physicalLocation"]["region"]
        found[res["ruleId"]] = (region["startLine"], region["startColumn"])
    for code, (file, needle, nth) in WANT.items():
        line, col = loc(texts[file], needle, nth)
        assert found[code] == (line, col), code
        utf16 = len(texts[file].split("\n")[line - 1][:col - 1].encode("utf-16-le")) // 2 + 1
        differ += utf16 != col
    assert differ >= 6        # astral characters before them: a UTF-16 column would point elsewhere


def test_text_and_github_formats_give_the_same_columns(book):
    texts = _texts(book)
    text_out, gh_out = _run(book, "text"), _run(book, "github")
    for code, (file, needle, nth) in WANT.items():
        line, col = loc(texts[file], needle, nth)
        assert re.search(rf"(?:^|/){re.escape(file)}:{line}:{col}: \w+ {code} ", text_out, re.M), code
        assert re.search(rf"line={line},col={col},title={code}::", gh_out), code


def test_fix_changes_the_ascii_marks_and_keeps_every_rare_character(tmp_path):
    chapter = CHAPTER + f"\n{RARE}他說,我們走吧!{RARE}\"好\"。\n\n{RARE}--{RARE}...\n"
    root = make_book(tmp_path / "book", {"manuscript/01.md": chapter}, base=BASE)
    status, out, err = fix_book(root)
    assert status == 0, (out, err)
    fixed = (root / "manuscript/01.md").read_text(encoding="utf-8")
    assert fixed == CHAPTER + f"\n{RARE}他說，我們走吧！{RARE}「好」。\n\n{RARE}——{RARE}……\n"
    assert fixed.count(RARE) == 4 and fixed.count(IVS) == 4 and fixed.count("\U0002F804") == 4
    status, diags = check_json(root)
    assert status == 0 and diags == []
    assert fix_book(root)[0] == 0 and (root / "manuscript/01.md").read_text(encoding="utf-8") == fixed   # idempotent


def test_toml_value_position_after_rare_characters(tmp_path):
    toml = BOOK_TOML.replace('title = "測試之書"', f'title = "{RARE}書"\nsubtitel = "x"')
    root = make_book(tmp_path / "book", {"book.toml": toml})
    _, diags = check_json(root)
    (d,) = [d for d in diags if d["code"] == "BB502"]
    assert (d["line"], d["column"]) == loc(toml, "subtitel")


def test_a_term_with_a_variation_selector_finds_its_glossary_entry(tmp_path):
    chapter = CHAPTER + f"\n[葛{IVS}洪]{{.term}}著書，[兀{SVS}朮]{{.term}}南侵。\n"
    glossary = GLOSSARY + "".join(f"{term}:\n  definition: {d}。\n"
                                  for term, d in (("葛洪", "晉人"), ("兀朮", "金人"), (f"葛{IVS}玄", "三國人")))
    root = make_book(tmp_path / "book", {"manuscript/01.md": chapter + "[葛玄]{.term}。\n",
                                         "footnotes/glossary.yaml": glossary})
    status, diags = check_json(root)
    assert (status, diags) == (0, []), diags      # either side may carry the selector; none is BB301 or BB302
    book, _ = load_prepared(root)                  # the 索引 names the glossary's own terms
    assert {e.text for e in collect(book).entries} >= {"葛洪", "兀朮", f"葛{IVS}玄"}
    built = build_book(root, ["epub"])             # and the EPUB links each span to its entry
    assert built.code == 0, built.stdout
    doc = built.docs()["EPUB/text/ch01.xhtml"]
    links = {"".join(a.itertext()): a.get("href") for a in doc.iterfind(".//{*}a[@class='term']")}
    glossary = built.docs()["EPUB/text/glossary.xhtml"]
    for text, term in ((f"葛{IVS}洪", "葛洪"), (f"兀{SVS}朮", "兀朮"), ("葛玄", f"葛{IVS}玄")):
        target = links[text].split("#")[1]
        (dt,) = glossary.xpath(f"//*[@id='{target}']")
        assert term in "".join(dt.itertext()), (text, term)
