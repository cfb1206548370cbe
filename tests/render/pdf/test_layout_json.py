"""layout.json as written (layout/layout_json.py): the file is json.dumps of
the dict to the byte, and a column's fields follow its units whatever they
hold (gaps in the stream, a hyphen before a call, runs cut by marks)."""
from __future__ import annotations

import json

from bookbuild.model import Pos
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.render.pdf.layout.layout_json import layout_json, write_layout_json
from helpers.model import model_book

from .test_paginator import build


def test_the_file_is_the_dict_dumped(tmp_path):
    book, result, _ = build(chapters=2, paras=20)
    ed = book.config.edition("print")
    write_layout_json(result, ed, tmp_path / "print.layout.json")
    written = (tmp_path / "print.layout.json").read_bytes()
    assert written == json.dumps(layout_json(result, ed), ensure_ascii=False).encode()
    assert len(json.loads(written)["pages"]) == len(result.pages) > 10


def _unit(text, offset, kind=lt.HAN, flags=0, mark=0, **kw):
    return lt.Unit(text, kind, 1.0, anchor=Pos("manuscript/a.md", 3, 1 + offset), offset=offset, flags=flags,
                   mark=mark, **kw)


def _dumped(page: lt.Page) -> dict:
    ed = model_book([[]]).config.edition("print")
    return layout_json(lt.LayoutResult([page], "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳" * 4, None), ed)["pages"][0]


def test_a_column_with_gaps_a_hyphen_and_runs():
    units = [_unit("甲", 0, flags=lt.NAME, mark=1), _unit("乙", 1, flags=lt.NAME, mark=1),
             _unit("丙", 2, flags=lt.NAME, mark=2),               # another name: a new run
             _unit("", 3, kind=lt.BLANK),                          # empty: no piece
             _unit("12", 10, kind=lt.TCY, flags=lt.EMPH),          # a gap in the stream: a new piece
             _unit("ab", 12, kind=lt.SIDEWAYS, flags=lt.HYPHEN),
             _unit("1", 20, kind=lt.CALL, note_id="n1")]           # the call after the hyphenated word
    page = lt.Page(5, columns=[lt.Column(units, x_em=-0.0, size=1, length_em=38.00000004)])
    got = _dumped(page)
    col = got["body"]["columns"][0]
    assert col["text"] == "甲乙丙12ab1" and col["offset"] == 0
    assert col["pieces"] == [[0, 3], [10, 4], [20, 1]]
    assert col["hyphen"] is True and got["body"]["text"] == "甲乙丙12ab1-"
    assert json.dumps(col["x_em"]) == "-0.0" and json.dumps(col["size"]) == "1" and col["length_em"] == 38.0
    spans = [(s["kind"], s["text"], s["offset"]) for s in got["spans"]]
    assert spans == [("tcy", "12", 10), ("sideways", "ab", 12), ("call", "1", 20), ("name", "甲乙", 0),
                     ("name", "丙", 2), ("emphasis", "12", 10)]
    assert got["spans"][2]["note_id"] == "n1" and got["spans"][3]["src"] == "manuscript/a.md:3:1"


def test_a_column_that_starts_with_generated_units():
    units = [lt.Unit("（", lt.HAN, 1.0), _unit("甲", 4), _unit("乙", 5)]
    got = _dumped(lt.Page(5, columns=[lt.Column(units)]))["body"]["columns"][0]
    assert got["offset"] == 4 and got["pieces"] == [[4, 2]] and got["hyphen"] is False
