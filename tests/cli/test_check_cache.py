"""The check cache: unchanged books are answered without loading; any input change invalidates."""
from __future__ import annotations

from bookbuild.commands import check as check_cmd
from helpers.books import NOTES, make_book


def test_cache_hit_and_invalidation(tmp_path, monkeypatch):
    root = make_book(tmp_path / "b")
    calls = []
    real = check_cmd.load_book

    def counting(path, *args):
        calls.append(path)
        return real(path, *args)
    monkeypatch.setattr(check_cmd, "load_book", counting)
    d1, _ = check_cmd.check_book(root)
    d2, book = check_cmd.check_book(root)
    assert len(calls) == 1 and d1 == d2 == [] and book is not None
    (root / "footnotes/01.md").write_text(NOTES + "\n[^orphan]: 無人引用。\n", encoding="utf-8")
    d3, _ = check_cmd.check_book(root)
    assert len(calls) == 2 and [d.code for d in d3] == ["BB103"]
