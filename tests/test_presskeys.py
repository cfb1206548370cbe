"""book.toml's press-ready keys (presskeys.py): accepted, defaulted, and each impossible setting a BB502 at its key."""
from __future__ import annotations

import pytest

from bookbuild.config import parse_config

BASE = """[book]
title = "書"
authors = ["甲"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
chapters = ["manuscript/01.md"]

[editions.print]
format = "pdf"
"""


def test_keys_parse_with_their_defaults():
    cfg, diags = parse_config(BASE + 'pdfx = "x-4"\ncolor = "gray"\nbleed = 3\ncrop_marks = true\n'
                              'center_marks = true\nslug = true\npages_multiple_of = 16\n'
                              'output_profile = "icc/printer.icc"\n')
    assert diags == []
    ed = cfg.edition("print")
    assert (ed.pdfx, ed.color, ed.bleed, ed.center_marks, ed.slug, ed.pages_multiple_of, ed.output_profile) == \
        ("x-4", "gray", 3.0, True, True, 16, "icc/printer.icc")
    plain = parse_config(BASE)[0].edition("print")
    assert (plain.pdfx, plain.color, plain.output_profile, plain.pages_multiple_of) == ("", "rgb", "swop", 1)


@pytest.mark.parametrize("keys, key, words", [
    ('pdfx = "x-4"\n', "pdfx", "needs color"),
    ('pdfx = "x-3"\n', "pdfx", "is not one of"),
    ('color = "rgb-ish"\n', "color", "is not one of"),
    ("bleed = 30\n", "bleed", "outside 0–10"),
    ("pages_multiple_of = 0\n", "pages_multiple_of", "outside 1–64"),
    ("slug = true\n", "slug", "needs crop_marks"),
    ('output_profile = " "\n', "output_profile", "empty"),
])
def test_impossible_settings_are_bb502_at_their_key(keys, key, words):
    text = BASE + keys
    cfg, diags = parse_config(text)
    assert cfg is None and [d.code for d in diags] == ["BB502"]
    line = text.splitlines().index(next(ln for ln in text.splitlines() if ln.startswith(key))) + 1
    assert diags[0].line == line and words in diags[0].message and diags[0].hint


def test_press_keys_belong_to_pdf_editions():
    text = BASE.replace('format = "pdf"', 'format = "epub"') + 'color = "gray"\n'
    cfg, diags = parse_config(text)
    assert cfg is None and "unknown key 'color'" in diags[0].message and "pdf editions" in diags[0].hint
