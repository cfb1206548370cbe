"""bookbuild import: legacy text and .docx into a clean book, nothing lost."""
from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild import model as m
from bookbuild.imports.encoding import decode
from bookbuild.imports.plaintext import MARKER_RE, NOTE_LINE_RE, NOTES_HEADING_RE
from bookbuild.load import load_book
from helpers.cli import import_book

LEGACY = """衡陽之戰

第一章 圍城

日軍於1944年6月23日進抵衡陽外圍[1],方先覺率第十軍守城〔2〕。(南按:此據唐縱日記)

七月間戰事最烈[3],守軍傷亡過半。第十軍原有1.7萬人,至八月僅餘數千。

第二章 城破

八月七日夜,城北失守〔1〕。翌日方先覺與日方接洽[2]。

注釋
〔1〕 戰史叢書,頁112。
〔2〕 唐縱日記,8月7日。

"""
LEGACY_CH1_NOTES = "\n注\n[1] 戰史叢書,頁112。\n[2] 蔣中正日記,1944年7月20日。\n[3] 總統蔣公大事長編初稿。\n\n"


def legacy_text() -> str:
    head, ch2 = LEGACY.split("第二章")
    return head.rstrip() + "\n" + LEGACY_CH1_NOTES + "第二章" + ch2


def do_import(tmp_path, text: str | bytes, name="old.txt", **kw):
    src = tmp_path / name
    src.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return import_book(src, tmp_path / "book", **kw)


def keep(text: str) -> str:
    """The characters that must survive: CJK characters and digits, in order."""
    return "".join(c for c in text if c.isdigit() or "\u3400" <= c <= "\u9fff")


def book_text(root: Path) -> str:
    """Title, then each chapter's text followed by the notes of its footnote file."""
    book, diags = load_book(root)
    assert book is not None, diags
    parts = [book.config.title]
    for ch in book.chapters:
        parts.append(m.plain_text(ch.title))
        blocks = list(ch.blocks)
        note_file = "footnotes/" + Path(ch.file).name
        blocks += [b for n in book.notes.values() if n.pos.file == note_file for b in n.blocks]
        for b in blocks:
            for inl in m.block_inlines(b):
                parts.append(m.plain_text(inl))
    return "\n".join(parts)


def source_text(text: str) -> str:
    """The input without markers and note-list numbers (they become references)."""
    lines = []
    for line in text.split("\n"):
        if NOTES_HEADING_RE.match(line):
            continue
        mt = NOTE_LINE_RE.match(line)
        lines.append(mt.group(6) if mt else MARKER_RE.sub("", line))
    return "\n".join(lines)


def test_import_legacy_text(tmp_path):
    status, out, err = do_import(tmp_path, legacy_text())
    assert status == 0, out + err
    root = tmp_path / "book"
    ch1 = (root / "manuscript/01.md").read_text(encoding="utf-8")
    assert ch1.startswith("# 第一章 圍城")
    assert "[^c1-1]" in ch1 and "[^c1-2]" in ch1 and "[^c1-3]" in ch1
    assert "[南按：此據唐縱日記]{.aside}" in ch1, "aside recognised and punctuation fixed"
    assert "1.7萬人" in ch1, "decimals untouched by fix"
    notes1 = (root / "footnotes/01.md").read_text(encoding="utf-8")
    assert "[^c1-2]: 蔣中正日記，1944年7月20日。" in notes1
    assert "[^c2-1]" in (root / "footnotes/02.md").read_text(encoding="utf-8")
    assert "衡陽之戰" in (root / "book.toml").read_text(encoding="utf-8")
    assert out.strip().endswith("0 errors, 0 warnings")


def test_nothing_lost(tmp_path):
    text = legacy_text()
    do_import(tmp_path, text)
    assert keep(book_text(tmp_path / "book")) == keep(source_text(text))


def test_markers_without_notes_and_notes_without_markers_are_reported(tmp_path):
    text = "第一章 甲\n\n甲事[1]，乙事[2]。\n\n注\n[1] 有注。\n[3] 無標記之注。\n"
    status, out, err = do_import(tmp_path, text)
    assert "marker [2] has no note text" in err and "note 3 has no marker" in err
    assert "BB107" in out and "BB103" in out
    assert "無標記之注" in (tmp_path / "book/footnotes/01.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("codec,expect", [("cp950", "cp950"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
                                          ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")])
def test_encodings_detected(codec, expect):
    simplified = "第一章 围城\n\n日军进抵衡阳外围，方先觉率第十军守城。这是简体中文的文字。\n"
    text = LEGACY if codec != "gb18030" else simplified
    data = text.encode(codec)
    got, enc = decode(data)
    assert got.lstrip("\ufeff") == text and enc == expect


def test_big5_file_imports(tmp_path):
    status, out, _ = do_import(tmp_path, legacy_text().encode("cp950"))
    assert status == 0
    assert "方先覺" in (tmp_path / "book/manuscript/01.md").read_text(encoding="utf-8")


def test_explicit_encoding(tmp_path):
    status, _, err = do_import(tmp_path, "第一章 甲\n\n內容。\n".encode("utf-16-le"), encoding="utf-16-le")
    assert status == 0, err


def test_docx_import(tmp_path):
    import pypandoc
    md = ("# 第一章 圍城\n\n日軍進抵衡陽外圍[^1]，*方先覺*率第十軍守城[^2]。\n\n"
          "# 第二章 城破\n\n八月八日城破[^3]。\n\n[^1]: 戰史叢書，頁112。\n[^2]: 唐縱日記。\n[^3]: 大事長編。\n")
    docx = tmp_path / "old.docx"
    pypandoc.convert_text(md, "docx", format="markdown", outputfile=str(docx))
    status, out, err = import_book(docx, tmp_path / "book")
    assert status == 0, out + err
    root = tmp_path / "book"
    ch1 = (root / "manuscript/01.md").read_text(encoding="utf-8")
    assert ch1.startswith("# 第一章 圍城") and "*方先覺*" in ch1 and "[^c1-1]" in ch1
    assert "[^c2-3]: 大事長編。" in (root / "footnotes/02.md").read_text(encoding="utf-8")
    # the notes follow their chapter's text in book_text()
    expected = ("old 第一章 圍城 日軍進抵衡陽外圍，方先覺率第十軍守城。戰史叢書，頁112。唐縱日記。"
                "第二章 城破 八月八日城破。大事長編。")
    assert keep(book_text(root)) == keep(expected)


def test_refuses_non_empty_out(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "keep.md").write_text("mine", encoding="utf-8")
    status, _, err = do_import(tmp_path, legacy_text())
    assert status == 2 and "not empty" in err
    assert (tmp_path / "book" / "keep.md").read_text(encoding="utf-8") == "mine"
