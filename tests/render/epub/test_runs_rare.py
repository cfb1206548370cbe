"""EPUB vertical runs and Chinese numerals next to a variation sequence (docs/FORMAT.md "Characters"): a
selector belongs to the character before it, so `葛󠄀10` is in CJK context exactly as `葛10` is."""
from __future__ import annotations

import pytest

from bookbuild.render.epub.text import runs
from bookbuild.transform.edition_text import EditionText
from bookbuild.transform.numerals import to_chinese_numerals

IVS, SVS = "\U000E0100", "\uFE00"


def _runs(text, **kw):
    edition = EditionText(**{"vertical": True, "numerals": "tcy", "long_numbers": "sideways", **kw})
    return [(r.text, r.kind) for r in runs(text, edition, after="k") if r.kind]


@pytest.mark.parametrize("vs", ["", IVS, SVS])
def test_tcy_and_acronyms_after_a_selector(vs):
    assert _runs(f"葛{vs}10 km") == [("10", "tcy")]          # only the left side is Han
    assert _runs(f"葛{vs} USA k") == [("USA", "upright")]
    assert _runs(f"\U0002000B{vs}8 km") == [("8", "tcy")]


@pytest.mark.parametrize("vs", ["", IVS, SVS])
def test_chinese_numerals_after_a_selector(vs):
    assert to_chinese_numerals(f"葛{vs}15 k") == f"葛{vs}十五 k"
    assert to_chinese_numerals(f"\U00030EDD{vs}1944 k") == f"\U00030EDD{vs}一千九百四十四 k"
