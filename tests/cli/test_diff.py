"""bookbuild diff: notes, citations and text changes between two revisions."""
from __future__ import annotations

import io

from bookbuild.commands.diff import run_diff
from helpers.books import CHAPTER, NOTES, make_book


def diff(tmp_path, changes):
    old = make_book(tmp_path / "old")
    new = make_book(tmp_path / "new", changes)
    out = io.StringIO()
    assert run_diff(old, new, stdout=out, stderr=io.StringIO()) == 0
    return out.getvalue()


def test_no_changes(tmp_path):
    assert diff(tmp_path, {}) == "no changes\n"


def test_changed_added_removed_notes(tmp_path):
    notes = NOTES.replace("日軍第十一軍進抵衡陽外圍。", "日軍第十一軍於六月下旬進抵衡陽外圍。")
    notes = notes.replace("[^b]: 第一段。\n\n    續行縮排四格。\n", "[^c]: 新增之注。\n")
    chapter = CHAPTER.replace("[^b]", "[^c]")
    out = diff(tmp_path, {"footnotes/01.md": notes, "manuscript/01.md": chapter})
    assert "~ [^a] changed at footnotes/01.md:1:1:" in out
    assert "{+於六月下旬+}" in out
    assert "+ [^c] added at footnotes/01.md:3:1: 新增之注。" in out
    assert "- [^b] removed" in out


def test_changed_citation_and_text(tmp_path):
    chapter = CHAPTER.replace("[@chiang, 7月20日]", "[@chiang, 7月21日]").replace("率", "統率")
    out = diff(tmp_path, {"manuscript/01.md": chapter})
    assert "+ @chiang, 7月21日" in out and "- @chiang, 7月20日" in out
    assert "## Text: manuscript/01.md" in out and "{+統+}率" in out
    assert "manuscript/01.md:3:1:" in out
