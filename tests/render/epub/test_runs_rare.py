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


def test_a_japanese_passage_never_ends_between_a_kanji_and_its_selector():
    from lxml import etree

    from bookbuild.render.epub.langparts import XHTML_NS, mark_language_parts
    for text in (f"見の葛{IVS}城", f"\U0002000B{IVS}の", f"葛{SVS}のこと"):
        html = etree.fromstring(f'<html xmlns="{XHTML_NS}"><body><p>中文，{text}。中文</p></body></html>')
        mark_language_parts(html)
        (span,) = html.iter(f"{{{XHTML_NS}}}span")
        assert span.get("lang") == "ja" and span.text == text       # the kanji, astral or not, with its selector


def test_japanese_passages_need_a_kana_and_a_han_run_is_never_one():
    """langparts searches for Japanese only in text with a kana (the search is
    quadratic in a Han run otherwise): a long Han run stays unmarked, a kanji
    and kana passage between its punctuation is still found whole."""
    from lxml import etree

    from bookbuild.render.epub.langparts import XHTML_NS, mark_language_parts
    han = "國" * 3000
    html = etree.fromstring(f'<html xmlns="{XHTML_NS}"><body><p>{han}</p>'
                            f'<p>{han}。東京へ行く，{han}</p></body></html>')
    mark_language_parts(html)
    spans = [(s.text, s.get("lang")) for s in html.iter(f"{{{XHTML_NS}}}span")]
    assert spans == [("東京へ行く", "ja")]
    assert [p.get("lang") for p in html.iter(f"{{{XHTML_NS}}}p")] == [None, None]


def test_without_variation_selectors_drops_both_ranges_only():
    from bookbuild.charclass import without_variation_selectors
    text = f"葛{IVS}洪\U000E01EF{SVS}\uFE0F\uFE10\U000E00FF\U000E01F0字"
    assert without_variation_selectors(text) == "葛洪\uFE10\U000E00FF\U000E01F0字"
