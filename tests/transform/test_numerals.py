"""docs/FORMAT.md Numbers: numerals = "chinese" and tcy runs."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookbuild.transform.numerals import positional, tcy_runs, to_chinese_numerals


@pytest.mark.parametrize("source,expected", [
    ("1944年", "一九四四年"),
    ("1940年代", "一九四〇年代"),
    ("2006年", "二〇〇六年"),
    ("8月7日", "八月七日"),
    ("12月25日", "十二月二十五日"),
    ("8529人", "八千五百二十九人"),
    ("共10人", "共十人"),
    ("第15師", "第十五師"),
    ("110人", "一百一十人"),
    ("105人", "一百零五人"),
    ("1,000人", "一千人"),
    ("17000餘人", "一萬七千餘人"),
    ("民國33年", "民國三十三年"),
    ("1944～1945年", "一九四四～一九四五年"),
    ("第0號", "第〇號"),
    ("1944年8月8日，8529人", "一九四四年八月八日，八千五百二十九人"),
    ("日,8529人", "日,8529人"),                       # ASCII comma attached: as the tcy rule
])
def test_converted(source, expected):
    assert to_chinese_numerals(source) == expected


@pytest.mark.parametrize("source", [
    "長14.8公里", "比例1:6.4", "10:30出發", "B-29轟炸", "1/12", "50%的人", "1944-08-08",
    "in 1944 the war", "第08號", "COVID-19疫情", "A5開本",
])
def test_unchanged(source):
    assert to_chinese_numerals(source) == source


@pytest.mark.parametrize("n,expected", [
    (0, "〇"), (1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (101, "一百零一"),
    (1010, "一千零一十"), (10000, "一萬"), (10005, "一萬零五"), (20300, "二萬零三百"),
    (100000, "十萬"), (100001000, "一億零一千"), (123456789, "一億二千三百四十五萬六千七百八十九"),
])
def test_positional(n, expected):
    assert positional(n) == expected


_VALUE = dict(zip("零一二三四五六七八九", range(10)))
_UNIT = {"十": 10, "百": 100, "千": 1000}


def _parse(s: str) -> int:
    """Read a positional Chinese numeral back (test oracle, independent of the code)."""
    total, section, digit = 0, 0, 0
    for ch in s:
        if ch in _VALUE:
            digit = _VALUE[ch]
        elif ch in _UNIT:
            section += (digit or 1) * _UNIT[ch]
            digit = 0
        else:   # 萬 / 億
            mult = 10000 if ch == "萬" else 10 ** 8
            total = (total + section + digit) * mult if ch == "億" else total + (section + digit) * mult
            section, digit = 0, 0
    return total + section + digit


@given(st.integers(min_value=1, max_value=10 ** 12 - 1))
def test_positional_round_trip(n):
    text = positional(n)
    assert _parse(text) == n
    assert "零零" not in text and not text.endswith("零")


def test_tcy_runs():
    text = "8月7日，1944年，第47師3團，14.8公里，1:6.4，B-29，10:30，1/12，50%"
    runs = [text[a:b] for a, b in tcy_runs(text)]
    assert runs == ["8", "7", "47", "3"]


def test_tcy_regex_matches_contract():
    contract = re.compile(r"(?<![0-9A-Za-z.,:/%-])[0-9]{1,3}(?![0-9A-Za-z.,:/%-])")
    text = "a1 22 333 4444 5.5 6,6 7:7 8/8 9% -10 11- 第12章"
    assert tcy_runs(text) == [m.span() for m in contract.finditer(text)]
