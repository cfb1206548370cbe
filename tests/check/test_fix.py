"""`bookbuild fix` (run_fix) on small books in tmp folders, and BB401/BB404."""
from __future__ import annotations

import os
from pathlib import Path

from bookbuild.check.punctuation import check_punctuation, punctuation_diagnostics
from bookbuild.transform.normalize import fix_text
from bookbuild.transform.protected_spans import protected_spans
from helpers.books import BOOK_TOML, CHAPTER, NOTES, make_book
from helpers.cli import fix_book

DIRTY_CHAPTER = """# 第一章: 圍城

\u3000\u3000日軍於1944年6月23日進抵[衡陽]{.term}外圍[^a],[方先覺]{.name}率[第十軍]{.term key=tenth}守城!

他說:"守住衡陽..."見[蔣中正日記]{.title}[@chiang, 7月20日],戰事緊急[^b].

| 部隊 | 主官 |
|---|---|
| 第十軍 | 方先覺 |
"""
DIRTY_NOTES = NOTES.replace("外圍。", "外圍.").replace("第一段。", "第一段,續.")


def dirty_book(tmp_path: Path) -> Path:
    return make_book(tmp_path, {"manuscript/01.md": DIRTY_CHAPTER, "footnotes/01.md": DIRTY_NOTES})


def test_fix_rewrites_and_is_idempotent(tmp_path):
    book = dirty_book(tmp_path)
    code, out, err = fix_book(book)
    assert code == 0, err
    chapter = (book / "manuscript/01.md").read_text(encoding="utf-8")
    assert chapter.startswith("# 第一章： 圍城\n\n日軍於1944年")
    assert "外圍[^a]，[方先覺]{.name}" in chapter and "守城！" in chapter
    assert "他說：「守住衡陽……」見[蔣中正日記]{.title}[@chiang, 7月20日]，戰事緊急[^b]。" in chapter
    assert "| 部隊 | 主官 |\n|---|---|\n| 第十軍 | 方先覺 |\n" in chapter
    notes = (book / "footnotes/01.md").read_text(encoding="utf-8")
    assert notes == NOTES.replace("第一段。", "第一段，續。")
    assert "fixed 2 files" in out
    once = {p: p.read_bytes() for p in (book / "manuscript/01.md", book / "footnotes/01.md")}
    code, out, _ = fix_book(book)
    assert code == 0 and "nothing to fix" in out
    assert {p: p.read_bytes() for p in once} == once


def test_fix_matches_fix_text(tmp_path):
    book = dirty_book(tmp_path)
    fix_book(book)
    expected, _ = fix_text(DIRTY_CHAPTER, protected_spans(DIRTY_CHAPTER))
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == expected


def test_untouched_files_keep_mtime(tmp_path):
    book = make_book(tmp_path, {"manuscript/01.md": DIRTY_CHAPTER})   # notes are clean
    notes = book / "footnotes/01.md"
    os.utime(notes, (1_000_000_000, 1_000_000_000))
    code, _, _ = fix_book(book)
    assert code == 0
    assert notes.stat().st_mtime == 1_000_000_000
    assert notes.read_text(encoding="utf-8") == NOTES


def test_backups_are_kept_and_never_overwritten(tmp_path):
    book = dirty_book(tmp_path)
    fix_book(book)
    backups = sorted((book / ".bookbuild/backup").rglob("01.md"))
    assert {p.read_text(encoding="utf-8") for p in backups} == {DIRTY_CHAPTER, DIRTY_NOTES}
    # a second run that changes something again gets its own folder
    (book / "manuscript/01.md").write_text(DIRTY_CHAPTER, encoding="utf-8")
    fix_book(book)
    runs = [p for p in (book / ".bookbuild/backup").iterdir() if p.is_dir()]
    assert len(runs) == 2
    assert all((r / "manuscript/01.md").read_text(encoding="utf-8") == DIRTY_CHAPTER for r in runs)


def test_check_mode_writes_nothing_and_exits_1(tmp_path):
    book = dirty_book(tmp_path)
    before = (book / "manuscript/01.md").read_bytes()
    code, out, _ = fix_book(book, check=True)
    assert code == 1
    assert (book / "manuscript/01.md").read_bytes() == before
    assert not (book / ".bookbuild").exists()
    assert "BB401" in out and "would be fixed" in out
    fix_book(book)
    code, out, _ = fix_book(book, check=True)
    assert code == 0 and "nothing to fix" in out


def test_check_positions_equal_bb401(tmp_path):
    book = dirty_book(tmp_path)
    _, out, _ = fix_book(book, check=True)
    listed = {line.split(": warning")[0].rsplit("01.md:", 1)[1]
              for line in out.splitlines() if "manuscript/01.md" in line and "BB401" in line}
    diags = punctuation_diagnostics("manuscript/01.md", DIRTY_CHAPTER)
    assert listed == {f"{d.line}:{d.col}" for d in diags if d.code == "BB401"}
    assert "3:35" in listed   # the "," after [^a] on line 3 (code points)


def test_diff(tmp_path):
    book = dirty_book(tmp_path)
    code, out, _ = fix_book(book, check=True, diff=True)
    assert code == 1
    assert "--- a/manuscript/01.md" in out and "+++ b/manuscript/01.md" in out
    assert "-# 第一章: 圍城" in out and "+# 第一章： 圍城" in out
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == DIRTY_CHAPTER


def test_crlf_and_bom_survive(tmp_path):
    data = b"\xef\xbb\xbf" + "# 標題\r\n\r\n他說,走吧!\r\n".encode()
    book = make_book(tmp_path, {"manuscript/01.md": data})
    assert fix_book(book)[0] == 0
    assert (book / "manuscript/01.md").read_bytes() == b"\xef\xbb\xbf" + "# 標題\r\n\r\n他說，走吧！\r\n".encode()


def test_file_mode_kept(tmp_path):
    book = dirty_book(tmp_path)
    chapter = book / "manuscript/01.md"
    chapter.chmod(0o644)
    fix_book(book)
    assert chapter.stat().st_mode & 0o777 == 0o644


def test_non_utf8_is_skipped_with_bb503(tmp_path):
    book = make_book(tmp_path, {"manuscript/01.md": "他說,走吧!\n".encode("big5"),
                                "footnotes/01.md": DIRTY_NOTES})
    code, out, err = fix_book(book)
    assert code == 1
    assert "BB503" in err and "Traceback" not in err + out
    assert (book / "manuscript/01.md").read_bytes() == "他說,走吧!\n".encode("big5")
    assert "第一段，續。" in (book / "footnotes/01.md").read_text(encoding="utf-8")


def test_no_book_toml_exits_2(tmp_path):
    code, _, err = fix_book(tmp_path)
    assert code == 2 and "book.toml" in err


def test_broken_book_toml_is_bb502(tmp_path):
    book = make_book(tmp_path, {"book.toml": "[book\ntitle = 1\n"})
    code, _, err = fix_book(book)
    assert code == 1 and "BB502" in err


def test_book_toml_in_manuscript_and_range_key(tmp_path):
    toml = BOOK_TOML.replace('chapters = [', 'range = "至"\ninterpunct = "‧"\nchapters = [')
    book = make_book(tmp_path, {"book.toml": None, "manuscript/book.toml": toml,
                                "manuscript/01.md": "# 甲\n\n1944-1945年,喬治.華盛頓.\n"})
    assert fix_book(book)[0] == 0
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == "# 甲\n\n1944至1945年，喬治‧華盛頓。\n"


def test_clean_book_is_untouched(tmp_path):
    book = make_book(tmp_path)
    code, out, _ = fix_book(book, check=True)
    assert code == 0 and "nothing to fix" in out
    assert fix_book(book)[0] == 0
    assert (book / "manuscript/01.md").read_text(encoding="utf-8") == CHAPTER
    assert not (book / ".bookbuild/backup").exists()


# ------------------------------------------------------------- check side

def test_bb404_points_at_the_unmatched_quote():
    text = "# 甲\n\n他說「走吧。\n\n她說：「好。」\n"
    diags = [d for d in punctuation_diagnostics("manuscript/01.md", text) if d.code == "BB404"]
    assert [(d.line, d.col, d.severity) for d in diags] == [(3, 3, "error")]


def test_bb401_message_and_hint():
    [d] = punctuation_diagnostics("manuscript/01.md", "他說,好")
    assert (d.code, d.severity, d.line, d.col) == ("BB401", "warning", 1, 3)
    assert "','" in d.message and "'，'" in d.message and d.hint == "run bookbuild fix"


def test_check_punctuation_on_loaded_book(tmp_path):
    from bookbuild.load import load_book
    book_dir = dirty_book(tmp_path)
    book, _ = load_book(book_dir)
    assert book is not None
    diags = check_punctuation(book)
    files = {d.file for d in diags}
    assert files == {"manuscript/01.md", "footnotes/01.md"}
    _, out, _ = fix_book(book_dir, check=True)
    assert out.count("BB401") == sum(1 for d in diags if d.code == "BB401")
