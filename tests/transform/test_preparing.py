"""build_data.Preparing, begun by `bookbuild build` on a book not yet checked:
what its thread raises waits for finish(), and the data is prepare()'s."""
from __future__ import annotations

import pytest

from bookbuild.commands.check import load_prepared
from bookbuild.model import plain_text
from bookbuild.transform import build_data
from helpers.books import make_book


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    found, diags = load_prepared(make_book(tmp_path_factory.mktemp("preparing") / "book"))
    assert found is not None, diags
    return found


def test_a_failure_in_the_thread_waits_for_finish(book, monkeypatch):
    def broken(_book):
        raise RuntimeError("a book the checks would refuse")
    monkeypatch.setattr(build_data, "number_notes", broken)
    begun = build_data.Preparing(book)          # the build goes on to check the book
    with pytest.raises(RuntimeError):
        begun.finish()


def test_begun_early_is_prepare(book, tmp_path):
    early, late = build_data.Preparing(book, tmp_path).finish(), build_data.prepare(book)
    assert early.numbers == late.numbers and early.citation_errors == late.citation_errors
    assert [(e.text, e.group) for e in early.index.entries] == [(e.text, e.group) for e in late.index.entries]
    shown = [[plain_text(i) for i in d.citations.rendered.values()] for d in (early, late)]
    assert shown[0] == shown[1] and shown[0]
