"""The §4 normalizer (transform/normalize.py) and `fix` on astral characters, variation sequences and
compatibility ideographs (docs/FORMAT.md "Characters"): a variation selector is looked through as part
of its base — every row decides exactly as it would without it — and is kept on its base; a
compatibility ideograph is kept as typed (row 1's NFC would replace it)."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.charclass import cells, is_variation_selector, without_variation_selectors
from bookbuild.transform.normalize import fix_text, normalize_for_render

IVS, SVS = "\U000E0100", "\uFE00"
HAN = "甲乙他說好葛洪兀" + "\U0002000B\U0002A7DD\U0002CE93\U00030EDD\U00031350"
PIECES = (list(HAN) + list(",.:;!?()\"' -~\u2027") + ["...", "--", "OSS", "W", "1944", "1-3", "\u3000",
          "喬治", "華盛頓", "辦法", "凡是"])      # row 6 looks two characters away from a separator


def _texts():
    piece = st.sampled_from(PIECES)
    selectors = st.lists(st.sampled_from(["", "", IVS, "\U000E01EF", SVS, "\uFE0F"]), min_size=3, max_size=3)
    return st.lists(st.tuples(piece, selectors), min_size=1, max_size=30)


def _join(parts, with_selectors: bool) -> str:
    """The pieces, with a selector after some of their Han characters."""
    return "".join(ch + (vs if with_selectors and ch in HAN + "喬治華盛頓辦法凡是" else "")
                   for p, sel in parts for ch, vs in zip(p, sel + [""] * len(p)))


@settings(max_examples=300, deadline=None)
@given(_texts(), st.booleans())
def test_a_variation_selector_changes_no_decision_and_stays_on_its_base(parts, pdf):
    plain, marked = _join(parts, False), _join(parts, True)
    for run in (lambda s: normalize_for_render(s, pdf=pdf), lambda s: fix_text(s, [])[0]):
        out = run(marked)
        assert without_variation_selectors(out) == run(plain), (plain, marked)
        # every selector still follows the same base character, in the same order
        kept = [c for c in cells(out) if len(c) > 1]
        assert kept == [c for c in cells(marked) if len(c) > 1]


def test_rows_see_through_a_selector():
    for vs in (IVS, SVS):
        assert normalize_for_render(f"葛{vs}!", pdf=True) == f"葛{vs}！"
        assert normalize_for_render(f"甲{vs}...", pdf=True) == f"甲{vs}……"
        assert normalize_for_render(f"甲{vs} 乙", pdf=True) == f"甲{vs}乙"               # row 3
        assert normalize_for_render(f"甲{vs} OSS", pdf=True) == f"甲{vs}OSS"             # row 4
        assert fix_text(f'他說"葛{vs}"', [])[0] == f"他說「葛{vs}」"
        assert normalize_for_render(f"喬治{vs}.華{vs}盛頓", pdf=True) == f"喬治{vs}·華{vs}盛頓"    # row 6
        assert normalize_for_render(f"喬治{vs}.W.布希", pdf=True) == f"喬治{vs}·W·布希"


@pytest.mark.parametrize("ch", ["\uF900", "\uFA0E", "\uFA6D", "\U0002F804", "\U0002FA1D"])
def test_compatibility_ideographs_are_kept_as_typed(ch):
    text = f"他說{ch}字,好"
    assert unicodedata.normalize("NFC", ch) != ch or ch == "\uFA0E"    # U+FA0E is a unified ideograph
    assert normalize_for_render(text, pdf=True) == f"他說{ch}字，好"
    assert fix_text(text, [])[0] == f"他說{ch}字，好"


def test_astral_text_is_untouched_but_its_punctuation_is_fixed():
    text = "\U0002000B\U0002A7DD,\U00031350\U0002EBF0.\U00030EDD?"
    assert normalize_for_render(text, pdf=True) == "\U0002000B\U0002A7DD，\U00031350\U0002EBF0。\U00030EDD？"
    assert not any(is_variation_selector(c) for c in normalize_for_render(text, pdf=True))
