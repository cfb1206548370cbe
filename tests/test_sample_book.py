"""The project's own sample book: clean, rich enough, and broken on purpose."""
from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild import model as m
from bookbuild.commands.check import load_prepared
from helpers.books import REPO, copy_sample
from helpers.cli import check_json


@pytest.fixture(scope="module")
def sample():
    book, diags = load_prepared(REPO)
    assert book is not None, diags
    return book


def test_sample_is_clean():
    assert check_json(REPO) == (0, [])


def test_sample_is_rich_enough(sample):
    cjk = sum(1 for ch in sample.chapters for n in m.walk_blocks_inlines(ch.blocks)
              if isinstance(n, m.Text) for c in n.text if "\u4e00" <= c <= "\u9fff")
    authored = [n for n in sample.notes.values() if not n.generated]
    assert cjk >= 15000
    assert len(authored) >= 60
    assert len(sample.sources) >= 15 and len(sample.terms) >= 30
    assert sum(1 for c in sample.chapters if c.kind == "body") >= 3
    kinds = {n.kind for ch in sample.chapters for n in m.walk_blocks_inlines(ch.blocks) if isinstance(n, m.Span)}
    assert {"term", "aside", "name", "title"} <= kinds
    refs = [n for ch in sample.chapters for n in m.walk_blocks_inlines(ch.blocks) if isinstance(n, m.NoteRef)]
    assert any(r.again for r in refs)
    assert any(n.generated for n in sample.notes.values()), "body citations"
    assert any(isinstance(x, m.Citation) for n in authored for x in m.walk_blocks_inlines(n.blocks))
    assert any(isinstance(b, m.BlockQuote) for ch in sample.chapters for b in ch.blocks)
    # issue 15: an SVG map, a raster chart, a numbered table, cross-references to each
    figures = [b for ch in sample.chapters for b in ch.blocks if isinstance(b, m.Figure)]
    assert sorted(f.src.rsplit(".", 1)[1] for f in figures) == ["png", "svg"]
    assert all(f.id and f.image.alt for f in figures), "each with an id and its own alt text"
    tables = [b for ch in sample.chapters for b in ch.blocks if isinstance(b, m.Table) and b.caption]
    assert [t.id for t in tables] == ["tbl-tenth-army"]
    xrefs = {n.target for ch in sample.chapters for n in m.walk_blocks_inlines(ch.blocks) if isinstance(n, m.XRef)}
    assert xrefs == {f.id for f in figures} | {"tbl-tenth-army"}


def _note_file_with(root: Path, note_id: str) -> tuple[Path, int]:
    for p in sorted((root / "footnotes").glob("*.md")):
        lines = p.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines, 1):
            if line.startswith(f"[^{note_id}]:"):
                return p, i
    raise AssertionError(note_id)


def _first_ref(sample) -> m.NoteRef:
    return next(n for ch in sample.chapters for n in m.walk_blocks_inlines(ch.blocks)
                if isinstance(n, m.NoteRef) and not n.again and not n.id.startswith("bbcite-"))


def test_deleting_a_note_definition(tmp_path, sample):
    root = copy_sample(tmp_path / "sample")
    ref = _first_ref(sample)
    path, line = _note_file_with(root, ref.id)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = ""
    j = line
    while j < len(lines) and lines[j].startswith(("    ", "\t")):
        lines[j] = ""
        j += 1
    path.write_text("\n".join(lines), encoding="utf-8")
    status, diags = check_json(root)
    assert status == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diags if d["severity"] == "error"] == \
        [("BB101", ref.pos.file, ref.pos.line, ref.pos.col)]


def test_duplicating_a_note_definition(tmp_path, sample):
    root = copy_sample(tmp_path / "sample")
    ref = _first_ref(sample)
    path, line = _note_file_with(root, ref.id)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\n[^{ref.id}]: 重複的定義。\n", encoding="utf-8")
    dup_line = text.rstrip("\n").count("\n") + 3
    rel = path.relative_to(root).as_posix()
    status, diags = check_json(root)
    assert status == 1
    (d,) = diags
    assert (d["code"], d["file"], d["line"], d["column"]) == ("BB102", rel, dup_line, 1)
    assert f"{rel}:{line}" in d["message"]


def test_citing_a_missing_source(tmp_path, sample):
    root = copy_sample(tmp_path / "sample")
    ch = root / sample.chapters[1].file
    text = ch.read_text(encoding="utf-8")
    ch.write_text(text + "\n又見此書[@no-such-source, 頁3]。\n", encoding="utf-8")
    line = text.count("\n") + 2
    status, diags = check_json(root)
    assert status == 1
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("BB201", line, 5)]


def test_chapter_saved_as_big5(tmp_path, sample):
    root = copy_sample(tmp_path / "sample")
    ch = root / sample.chapters[1].file
    text = ch.read_text(encoding="utf-8")
    ch.write_bytes(text.encode("cp950", errors="replace"))
    status, diags = check_json(root)
    assert status == 1
    (d,) = diags
    first_non_ascii = next(i for i, c in enumerate(text) if ord(c) > 127)
    line = text.count("\n", 0, first_non_ascii) + 1
    col = first_non_ascii - (text.rfind("\n", 0, first_non_ascii) + 1) + 1
    assert (d["code"], d["file"], d["line"], d["column"]) == ("BB503", sample.chapters[1].file, line, col)
    assert "Big5" in d["message"]
