"""`bookbuild proof`: thumbnails of every page, typographic warnings placed on their pages."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from bookbuild.cli import main
from bookbuild.proof.collect import Locator, Mark, sections
from bookbuild.proof.raster import page_sizes
from helpers.books import CHAPTER, make_book

# Long Latin words in capitals (never hyphenated, VT-12a) push text on: the breaker spreads the
# columns before them and reports BB701 (loose column) at their first unit.
LOOSE = ("衡陽守軍在城南構築工事，日夜不停"
         + "，參看 PNEUMONOULTRAMICROSCOPICSILICOVOLCANOCONIOSIS 與 SUPERCALIFRAGILISTICEXPIALIDOCIOUS 的說法" * 3
         + "。\n")


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(code, page, source) of every warning row in the sheet."""
    return re.findall(r'<td class=code[^>]*>([^<]+)</td><td>(?:<a href="#p\d+">)?([^<]*)(?:</a>)?</td>'
                      r'<td>(?:<a href="[^"]*">)?([^<]*)', html)


def _thumbs(html: str) -> list[tuple[int, bytes]]:
    return [(int(n), base64.b64decode(data))
            for n, data in re.findall(r'<figure id=p(\d+).*?src="data:image/png;base64,([^"]+)"', html)]


def _proof(root: Path, *args: str) -> int:
    return main(["proof", str(root), *args])


def test_sheet_has_every_page_and_the_loose_columns(tmp_path, capsys):
    root = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n" + LOOSE})
    assert _proof(root) == 0
    sheet = root / "dist" / "print.proof.html"
    html = sheet.read_text(encoding="utf-8")
    built = root / ".bookbuild" / "proof"
    n_pages = len(page_sizes(built / "print.pdf"))
    layout = json.loads((built / "print.layout.json").read_text(encoding="utf-8"))
    assert n_pages == len(layout["pages"]) >= 4

    thumbs = _thumbs(html)
    assert [n for n, _ in sorted(thumbs)] == list(range(1, n_pages + 1))      # one per page, once
    for _, png in thumbs:
        assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 288

    # the loose columns: on the page that prints the long words, at the paragraph's line
    line = (CHAPTER + "\n").count("\n") + 1
    page = next(p["number"] for p in layout["pages"]
                if any("PNEUMONO" in c["text"] for c in p["body"]["columns"]))
    loose = [r for r in _rows(html) if r[0] == "BB701"]
    assert len(loose) >= 2
    assert all(r[1] == f"p. {page}" and r[2].startswith(f"manuscript/01.md:{line}:") for r in loose)
    # each one is outlined on that page's thumbnail
    fig = re.search(rf'<figure id=p{page} .*?</figure>', html).group(0)
    assert fig.count("<rect ") == len(loose)
    assert f"▲{len(loose)}" in fig
    assert "bookbuild proof:" in capsys.readouterr().err


def test_injected_warnings_are_listed_and_the_build_is_reused(tmp_path):
    root = make_book(tmp_path / "book")
    out = tmp_path / "sheet.html"
    assert _proof(root, "--out", str(out)) == 0
    assert "No typographic warnings." in out.read_text(encoding="utf-8")
    assert _rows(out.read_text(encoding="utf-8")) == []
    built = root / ".bookbuild" / "proof"
    pdf_mtime = (built / "print.pdf").stat().st_mtime_ns

    # a kinsoku exception inside note b (footnotes/01.md line 3) as the renderer logs it
    log = json.loads((built / "print.log.json").read_text(encoding="utf-8"))
    log["diagnostics"].append({"code": "BB702", "severity": "warning", "message": "kinsoku exception: injected",
                               "hint": "", "file": "footnotes/01.md", "line": 3, "column": 5})
    (built / "print.log.json").write_text(json.dumps(log, ensure_ascii=False), encoding="utf-8")
    # and a ragged body column: one that ends short although its paragraph goes on
    layout = json.loads((built / "print.layout.json").read_text(encoding="utf-8"))
    body_col = next(c for p in layout["pages"] for c in p["body"]["columns"] if c["role"] == "body")
    body_col["justified"], body_col["last_of_paragraph"] = False, False
    (built / "print.layout.json").write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")

    assert _proof(root, "--out", str(out)) == 0
    assert (built / "print.pdf").stat().st_mtime_ns == pdf_mtime        # reused, not rebuilt
    rows = {r[0]: r for r in _rows(out.read_text(encoding="utf-8"))}
    note_page = next(p["number"] for p in layout["pages"]
                     for c in (p.get("notes") or {}).get("columns", []) if c["src"].startswith("footnotes/01.md:3:"))
    assert rows["BB702"][1:] == (f"p. {note_page}", "footnotes/01.md:3:5")
    assert rows["ragged"][2] == body_col["src"]

    # an edit invalidates the reuse
    (root / "footnotes" / "01.md").write_text("[^a]: 改過的注。\n\n[^b]: 第一段。\n", encoding="utf-8")
    assert _proof(root, "--out", str(out)) == 0
    assert (built / "print.pdf").stat().st_mtime_ns != pdf_mtime
    assert _rows(out.read_text(encoding="utf-8")) == []   # the injected entries went with the old build


def test_locator_places_a_position_in_the_column_that_holds_it():
    def col(src, x):
        return {"src": src, "x_em": x, "size": 1.0, "text": src, "role": "body"}
    layout = {"pages": [
        {"number": 5, "body": {"columns": [col("a.md:3:1", 0.5), col("a.md:3:39", 2.25)]}, "notes": None},
        {"number": 6, "body": {"columns": [col("a.md:3:77", 0.5), col("a.md:9:1", 2.25)]},
         "notes": {"columns": [col("n.md:1:1", 20.0)]}},
    ]}
    loc = Locator(layout)
    m = loc.place(Mark("BB702", "", "a.md", 3, 40))
    assert (m.page, m.x_em) == (5, 2.25)
    m = loc.place(Mark("BB702", "", "a.md", 5, 2))
    assert (m.page, m.x_em) == (6, 0.5)
    m = loc.place(Mark("BB703", "", "n.md", 1, 9))
    assert (m.page, m.area) == (6, "notes")
    assert loc.place(Mark("BB703", "", "other.md", 1, 1)).page == 0


def test_sections_follow_the_chapter_openers():
    pages = [{"number": 1, "role": "title"}, {"number": 2, "role": "toc"},
             {"number": 3, "role": "chapter-open", "outline": [{"title": "第一章", "level": 1}]},
             {"number": 4, "role": "body"}, {"number": 5, "role": "blank"},
             {"number": 6, "role": "chapter-open", "outline": [{"title": "參考書目", "level": 1}]}]
    secs = sections({"pages": pages})
    assert [(s.title, [p["number"] for p in s.pages]) for s in secs] == [
        ("前頁 front matter", [1, 2]), ("第一章", [3, 4, 5]), ("參考書目", [6])]


@pytest.mark.parametrize("args, status, message", [
    (["--edition", "epub"], 2, "no pdf edition named epub"),
    (["--edition", "nope"], 2, "no pdf edition named nope"),
])
def test_wrong_edition(tmp_path, capsys, args, status, message):
    root = make_book(tmp_path / "book")
    assert _proof(root, *args) == status
    assert message in capsys.readouterr().err


def test_book_with_errors_gets_no_sheet(tmp_path, capsys):
    root = make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n缺注[^missing]。\n"})
    assert _proof(root) == 1
    captured = capsys.readouterr()
    assert "BB101" in captured.out and "no proof" in captured.err
    assert not (root / "dist" / "print.proof.html").exists()
