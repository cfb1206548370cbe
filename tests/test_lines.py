"""The one line index (bookbuild/lines.py): CRLF, a lone CR and LF each end a line."""
from __future__ import annotations

from bookbuild.lines import LineIndex
from bookbuild.load.files import decode_utf8


def test_every_line_ending_counts_once():
    for eol in ("\n", "\r\n", "\r"):
        text = f"甲乙{eol}丙{eol}{eol}丁"
        idx = LineIndex(text)
        assert idx.pos(0) == (1, 1)
        assert idx.pos(1) == (1, 2)
        assert idx.pos(text.index("丙")) == (2, 1)
        assert idx.pos(text.index("丁")) == (4, 1)


def test_mixed_endings_and_the_end_of_the_text():
    text = "a\r\nb\rc\nd"
    idx = LineIndex(text)
    assert [idx.pos(text.index(ch)) for ch in "abcd"] == [(1, 1), (2, 1), (3, 1), (4, 1)]
    assert idx.pos(len(text)) == (4, 2)
    assert idx.pos(text.index("\r")) == (1, 2)      # the line ending belongs to its line
    assert idx.pos(text.index("\n")) == (1, 3)


def test_bb503_counts_lines_like_the_loaded_text():
    for eol in (b"\n", b"\r\n", b"\r"):
        data = "一二".encode() + eol + "三".encode() + b"\xa4\xa4"
        _, diags = decode_utf8(data, "manuscript/01.md")
        assert [(d.code, d.line, d.col) for d in diags] == [("BB503", 2, 2)]
