"""The 索引 readings kept on this machine (transform/readings.py): the same
entries, groups and order as pypinyin gives, without asking it again; a
changed package, a changed bookbuild or a torn file is never trusted."""
from __future__ import annotations

import json

import pytest

from bookbuild.commands.check import load_prepared
from bookbuild.transform import bookindex, readings
from helpers.books import make_book


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    found, diags = load_prepared(make_book(tmp_path_factory.mktemp("readings") / "book"))
    assert found is not None, diags
    return found


def shown(index):
    return [(e.text, e.group, [o.id for o in e.occurrences]) for e in index.entries]


@pytest.fixture
def machine(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(tmp_path / "machine"))
    return tmp_path / "machine"


def counted(monkeypatch) -> list[str]:
    asked: list[str] = []
    real = bookindex._computed_readings
    monkeypatch.setattr(bookindex, "_computed_readings", lambda w, m: asked.append(w) or real(w, m))
    return asked


def test_kept_readings_give_the_same_index_without_pypinyin(book, machine, monkeypatch):
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", "")
    plain = shown(bookindex.collect(book))          # pypinyin alone, nothing kept
    assert plain and not machine.exists()
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(machine))
    asked = counted(monkeypatch)
    assert shown(bookindex.collect(book)) == plain and asked
    files = list(machine.glob("readings-*.json"))
    assert len(files) == 1 and set(json.loads(files[0].read_text("utf-8"))) == {"pinyin"}
    asked.clear()
    assert shown(bookindex.collect(book)) == plain and asked == []


def test_a_changed_package_or_bookbuild_starts_a_new_file(book, machine, monkeypatch, tmp_path):
    pkg = tmp_path / "site" / "fakedict"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data.txt").write_text("長 cháng")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(readings, "PACKAGES", ("fakedict",))
    first = readings.data_key()
    (pkg / "data.txt").write_text("長 zhǎng")          # the dictionary updated
    second = readings.data_key()
    assert first != second
    monkeypatch.setattr(readings, "code_stamp", lambda: "another bookbuild")
    assert readings.data_key() not in (first, second)
    monkeypatch.setattr(readings, "PACKAGES", ("fakedict", "no_such_package_here"))
    assert readings.data_key() == ""                   # cannot be identified: nothing kept
    assert readings.Readings.open(machine).path is None


def test_a_torn_or_wrong_file_is_computed_again(book, machine, monkeypatch):
    plain = shown(bookindex.collect(book))
    path = next(machine.glob("readings-*.json"))
    asked = counted(monkeypatch)
    for bad in ('{"pinyin": {"', '["x"]', json.dumps({"pinyin": {w: [1, 2] for w in
                                                              json.loads(path.read_text("utf-8"))["pinyin"]}})):
        path.write_text(bad, "utf-8")
        asked.clear()
        assert shown(bookindex.collect(book)) == plain and asked
    assert shown(bookindex.collect(book)) == plain


def test_strokes_needs_no_readings(book, machine, monkeypatch):
    from dataclasses import replace
    asked = counted(monkeypatch)
    by_strokes = replace(book, config=replace(book.config, index_sort="strokes"))
    assert bookindex.collect(by_strokes).entries and asked == [] and not machine.exists()
