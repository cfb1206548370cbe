"""The kept parse of the Markdown (load/reuse.py): a rebuild gives Pandoc only the files
that changed, and the book it loads is the book a cold load gives, whatever changed."""
from __future__ import annotations

import shutil

import pytest

from bookbuild import load as load_pkg
from bookbuild.load import load_book
from helpers.books import CHAPTER, NOTES, make_book


@pytest.fixture
def parsed(monkeypatch):
    """The files each load gave Pandoc (their parts' origins)."""
    calls: list[set[str]] = []
    real = load_pkg.parse_parts

    def recording(parts, origins):
        calls.append({file for file, _ in origins})
        return real(parts, origins)
    monkeypatch.setattr(load_pkg, "parse_parts", recording)
    return calls


def cold(root):
    shutil.rmtree(root / ".bookbuild", ignore_errors=True)
    return load_book(root)


def same_book(a, b) -> bool:
    (x, dx), (y, dy) = a, b
    return (x.chapters, x.notes, x.sources, x.terms, dx) == (y.chapters, y.notes, y.sources, y.terms, dy)


TWO = ('chapters = [\n  "manuscript/01.md",\n]', 'chapters = [\n  "manuscript/01.md",\n  "manuscript/02.md",\n]')


def two_chapters(tmp_path):
    from helpers.books import BOOK_TOML
    return make_book(tmp_path / "b", {"book.toml": BOOK_TOML.replace(*TWO),
                                      "manuscript/02.md": "# 第二章　突圍\n\n城破之日，大雨[^c]。\n",
                                      "footnotes/02.md": "[^c]: 據守軍日記。\n"})


def test_unchanged_book_runs_no_pandoc_and_loads_the_same(tmp_path, parsed):
    root = two_chapters(tmp_path)
    first = load_book(root)
    again = load_book(root)
    kept = sorted((root / ".bookbuild/cache/parsed").glob("*.pickle"))
    assert len(parsed) == 1 and len(kept) == 6         # two chapters, two notes files, the two YAML files
    assert same_book(first, again) and same_book(again, cold(root))


@pytest.mark.parametrize("rel, old, new", [
    ("footnotes/02.md", "據守軍日記。", "據守軍日記，另見校勘記[@japan, 頁9]。"),     # a note
    ("manuscript/02.md", "城破之日，大雨", "城破之日，大雨傾盆，"),                      # a paragraph
    ("manuscript/01.md", "戰事緊急", "戰事緊急^[城中糧盡。]"),                           # an inline note
])
def test_an_edit_parses_only_its_file(tmp_path, parsed, rel, old, new):
    root = two_chapters(tmp_path)
    load_book(root)
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    warm = load_book(root)
    assert parsed[-1] == {rel}
    assert same_book(warm, cold(root))


def test_a_reference_definition_in_another_file_is_never_reused_stale(tmp_path, parsed):
    """Pandoc resolves `[text][r]` against a definition in any file: a book whose parts
    hold one parses every file, every time, and a changed definition reaches the book."""
    root = two_chapters(tmp_path)
    ch2 = root / "manuscript/02.md"
    (root / "manuscript/01.md").write_text(CHAPTER + "\n見[地圖][r]。\n", encoding="utf-8")
    ch2.write_text(ch2.read_text(encoding="utf-8") + "\n[r]: https://example.org/a\n", encoding="utf-8")
    load_book(root)
    ch2.write_text(ch2.read_text(encoding="utf-8").replace("/a", "/b"), encoding="utf-8")
    warm = load_book(root)
    assert parsed[-1] == {"manuscript/01.md", "manuscript/02.md", "footnotes/01.md", "footnotes/02.md"}
    assert "https://example.org/b" in repr(warm[0].chapters[0].blocks)
    assert same_book(warm, cold(root))
    # the definition removed: the chapter that used it parses again, as plain text
    ch2.write_text(ch2.read_text(encoding="utf-8").replace("[r]: https://example.org/b\n", ""), encoding="utf-8")
    warm = load_book(root)
    assert "example.org" not in repr(warm[0].chapters[0].blocks) and same_book(warm, cold(root))


def test_a_changed_code_stamp_or_pandoc_parses_again(tmp_path, parsed, monkeypatch):
    from bookbuild.load import reuse
    root = two_chapters(tmp_path)
    load_book(root)
    monkeypatch.setattr(reuse, "pandoc_identity", lambda: "another pandoc")
    load_book(root)
    assert len(parsed) == 2 and len(parsed[-1]) == 4
    monkeypatch.setattr(reuse, "code_stamp", lambda: "another bookbuild")
    load_book(root)
    assert len(parsed) == 3 and len(parsed[-1]) == 4


def test_pandoc_warnings_are_given_again(tmp_path, parsed):
    """A file Pandoc warned about (BB604) is not kept: the next load warns again."""
    root = two_chapters(tmp_path)
    (root / "manuscript/02.md").write_text("# 第二章\n\n[a]: /x\n[a]: /y\n\n城破[^c]。\n", encoding="utf-8")
    first = load_book(root)
    again = load_book(root)
    assert [d.code for d in first[1]] == [d.code for d in again[1]]
    assert same_book(again, cold(root))


def test_notes_are_kept_with_their_file(tmp_path, parsed):
    root = make_book(tmp_path / "b")
    load_book(root)
    (root / "footnotes/01.md").write_text(NOTES + "\n[^orphan]: 無人引用。\n", encoding="utf-8")
    book, _ = load_book(root)
    assert "orphan" in book.notes and parsed[-1] == {"footnotes/01.md"}


def test_a_damaged_cache_file_is_parsed_again(tmp_path, parsed):
    import pickle
    root = two_chapters(tmp_path)
    first = load_book(root)
    paths = sorted((root / ".bookbuild/cache/parsed").glob("*.pickle"))
    for junk in (b"not a pickle", pickle.dumps({"x": 1}), pickle.dumps([1, 2])):
        for path in paths:
            path.write_bytes(junk)
        assert same_book(load_book(root), first) and len(parsed[-1]) == 4


class _Planted:
    """Unpickling this calls os.system: what a planted cache file would do."""

    def __reduce__(self):
        import os
        return (os.system, ("touch planted-ran",))


def test_a_planted_cache_file_runs_no_code(tmp_path, parsed, monkeypatch):
    """A pickle naming anything but the model's classes is refused before it is called."""
    import pickle
    root = two_chapters(tmp_path)
    first = load_book(root)
    monkeypatch.chdir(tmp_path)
    for path in (root / ".bookbuild/cache/parsed").glob("*.pickle"):
        path.write_bytes(pickle.dumps(_Planted()))
    assert same_book(load_book(root), first) and len(parsed[-1]) == 4
    assert not (tmp_path / "planted-ran").exists()


def test_kept_parses_never_grow(tmp_path, parsed):
    """After an edit the file's old parse is removed: one kept file per Markdown file."""
    root = two_chapters(tmp_path)
    load_book(root)
    for n in range(3):
        (root / "footnotes/02.md").write_text(f"[^c]: 據守軍日記第{n}。\n", encoding="utf-8")
        load_book(root)
    assert len(list((root / ".bookbuild/cache/parsed").glob("*.pickle"))) == 6


@pytest.mark.parametrize("rel, old, new", [
    ("footnotes/sources.yaml", "title: 一号作戦", "title: 一号作戦（改）"),
    ("footnotes/glossary.yaml", "湖南省城市。", "湖南省城市，湘江之濱。"),
])
def test_a_yaml_edit_loads_as_cold(tmp_path, parsed, rel, old, new):
    """The YAML files' entries are kept by their text too: an edit gives a cold load's book."""
    root = make_book(tmp_path / "b")
    load_book(root)
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    warm = load_book(root)
    assert len(parsed) == 1 and same_book(warm, cold(root))
    assert any(new.split(": ")[-1] in repr(v) for v in (*warm[0].sources.values(), *warm[0].terms.values()))
