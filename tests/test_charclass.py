"""Character classes of docs/VERTICAL-TYPOGRAPHY.md §3 (bookbuild.charclass)."""

import pytest

from bookbuild import charclass as cc


@pytest.mark.parametrize("ch", "中國𠀀丨〇々〃※ㄅ、。，．：；！？‼⁇·‧・／\u3000")
def test_upright_chars(ch):
    assert cc.is_upright(ch)
    assert cc.orientation(ch) == "upright"


@pytest.mark.parametrize("ch", "「」『』（）《》〈〉【】〔〕〖〗［］｛｝～")
def test_vert_alt_table_is_exactly_section_3_2(ch):
    assert ch in cc.VERT_ALT
    assert cc.orientation(ch) == "vert"
    assert not cc.is_upright(ch) and not cc.is_rotated(ch)


def test_vert_alt_has_21_members_and_reference_forms():
    assert len(cc.VERT_ALT) == 21
    for src, form in cc.VERT_ALT_REFERENCE.items():
        assert 0xFE10 <= ord(form) <= 0xFE4F, (src, form)


@pytest.mark.parametrize("ch", "AzΩЖ19.,:-%\u2014\u2013\u2026\u2025\u2e3a\u2e3b\u22ef\u201c\u2019")
def test_rotated_chars(ch):
    assert cc.is_rotated(ch)
    assert not cc.is_upright(ch)


def test_uax50_overrides_for_tc():
    # UAX #50 gives ：； Tr and · R; TC sets them upright (VT-09, §3.1).
    assert cc.vertical_orientation("：") == "Tr" and cc.is_upright("：")
    assert cc.vertical_orientation("；") == "Tr" and cc.is_upright("；")
    assert cc.vertical_orientation("·") == "R" and cc.is_upright("·")
    assert cc.vertical_orientation("中") == "U"
    assert cc.vertical_orientation("。") == "Tu"
    assert cc.vertical_orientation("A") == "R"
    assert cc.vertical_orientation("\U000E0200") == "R"  # unlisted: @missing default


def test_classes_partition_a_sample_of_code_space():
    for cp in list(range(0x20, 0x3000, 7)) + list(range(0x3000, 0x3100)) + list(range(0xFF00, 0xFFEF)):
        ch = chr(cp)
        flags = [cc.is_upright(ch), cc.needs_vertical_alternate(ch) and not cc.is_upright(ch),
                 cc.is_rotated(ch)]
        assert sum(flags) == 1, hex(cp)


def test_han():
    assert cc.is_han("中") and cc.is_han("\u3400") and cc.is_han("\U0002A6D6")
    assert not cc.is_han("\u2f00")  # Kangxi radical is not an ideograph
    assert not cc.is_han("。") and not cc.is_han("a")
    assert cc.is_han_context("。") and cc.is_han_context("ㄅ") and cc.is_han_context("中")
    assert not cc.is_han_context("１") and not cc.is_han_context("A")


def test_centred_punct_is_vt14_list():
    assert set("。，、．：；！？‼⁇") <= cc.CENTRED_PUNCT
    assert "\u2026" not in cc.CENTRED_PUNCT  # … takes its vertical alternate (VT-11)
    assert not cc.CENTRED_PUNCT & cc.VERT_ALT


def test_kinsoku_sets():
    basic, strict = cc.START_PROHIBITED_BASIC, cc.START_PROHIBITED_STRICT
    assert set("、。，．：；！？」』）》〉】〗〕］｝·～\u2013\u201d") <= basic
    assert "\u2014" not in basic and "\u2026" not in basic
    assert basic < strict and {"\u2014", "\u2026", "\u22ef", "\u2e3a"} <= strict
    assert cc.START_PROHIBITED["basic"] is basic
    assert set("「『（《〈【〖〔［｛\u201c\u2018") == cc.END_PROHIBITED
    assert {"\uff0f", "/"} <= cc.END_PROHIBITED_STRICT - cc.END_PROHIBITED
    assert not basic & cc.END_PROHIBITED
    assert {"——", "……", "！？"} <= cc.UNBREAKABLE_PAIRS
    assert all(len(p) == 2 for p in cc.UNBREAKABLE_PAIRS)


@pytest.mark.parametrize("text,runs", [
    ("1944年8月7日", ["8", "7"]),
    ("第12章第3節共47人", ["12", "3", "47"]),
    ("14.8公里 1:6.4 B-29 10:30 1/12 30% 1944", []),
    ("全師 8529 人，第100師", ["100"]),
])
def test_tcy_re_contract(text, runs):
    assert cc.TCY_RE.pattern == r"(?<![0-9A-Za-z.,:/%-])[0-9]{1,3}(?![0-9A-Za-z.,:/%-])"
    assert [m.group() for m in cc.TCY_RE.finditer(text)] == runs
    assert cc.tcy_runs(text) == set(runs)


def test_forbidden_chars():
    text = "中\u2f00文\ufe35\u200b\ue000\U000F0001\ufffd\u2f00\ufe41\u2e80\u2060\ufeff"
    assert cc.forbidden_chars(text) == [
        "\u2f00", "\ufe35", "\u200b", "\ue000", "\U000F0001", "\ufffd", "\ufe41", "\u2e80",
        "\u2060", "\ufeff"]
    assert cc.forbidden_chars("隨著國際局勢變化，「」——……") == []
    assert cc.forbidden_chars("\uf900中", allowed="\uf900") == []
    assert cc.forbidden_chars("\uf900中") == ["\uf900"]
    assert cc.forbidden_reason("\u2f00") == "Kangxi radical"
