"""A cover edition's keys in book.toml: each mistake is a BB502 at its key or value."""
from __future__ import annotations

import pytest

from bookbuild.config import parse_config
from bookbuild.papers import PAPERS, caliper_mm, paper_key, spine_mm

BASE = ('[book]\ntitle = "t"\nauthors = ["a"]\nidentifier = "urn:uuid:x"\nchapters = ["a.md"]\n'
        '[editions.print]\nformat = "pdf"\n[editions.cover]\nformat = "cover"\n')


@pytest.mark.parametrize("lines, line, col, words", [
    ('interior = "print"\nisbn = "978-626-7999-99-0"', 11, 9, "wrong check digit: 0, the digits before it give 8"),
    ('interior = "epub"', 10, 1, 'interior = "epub" is not a pdf edition'),
    ('', 8, 1, 'interior = "" is not a pdf edition'),
    ('interior = "print"\npaper = "宣紙"', 11, 1, 'paper = "宣紙" is not in the paper table'),
    ('interior = "print"\ncaliper_mm = 2.5', 11, 1, "caliper_mm = 2.5 is outside 0–1 mm"),
    ('interior = "print"\nisbn = "9786267999998"\nprice = "350"', 12, 1, 'price = "350" is not 5 digits'),
    ('interior = "print"\nprice = "90350"', 11, 1, "price needs an ISBN"),
    ('interior = "print"\npage = "A5"', 11, 1, "unknown key 'page' in [editions.cover]"),
])
def test_cover_key_mistakes_are_bb502_where_they_are(lines, line, col, words):
    _, diags = parse_config(BASE + lines + "\n")
    assert [(d.code, d.line, d.col) for d in diags] == [("BB502", line, col)], diags
    assert words in diags[0].message and diags[0].hint


def test_a_good_cover_edition_and_its_defaults():
    cfg, diags = parse_config(BASE + 'interior = "print"\npaper = "道林紙 100G"\nflaps_mm = 80\n')
    assert diags == []
    ed = cfg.edition("cover")
    assert (ed.output_file, ed.bleed, ed.flaps_mm) == ("cover.pdf", 3.0, 80.0)
    assert paper_key(ed.paper) == "道林紙100g" and caliper_mm(ed.paper) == pytest.approx(0.11)


def test_spine_formula_and_the_tiao_table():
    """1 條 = 0.01 mm; uncoated papers g/m² ÷ 10 + 1 條, matt coated g/m² ÷ 10 − 1 條."""
    for name, tiao in PAPERS.items():
        grams = int(name[3:-1])
        assert tiao == grams // 10 + (-1 if name.startswith("雪銅") else 1), name
    assert spine_mm(240, 0.1) == pytest.approx(12.0)
    assert spine_mm(241, 0.1) == pytest.approx(12.1)          # a last page alone still takes a leaf
    assert caliper_mm("道林紙80g", 0.125) == 0.125             # the printer's figure wins
