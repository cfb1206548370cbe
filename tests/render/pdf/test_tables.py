"""Tables on the grid and figures in a horizontal pdf edition, on the real PDF (PRINT-ENGINE.md §10).

Vertical: a row is a column read top to bottom, rows follow right to left
with the header first, fields line up across the rows between ruled lines,
and a table longer than a page goes on with its header repeated.
Horizontal: the same book, rows are lines; its figures stand at the head of
a page or on plates, upright, inside the type area, clear of the text.
"""
from __future__ import annotations

import io
import json
import re
import subprocess

import pdfplumber
import pytest
from PIL import Image, ImageDraw

from helpers.books import PRINT_HORIZONTAL_EDITION, PRINT_TOML
from helpers.pdf import EPOCH, build_small_book, find_chars

FIELDS = ("部隊", "師長", "人數")
ROWS = [("第三師", "周慶祥", "約四千"), ("第一九〇師", "容有略", "約二千"), ("預備第十師", "葛先才", "約四千")]
LONG = [(f"第{n}營", f"營長{n}", f"{n}百人") for n in range(1, 41)]


def _table(rows, caption, tid) -> str:
    head = "| " + " | ".join(FIELDS) + " |\n|---|---|---|\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows) + f"\n: {caption} {{#{tid}}}\n"


def _png() -> bytes:
    im = Image.new("RGB", (300, 200), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, 299, 49], fill=(200, 30, 30))
    d.rectangle([0, 100, 149, 199], fill=(0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


CHAPTER = ("# 第三章　兵力\n\n守軍的編制見[](#tbl-tenth)。\n\n" + _table(ROWS, "第十軍各師", "tbl-tenth")
           + "\n" + "城內外的戰鬥持續了四十七天。" * 20 + "\n\n![城南陣地](images/a.png){#fig-a}\n\n"
           + "守軍各營的兵力如下表。\n\n" + _table(LONG, "各營兵力", "tbl-long") + "\n全章完。\n")
HORIZONTAL = PRINT_HORIZONTAL_EDITION


def _build(tmp_path_factory, edition: str):
    toml = PRINT_TOML.replace('  "manuscript/02.md",\n', '  "manuscript/02.md",\n  "manuscript/03.md",\n')
    toml = toml.replace('format = "pdf"\n', 'format = "pdf"\nlist_of_figures = true\n', 1)
    files = {"book.toml": toml + HORIZONTAL, "manuscript/03.md": CHAPTER, "images/a.png": _png()}
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp(edition), extra=files, edition=edition)
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return out / f"{edition}.pdf", json.loads((out / f"{edition}.layout.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vbook(tmp_path_factory):
    return _build(tmp_path_factory, "print")


@pytest.fixture(scope="module")
def hbook(tmp_path_factory):
    return _build(tmp_path_factory, "print-h")


def _tables(layout, tid):
    return [(p, t) for p in layout["pages"] for t in p["figures"] if t["kind"] == "table" and t["id"] == tid]


def _first(chars, text):
    return find_chars(chars, text)[0]


def test_vertical_table_rows_are_columns_right_to_left_header_first(vbook):
    pdf, layout = vbook
    (page, t), = _tables(layout, "tbl-tenth")
    cols = [page["body"]["columns"][i] for i in t["columns"]]
    assert [c["role"] for c in cols] == ["table-head"] + ["table-row"] * 3
    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[page["number"] - 1].chars
        heads = [_first(chars, f) for f in FIELDS]
        firsts = [[_first(chars, cell) for cell in row] for row in ROWS]
        xs = [heads[0]["x0"]] + [r[0]["x0"] for r in firsts]
        assert xs == sorted(xs, reverse=True), "rows follow right to left, the header first"
        for row in [heads] + firsts:
            tops = [c["top"] for c in row]
            assert tops == sorted(tops), "a row's fields go down the column"
        for f in range(3):      # every field starts at the same height in every row
            starts = {round(row[f]["top"], 1) for row in [heads] + firsts}
            assert len(starts) == 1, (f, starts)
        assert heads[0]["fontname"].split("+")[-1] != firsts[0][0]["fontname"].split("+")[-1], "header in bold"
        # ruled lines: thin filled boxes between the rows and across the fields
        rules = [r for r in doc.pages[page["number"] - 1].rects if min(r["width"], r["height"]) < 1.0]
        between = [r for r in rules if r["height"] > 20 and firsts[0][0]["x1"] < r["x0"] < heads[0]["x0"]]
        assert between, "a rule between the header and the first row"


def test_long_table_goes_on_with_its_header_repeated(vbook):
    pdf, layout = vbook
    parts = _tables(layout, "tbl-long")
    assert len(parts) >= 2
    rows_seen, first_rows = [], []
    for page, t in parts:
        first_rows.append(len(rows_seen))
        cols = [page["body"]["columns"][i] for i in t["columns"]]
        assert cols[0]["role"] == "table-head" and cols[0]["text"] == "".join(FIELDS)
        rows_seen += [c["text"] for c in cols if c["role"] == "table-row"]
    assert rows_seen == ["".join(r) for r in LONG], "every row once, in order"
    with pdfplumber.open(pdf) as doc:          # the repeated header is drawn, first on the page
        page, t = parts[1]
        chars = doc.pages[page["number"] - 1].chars
        assert _first(chars, "部隊")["x0"] > _first(chars, LONG[first_rows[1]][0])["x0"], "header right of the rows"
        raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page["number"]),
                              "-l", str(page["number"]), str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
        assert re.sub(r"\s+", "", raw).startswith("".join(FIELDS))


def test_cross_reference_to_a_table(vbook):
    _, layout = vbook
    (page, _), = _tables(layout, "tbl-tenth")
    assert "守軍的編制見表1。" in layout["text"]


def test_list_of_figures_and_tables_with_their_pages(vbook):
    """list_of_figures: a 圖目次 and a 表目次 after the 目次, each entry's page
    the page layout.json places the figure or table on, printed in the PDF."""
    pdf, layout = vbook
    pages: dict[str, int] = {}
    for p in layout["pages"]:
        for f in p["figures"]:
            pages.setdefault(f["id"], p["number"])       # a table: the page it starts on
    lists = {p["body"]["columns"][0]["text"]: p for p in layout["pages"]
             if p["role"] == "toc" and p["body"]["columns"]}
    assert set(lists) >= {"目次", "圖目次", "表目次"}
    want = {"圖目次": [("圖1　城南陣地", "fig-a")],
            "表目次": [("表1　第十軍各師", "tbl-tenth"), ("表2　各營兵力", "tbl-long")]}
    for title, entries in want.items():
        page = lists[title]
        got = [(c["text"], c["foot"]) for c in page["body"]["columns"][1:]]
        assert got == [(text, str(pages[fid])) for text, fid in entries]
        raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page["number"]),
                              "-l", str(page["number"]), str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
        for text, fid in entries:
            assert re.sub(r"\s+", "", text) + str(pages[fid]) in re.sub(r"\s+", "", raw)


def test_horizontal_figure_and_table(hbook):
    """A horizontal edition: the figure upright at a page head or on a plate,
    inside the type area, no character over it; the table's rows are lines."""
    pdf, layout = hbook
    (page, fig), = [(p, f) for p in layout["pages"] for f in p["figures"] if f["kind"] == "figure"]
    from bookbuild.config import EditionConfig
    from bookbuild.render.pdf.layout.frame import Frame
    ed = EditionConfig(name="print-h", format="pdf", writing="horizontal", chars_per_column=30,
                       columns_per_page=24, note_chars_per_column=36, margin_head=25, margin_gutter=20)
    ta, s, geo = Frame.of(ed).ta_p(page["number"] % 2 == 1), ed.font_size, layout["geometry"]
    b = fig["box"]
    room = b["image_slots"] * geo["pitch_em"] - geo["gap_em"]
    top = ta["top"] + (b["across_em"] + max(0.0, room - b["across_size_em"]) / 2) * s
    left = ta["left"] + ((geo["chars_per_column"] - b["along_size_em"]) / 2 if fig["placement"] == "plate" else 0) * s
    box = (left, top, left + b["along_size_em"] * s, top + b["across_size_em"] * s)
    assert ta["left"] - 0.01 <= box[0] and box[2] <= ta["right"] + 0.01
    assert ta["top"] - 0.01 <= box[1] and box[3] <= ta["bottom"] + 0.01
    import pypdfium2 as pdfium  # deferred: only the pixel tests render pages
    doc = pdfium.PdfDocument(str(pdf))
    pg = doc[page["number"] - 1]
    w, h = pg.get_size()
    img = pg.render(scale=2, crop=(box[0], h - box[3], w - box[2], box[1])).to_pil().convert("RGB")
    doc.close()
    top_band = img.crop((0, 0, img.width, img.height // 5)).resize((1, 1)).getpixel((0, 0))
    bottom_left = img.crop((0, img.height * 3 // 5, img.width // 3, img.height)).resize((1, 1)).getpixel((0, 0))
    assert top_band[0] > 150 and top_band[1] < 90, top_band           # red band on top: upright
    assert max(bottom_left) < 60, bottom_left                          # black square bottom left
    with pdfplumber.open(pdf) as pl:
        chars = pl.pages[page["number"] - 1].chars
        assert not [c for c in chars if c["x1"] > box[0] + 0.5 and c["x0"] < box[2] - 0.5
                    and c["bottom"] > box[1] + 0.5 and c["top"] < box[3] - 0.5]
    (tpage, t), = _tables(layout, "tbl-tenth")
    with pdfplumber.open(pdf) as pl:
        chars = pl.pages[tpage["number"] - 1].chars
        head, row = _first(chars, "部隊"), _first(chars, "第三師")
        assert head["top"] < row["top"] and abs(head["x0"] - row["x0"]) < 0.5, "rows are lines, fields aligned"
