"""Check results kept between runs (check/reuse.py, load/reuse.py): after an edit, the
diagnostics a warm `check` gives are exactly a cold check's, and only the edited file
is checked again by the per-file rules."""
from __future__ import annotations

import json
import shutil

import pytest

from bookbuild.check import punctuation
from bookbuild.commands.check import check_book
from helpers.books import BASE, CHAPTER, GLOSSARY, NOTES, SOURCES, make_book

# A book with something for most rules to say, so that the sets compared are not empty:
# BB401 and BB404 (punctuation), BB103 (unused note), BB201/BB202 (sources), BB301/BB302
# (glossary), BB107 (a legacy marker), BB402 (a character no font has).
DIRTY = {
    **BASE,
    "manuscript/01.md": CHAPTER + "\n又記一事, 見〔16〕「未完。[@nosuch]\n\n[未定]{.term}笑🦜。\n",
    "footnotes/01.md": NOTES + "\n[^orphan]: 無人引用, 仍存。\n",
    "footnotes/sources.yaml": SOURCES + "- id: unused\n  type: book\n  title: 未引之書\n",
    "footnotes/glossary.yaml": GLOSSARY + "unused:\n  term: 未用\n  definition: 無人用之。\n",
}

EDITS = {
    "note": ("footnotes/01.md", "第一段。", "第一段, 改寫「之。"),
    "paragraph": ("manuscript/01.md", "戰事緊急", "戰事緊急〔3〕，城中糧盡"),
    "glossary entry": ("footnotes/glossary.yaml", "  definition: 無人用之。\n",
                       "  definition: 無人用之。\n  see: [nowhere]\n"),
    "source": ("footnotes/sources.yaml", "- id: unused\n", "- id: unused2\n"),
    "new character": ("manuscript/01.md", "戰事緊急", "戰事緊急🐢"),
}
CODES = {"BB401", "BB404", "BB103", "BB201", "BB202", "BB301", "BB302", "BB107"}


def key(d):
    return (d.file, d.line, d.col, d.code, d.message, d.hint, d.severity)


def cold(root):
    shutil.rmtree(root / ".bookbuild", ignore_errors=True)
    return sorted(map(key, check_book(root, need_book=False)[0]))


@pytest.fixture
def checked(monkeypatch):
    """The files the punctuation rule really checked (not answered from the kept results)."""
    files: list[str] = []
    real = punctuation.punctuation_diagnostics

    def recording(file, text, **kw):
        files.append(file)
        return real(file, text, **kw)
    monkeypatch.setattr(punctuation, "punctuation_diagnostics", recording)
    return files


@pytest.mark.parametrize("glyph", ["BB402", "no BB402"])   # the glyph verdict is kept only without one
@pytest.mark.parametrize("edit", list(EDITS))
def test_reused_diagnostics_equal_a_cold_check(tmp_path, checked, edit, glyph):
    files = DIRTY if glyph == "BB402" else {**DIRTY, "manuscript/01.md": DIRTY["manuscript/01.md"].replace("🦜", "")}
    root = make_book(tmp_path / "b", files)
    first = cold(root)
    assert {c[3] for c in first} >= CODES and (glyph == "BB402") == any(c[3] == "BB402" for c in first)
    rel, old, new = EDITS[edit]
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    checked.clear()
    warm = sorted(map(key, check_book(root, need_book=False)[0]))
    assert checked == ([rel] if rel.endswith(".md") else [])     # the other files' results were kept
    assert warm == cold(root)
    assert warm != first


def test_kept_results_are_json_and_do_not_grow(tmp_path):
    root = make_book(tmp_path / "b", DIRTY)
    check_book(root, need_book=False)
    path = root / ".bookbuild/cache/checks.json"
    size = len(json.loads(path.read_text(encoding="utf-8"))["entries"])
    for n in range(3):
        (root / "footnotes/01.md").write_text(NOTES + f"\n[^orphan]: 第{n}次, 仍存。\n", encoding="utf-8")
        check_book(root, need_book=False)
    assert len(json.loads(path.read_text(encoding="utf-8"))["entries"]) == size


def test_a_damaged_or_foreign_results_file_is_not_trusted(tmp_path, checked):
    root = make_book(tmp_path / "b", DIRTY)
    first = cold(root)
    path = root / ".bookbuild/cache/checks.json"
    entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    bad = [["BB401", "x", "y", "one", 1, "", "warning"]]       # a line that is not a number
    wrong = {k: (bad if isinstance(v, list) else 7) for k, v in entries.items()}
    for junk in ("{", json.dumps({"version": 1, "entries": wrong}), json.dumps([1])):
        path.write_text(junk, encoding="utf-8")
        (root / "footnotes/01.md").write_text(NOTES + "\n[^orphan]: 無人引用〔9〕, 仍存。\n", encoding="utf-8")
        warm = sorted(map(key, check_book(root, need_book=False)[0]))
        assert warm == cold(root) and warm != first
        (root / "footnotes/01.md").write_text(DIRTY["footnotes/01.md"], encoding="utf-8")


def test_the_glyph_verdict_is_kept_until_a_character_or_font_input_changes(tmp_path, monkeypatch):
    """No BB402: the fonts are not opened again after an edit that adds no character;
    a new character opens them (and finds it)."""
    from bookbuild.check import glyphs
    resolved: list[str] = []
    real = glyphs.resolve

    def recording(edition, cache_dir=None):
        resolved.append(edition.name)
        return real(edition, cache_dir)
    monkeypatch.setattr(glyphs, "resolve", recording)
    root = make_book(tmp_path / "b", BASE)
    check_book(root, need_book=False)
    assert resolved
    resolved.clear()
    (root / "footnotes/01.md").write_text(NOTES.replace("第一段。", "第一段。第一段。"), encoding="utf-8")
    assert not [d for d in check_book(root, need_book=False)[0] if d.code == "BB402"] and not resolved
    (root / "footnotes/01.md").write_text(NOTES.replace("第一段。", "第一段🦜。"), encoding="utf-8")
    assert [d.code for d in check_book(root, need_book=False)[0] if d.code == "BB402"] and resolved


class _Planted:
    """Unpickling this calls os.system: what a planted cache file would do."""

    def __reduce__(self):
        import os
        return (os.system, ("touch planted-ran",))


def test_a_planted_check_result_runs_no_code(tmp_path, monkeypatch):
    """The whole-book result (cache.py) is read by the restricted unpickler too."""
    import pickle
    root = make_book(tmp_path / "b", DIRTY)
    first = sorted(map(key, check_book(root, need_book=True)[0]))
    kept = sorted((root / ".bookbuild/cache").glob("check-*.pickle"))
    assert [p.name.rsplit(".", 2)[1] for p in kept] == ["book", "diags"]
    monkeypatch.chdir(tmp_path)
    for path in kept:
        path.write_bytes(pickle.dumps(_Planted()))
    diags, book = check_book(root, need_book=True)
    assert sorted(map(key, diags)) == first and book is not None
    assert not (tmp_path / "planted-ran").exists()


@pytest.mark.parametrize("fallback", [None, '["No Such Font 甲"]'])
def test_the_font_verdict_made_while_pandoc_runs_is_run_checks(tmp_path, monkeypatch, fallback):
    """A cold check makes BB402/BB403's verdict from the raw texts while Pandoc parses
    (check_fonts); run_checks then only finds it: the same diagnostics as run_checks on
    the loaded book with nothing kept; with every font there, looked at once, before the
    model (a missing font is never kept: run_checks asks again, for fontconfig's hint)."""
    from bookbuild.check import glyphs, run_checks
    from bookbuild.commands.check import load_prepared
    toml = BASE["book.toml"] + (f"font_fallback = {fallback}\n" if fallback else "")
    root = make_book(tmp_path / "b", {"book.toml": toml})
    walked: list[bool] = []
    real = glyphs._check_glyphs
    monkeypatch.setattr(glyphs, "_check_glyphs", lambda book, *a: walked.append(bool(book.chapters)) or
                        real(book, *a))
    found = [key(d) for d in check_book(root, need_book=False)[0] if d.code in ("BB402", "BB403")]
    assert walked == ([False, True] if fallback else [False])
    shutil.rmtree(root / ".bookbuild")
    book, _ = load_prepared(root)
    assert found == [key(d) for d in run_checks(book) if d.code in ("BB402", "BB403")]
    assert bool(found) == bool(fallback)
