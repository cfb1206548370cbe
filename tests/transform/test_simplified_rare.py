"""OpenCC conversion of rare characters (transform/simplified.py, docs/FORMAT.md "Characters"): astral
ideographs survive, a variation selector stays on a base OpenCC keeps and is dropped from a base it
replaces, never breaks a phrase, and a compatibility ideograph is not folded to its unified form."""
from __future__ import annotations

import pytest

from bookbuild.check.simplified import _ambiguous
from bookbuild.model import Pos, Text
from bookbuild.transform.simplified import to_simplified

IVS, IVS2, SVS = "\U000E0100", "\U000E0101", "\uFE00"
ASTRAL = "\U00020000\U0002A6A5\U0002B740\U0002CE93\U00030000\U00031350"   # Ext. B, B, D, E, G, H


def test_astral_characters_survive():
    assert to_simplified(ASTRAL) == ASTRAL
    assert to_simplified(f"這是{ASTRAL}國") == f"这是{ASTRAL}国"


@pytest.mark.parametrize("text, want", [
    (f"葛{IVS}洪", f"葛{IVS}洪"),                  # base unchanged: its selector stays on it
    (f"兀{SVS}", f"兀{SVS}"),
    (f"乾{IVS}隆", f"乾{IVS}隆"),                  # the phrase 乾隆 still decides (乾 stays)
    (f"乾{IVS}淨", "干净"),                         # base replaced: the selector named a variant of 乾 only
    (f"這{IVS}個國{IVS2}家", "这个国家"),
    (f"頭{IVS}髮", "头发"),                         # phrase match across the selector
    (f"{IVS}開頭", f"{IVS}开头"),                   # a selector with no base is left where it is
    (f"記憶體{IVS}很大", "记忆体很大"),             # a length-changing phrase around a selector: converted apart
    (f"葛{IVS}洪的記憶體", f"葛{IVS}洪的内存"),
])
def test_variation_selectors(text, want):
    assert to_simplified(text) == want


@pytest.mark.parametrize("text, want", [
    ("\U0002F804們", "\U0002F804们"),              # 你 compatibility form: OpenCC would fold it to U+4F60
    ("\uF900然", "岂然"),                          # 豈 -> 岂 is a real conversion, not a fold
    ("\U0002F804的記憶體", "\U0002F804的内存"),    # kept on the length-changing path too
])
def test_compatibility_ideographs_are_not_folded(text, want):
    assert to_simplified(text) == want


def test_bb405_context_skips_variation_selectors():
    # 乾隆 is a phrase: 乾 stays 乾 there, so no BB405, with or without a selector in between
    for text in ("乾隆年間", f"乾{IVS}隆年間", f"葛{IVS}洪{IVS}乾隆年間"):
        assert _ambiguous(Text(text, Pos("manuscript/01.md", 3, 1))) == [], text
    (d,) = _ambiguous(Text(f"葛{IVS}洪{IVS}乾了", Pos("manuscript/01.md", 3, 1)))
    assert (d.code, d.col) == ("BB405", 5)       # code points: 葛 VS 洪 VS 乾
