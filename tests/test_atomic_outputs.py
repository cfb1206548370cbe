"""Atomic outputs (issue 10 item 3): temporary files beside the target,
renamed into place; leftovers of killed runs removed; `fix` and `import`
never leave a half-written or half-made file of the author's."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bookbuild import atomic
from bookbuild.cli import main
from bookbuild.commands.importer import run_import
from helpers.books import CHAPTER, NOTES, make_book
from helpers.cli import fix_book

DIRTY = "# 第一章: 圍城\n\n日軍進抵衡陽外圍[^a],守城!\n\n戰事緊急[^b].\n"


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def temp_files(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob(".*") if p.name.endswith((".part", ".tmp"))]


# ------------------------------------------------------------ atomic.py

def test_atomic_path_renames_and_cleans_up(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(f".out.pdf.{os.getpid()}.")
        tmp.write_bytes(b"half")
        raise RuntimeError("fault")
    assert target.read_bytes() == b"old" and temp_files(tmp_path) == []
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and temp_files(tmp_path) == []


def test_staged_outputs_replace_together_or_not_at_all(tmp_path):
    a, b = tmp_path / "x.pdf", tmp_path / "x.log.json"
    a.write_text("old a")
    b.write_text("old b")
    with pytest.raises(KeyboardInterrupt), atomic.Staged() as staged:
        staged.path(a).write_text("new a")
        staged.path(b).write_text("new b")
        raise KeyboardInterrupt
    assert (a.read_text(), b.read_text()) == ("old a", "old b") and temp_files(tmp_path) == []
    with atomic.Staged() as staged:
        staged.path(a).write_text("new a")
        staged.path(b).write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b") and temp_files(tmp_path) == []


def test_remove_stale_takes_only_ours_from_dead_processes(tmp_path):
    dead, alive = dead_pid(), os.getppid()
    mine = [tmp_path / f".print.pdf.{dead}.abc123.part", tmp_path / f".epub.epub.{dead}.q.part"]
    stage = tmp_path / f".bookbuild-stage.{dead}.zz.part"
    stage.mkdir()
    (stage / "epub.epub").write_bytes(b"x")
    keep = [tmp_path / f".print.pdf.{alive}.abc.part",      # a build still running
            tmp_path / ".print.pdf.part", tmp_path / "notes.part",      # not our pattern
            tmp_path / f".other.pdf.{dead}.abc.part",        # not an output of this book
            tmp_path / "print.pdf"]
    for p in mine + keep:
        p.write_bytes(b"x")
    removed = atomic.remove_stale(tmp_path, ["print.pdf", "epub.epub", "bookbuild-stage"])
    assert sorted(removed) == sorted(mine + [stage])
    assert all(p.exists() for p in keep) and not stage.exists()


def test_run_tempdir_is_private_and_removed(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    old = tmp_path / f"{atomic.RUN_PREFIX}{dead_pid()}-abc"      # a killed run's folder
    (old / "weasyprint-x").mkdir(parents=True)
    with atomic.run_tempdir() as folder:
        assert not old.exists()
        assert Path(tempfile.mkdtemp()).parent == folder and os.environ["TMPDIR"] == str(folder)
    assert list(tmp_path.iterdir()) == [] and os.environ["TMPDIR"] == str(tmp_path)


# ------------------------------------------------------------ build

def test_output_path_taken_by_a_folder_is_bb601_and_nothing_half_done(tmp_path, capsys):
    book = make_book(tmp_path / "book")
    (book / "dist" / "print.pdf").mkdir(parents=True)
    assert main(["build", str(book), "--edition", "print"]) == 1
    out = capsys.readouterr().out
    assert "BB601" in out and "print.pdf" in out and "bookbuild-stage" not in out
    assert (book / "dist" / "print.pdf").is_dir()
    assert sorted(p.name for p in (book / "dist").iterdir()) == ["print.layout.json", "print.log.json",
                                                                  "print.pdf"]
    assert temp_files(book) == []


def test_full_disk_while_saving_the_pdf_keeps_the_previous_one(tmp_path, capsys, monkeypatch):
    import hashlib

    from bookbuild.render import pdf as pipeline
    book = make_book(tmp_path / "book")
    assert main(["build", str(book), "--edition", "print"]) == 0
    dist = book / "dist"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dist.iterdir()}
    (book / "manuscript/01.md").write_text(CHAPTER + "\n新的一段。\n", encoding="utf-8")
    capsys.readouterr()

    def full(pdf, target):
        Path(target).write_bytes(b"%PDF-1.7 half")
        raise OSError(28, "No space left on device", str(target))
    monkeypatch.setattr(pipeline, "save", full)
    assert main(["build", str(book), "--edition", "print"]) == 1
    out = capsys.readouterr().out
    assert "BB601" in out and f"cannot write {dist / 'print.pdf'}: No space left" in out, out
    assert ".part" not in out and "bookbuild-stage" not in out
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dist.iterdir()} == before
    assert temp_files(book) == []


# ------------------------------------------------------------ fix

def test_fix_renames_a_new_file_into_place_and_keeps_a_backup(tmp_path):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY})
    chapter = book / "manuscript/01.md"
    inode = chapter.stat().st_ino
    code, out, err = fix_book(book)
    assert code == 0, err
    assert chapter.stat().st_ino != inode          # a new file renamed over the old one
    assert "，守城！" in chapter.read_text(encoding="utf-8")
    backups = list((book / ".bookbuild/backup").rglob("01.md"))
    assert [p.read_text(encoding="utf-8") for p in backups if "manuscript" in p.parts] == [DIRTY]
    assert temp_files(book) == []


def test_fix_no_backup_flag(tmp_path, capsys):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY})
    assert main(["fix", str(book), "--no-backup"]) == 0
    assert "，守城！" in (book / "manuscript/01.md").read_text(encoding="utf-8")
    assert not (book / ".bookbuild/backup").exists()
    assert "(backup in" not in capsys.readouterr().out
    assert temp_files(book) == []


def test_fix_with_unwritable_backup_folder_is_bb601_and_touches_nothing(tmp_path):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY})
    (book / ".bookbuild").mkdir()
    (book / ".bookbuild/backup").write_text("a file where the folder should be")
    code, out, err = fix_book(book)
    assert code == 1 and "BB601" in err and "backup" in err
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == DIRTY
    assert temp_files(book) == []
    # --no-backup needs no backup folder
    code, out, err = fix_book(book, no_backup=True)
    assert code == 0, err
    assert "，守城！" in (book / "manuscript/01.md").read_text(encoding="utf-8")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_fix_with_read_only_backup_folder(tmp_path):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY})
    (book / ".bookbuild/backup").mkdir(parents=True)
    (book / ".bookbuild/backup").chmod(0o555)
    try:
        code, out, err = fix_book(book)
    finally:
        (book / ".bookbuild/backup").chmod(0o755)
    assert code == 1 and "BB601" in err
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == DIRTY


def test_fix_write_failure_leaves_the_file_and_no_temp(tmp_path, monkeypatch):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY, "footnotes/01.md": NOTES.replace("。", ".")})

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    code, out, err = fix_book(book)
    assert code == 1 and "BB601" in err and "No space left" in err
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == DIRTY
    assert temp_files(book) == []


# ------------------------------------------------------------ import

LEGACY = "第一章 圍城\n\n日軍進抵衡陽外圍[1]。\n\n注釋\n\n[1] 戰史叢書，頁112。\n"


def legacy(tmp_path: Path) -> Path:
    src = tmp_path / "old.txt"
    src.write_text(LEGACY, encoding="utf-8")
    return src


def test_import_into_an_empty_folder(tmp_path):
    out = tmp_path / "book"
    out.mkdir()
    code = run_import(legacy(tmp_path), out, stdout=io.StringIO(), stderr=io.StringIO())
    assert code == 0
    assert (out / "book.toml").is_file() and (out / "manuscript/01.md").is_file()
    assert not (out / ".bookbuild/backup").exists()      # nothing of the author's was rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "old.txt"]


def test_failing_import_leaves_no_folder(tmp_path, monkeypatch):
    import bookbuild.imports as imports
    written = []

    def failing(path, text):
        if written:
            raise OSError(28, "No space left on device")
        written.append(path)
        atomic.write_text(path, text)
    monkeypatch.setattr(imports, "write_text", failing)
    err = io.StringIO()
    code = run_import(legacy(tmp_path), tmp_path / "book", stdout=io.StringIO(), stderr=err)
    assert code == 1 and "No space left" in err.getvalue() and "Traceback" not in err.getvalue()
    assert written                                       # a first file was written, then it failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_interrupted_import_leaves_no_folder(tmp_path, monkeypatch, capsys):

    def interrupted(*a, **k):           # Ctrl-C after the files were written, during fix
        raise KeyboardInterrupt
    monkeypatch.setattr("bookbuild.commands.importer.run_fix", interrupted)
    assert main(["import", str(legacy(tmp_path)), "--out", str(tmp_path / "book")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]
