"""Text pages written without WeasyPrint (drawing/textpages.py, PRINT-ENGINE.md §12):
the sample book's print edition built both ways — text pages, and every page
by WeasyPrint (BOOKBUILD_TEXT_PAGES=0) — read back with pdfplumber: the same
characters in the same order on every page, at the same places; and which
pages are text pages."""
from __future__ import annotations

import json

import pdfplumber
import pikepdf
import pytest

from bookbuild.render.pdf.drawing.bookrules import BookRules
from bookbuild.render.pdf.drawing.textpages import drawable
from bookbuild.render.pdf.layout import layout_types as lt
from helpers.books import copy_sample
from helpers.outputs import build_book
from helpers.pdf import cached_text_pages

NEAR = 0.5          # pt: a character within this of WeasyPrint's place


@pytest.fixture(scope="module")
def both(tmp_path_factory, epoch):
    built = {}
    mp = pytest.MonkeyPatch()
    for name, env in (("text", "1"), ("weasy", "0")):
        mp.setenv("BOOKBUILD_TEXT_PAGES", env)
        root = copy_sample(tmp_path_factory.mktemp(name) / "book")
        b = build_book(root, ["print"])
        assert b.code == 0, b.stdout
        built[name] = b
    mp.undo()
    return built


def _chars(pdf) -> list[list[tuple[str, float, float]]]:
    with pdfplumber.open(pdf) as doc:
        return [[(c["text"], c["x0"], c["top"]) for c in page.chars if c["text"].strip()] for page in doc.pages]


def test_most_sample_pages_are_text_pages(both):
    folder = both["text"].root / ".bookbuild" / "cache" / "pages" / "print"
    text = cached_text_pages(folder)
    drawn = json.loads((folder / "index.json").read_text(encoding="utf-8"))["pages"]
    assert len(text) > 3 * len(drawn) > 0        # figures, the table, styled asides: WeasyPrint's
    with pikepdf.open(both["text"].pdf) as pdf:
        written = sum(1 for p in pdf.pages if {"/BBT0", "/BBT1"} & set(p.obj.Resources.get("/Font", {}).keys()))
    # a blank text page has no font; two equal pages share one entry
    assert written >= len([k for k, (_, glyphs, _) in text.items() if glyphs]) > 60


def _placed(chars) -> dict[int, tuple[float, float]]:
    """Each character's place by its offset in the page's text (a tcy glyph is one
    character of two digits)."""
    out, at = {}, 0
    for text, x, y in chars:
        out[at] = (x, y)
        at += len(text)
    return out


def test_same_characters_in_the_same_order_at_the_same_places(both):
    text, weasy = _chars(both["text"].pdf), _chars(both["weasy"].pdf)
    assert len(text) == len(weasy)
    total = near = 0
    for n, (a, b) in enumerate(zip(text, weasy), 1):
        assert "".join(c[0] for c in a) == "".join(c[0] for c in b), f"page {n}"
        pa, pb = _placed(a), _placed(b)
        for at in pa.keys() & pb.keys():
            (xa, ya), (xb, yb) = pa[at], pb[at]
            total += 1
            near += abs(xa - xb) <= NEAR and abs(ya - yb) <= NEAR
    # the exceptions (PRINT-ENGINE.md §12), about 1 % of the sample's characters, all in
    # Latin citations: a 1-em cell the face draws narrower (1937–1952), and a tcy glyph the
    # face formed inside a sideways run (…1911–45[M]) in WeasyPrint's pages: WeasyPrint moved
    # the rest of the column by the difference, the text page keeps the layout's cells
    assert total > 20_000 and near / total > 0.985, (near, total)


def test_a_page_with_a_figure_or_a_table_is_not_a_text_page():
    col = lt.Column([lt.Unit("甲", lt.HAN, 1.0)])
    assert drawable(lt.Page(1, columns=[col]))
    assert not drawable(lt.Page(1, columns=[col], folio="1"))          # a head not stamped
    assert not drawable(lt.Page(1, columns=[lt.Column([], role=lt.FIGURE)]))
    assert not drawable(lt.Page(1, columns=[lt.Column([], role=lt.TABLE_ROW, table=object())]))


@pytest.mark.parametrize("css,reaches", [
    ("", False),
    ("blockquote { color: #222; }", False),          # no such element on a page
    (".q { color: #222; }", True),
    ("section.pg-body p.b { color: red; }", True),
    (".q { font-size: 20pt; }", False),             # every declaration filtered out: the rule does nothing
    ("@media print { .b { color: red; } }", True),  # an at-rule: cannot tell, so every page
    ("p:unknown-pseudo { color: red; }", True),      # a selector it cannot compile: every page
])
def test_book_rules_reach_a_page_they_match(css, reaches):
    from bookbuild.render.pdf.drawing.css import book_css
    page = ('<section class="page odd pg-body"><p class="b" style="top:1pt">甲</p>'
            '<p class="q" style="top:2pt">乙</p></section>')
    assert BookRules([book_css(css)]).reach(page) is reaches
