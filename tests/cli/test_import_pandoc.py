"""bookbuild import of a Markdown book that uses Pandoc's notes: `[^n]` + definitions anywhere, inline `^[…]`.

The round trip is checked on a generated book whose every chapter text and
note text is known before the import: each chapter's text and each note's
text come out in order, under the id the rules give, and the characters of
the whole input (CJK and digits) are exactly those of the output.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from bookbuild import model as m
from bookbuild.commands.build import run_build
from bookbuild.commands.check import run_check
from bookbuild.imports.pandocnotes import find_marks, split_off_definitions, uses_pandoc_notes
from bookbuild.load import load_book
from helpers.books import REPO
from helpers.cli import import_book

DATA = REPO / "tests" / "data"
HANZI = ("天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽"
         "雲騰致雨露結為霜金生麗水玉出崑岡劍號巨闕珠稱夜光")


def words(seed: int, n: int = 8) -> str:
    """n distinct-looking characters, with the seed's digits in the middle."""
    chars = [HANZI[(seed * 7 + i * 3) % len(HANZI)] for i in range(n)]
    return "".join(chars[: n // 2]) + str(seed) + "".join(chars[n // 2:])


def keep(text: str) -> str:
    """The characters that must survive: CJK characters and digits, in order."""
    return "".join(c for c in text if c.isdigit() or "\u3400" <= c <= "\u9fff")


# ------------------------------------------------------------ the generated book

class Generated:
    """A 5-chapter Pandoc book: 50 `[^n]` notes (10 a chapter) and 20 inline notes (4 a chapter).

    Definitions stand right after their paragraph, at the chapter's end or at
    the end of the book; some have several paragraphs, a list or code; one
    label per chapter is not a valid bookbuild id (`注N`); note 1 is referenced
    again in chapter 3 (→ `.again`). Inline notes hold citations, spans and
    nested brackets."""

    def __init__(self):
        self.chapters: list[str] = []           # expected visible text per chapter (heading first)
        self.notes: dict[str, str] = {}         # expected id -> visible text
        self.cited: dict[str, tuple[str, str]] = {}   # id -> (text before the citation, its locator)
        self.again_in = 3
        parts, book_end = [self._metadata()], []
        for k in range(1, 6):
            parts.append(self._chapter(k, book_end))
        parts += book_end
        self.markdown = "\n\n".join(parts) + "\n"

    @staticmethod
    def _metadata() -> str:
        refs = "".join(f"- id: src{k}\n  type: book\n  title: 書{k}\n  author: [{{literal: 作者{k}}}]\n"
                       for k in range(1, 6))
        return f"---\ntitle: 生成之書\nauthor: 甲乙\nreferences:\n{refs}---"

    def _chapter(self, k: int, book_end: list[str]) -> str:
        title = f"第{k}章 {words(900 + k, 4)}"
        visible, blocks, chapter_end = [title], [f"# {title}"], []
        for p in range(3):
            para_text, para_md, defs_here = [], [], []
            for i in self._labels_in_paragraph(p):
                n = 10 * (k - 1) + i + 1
                label = f"注{n}" if i == 7 else str(n)
                note_id = f"c{k}-n1" if i == 7 else f"c{k}-{n}"
                text = words(n)
                para_text.append(text)
                para_md.append(f"{text}[^{label}]，")
                definition, note_text = self._definition(label, n, i)
                self.notes[note_id] = note_text
                (defs_here, chapter_end, book_end)[i % 3].append(definition)
            inline = self._inline(k, p)
            if inline:
                para_text.append(inline[0])
                para_md.append(inline[1])
            if p == 1:      # a span with attributes in the body
                letter = "abcde"[k - 1]
                para_md.append(f"[旁白{k}]{{.aside #aside-{letter}}}")
                para_text.append(f"旁白{k}")
            if k == self.again_in and p == 0:
                para_md.append("再見[^1]。")
                para_text.append("再見")
            visible.append("".join(para_text))
            blocks.append("".join(para_md))
            blocks += defs_here
        self.chapters.append("".join(visible))
        return "\n\n".join(blocks + chapter_end)

    @staticmethod
    def _labels_in_paragraph(p: int) -> range:
        return range(0, 4) if p == 0 else range(4, 7) if p == 1 else range(7, 10)

    @staticmethod
    def _definition(label: str, n: int, i: int) -> tuple[str, str]:
        first = f"第{n}注{words(n + 100)}"
        if i == 0:   # three paragraphs and a list
            more = [words(n + 200), words(n + 300)]
            md = f"[^{label}]: {first}\n\n    {more[0]}\n\n    - {more[1]}\n    - 又{n}"
            return md, first + more[0] + more[1] + f"又{n}"
        if i == 4:   # a code block, with something that looks like a note inside it
            md = f"[^{label}]: {first}\n\n    ```\n    碼{n} [^99] ^[不是注]\n    ```"
            return md, first + f"碼{n}99不是注"
        if i == 5:   # a lazy second line
            return f"[^{label}]: {first}\n續{n}", first + f"續{n}"
        return f"[^{label}]: {first}", first

    def _inline(self, k: int, p: int) -> tuple[str, str] | None:
        """Chapter k has inline notes in paragraph 0 (two), 1 and 2: four a chapter."""
        made = []
        for j in ((1, 2) if p == 0 else (p + 2,)):
            text = f"行內{k}之{j}{words(500 + 10 * k + j)}"
            if j == 1:
                md, seen = f"{text}，見 [@src{k}, 頁{k}0]", text + f"見頁{k}0"
                self.cited[f"c{k}-i{j}"] = (text + "見", f"頁{k}0")
            elif j == 2:
                md, seen = f"[{text}]{{.name}}有〔括號〕[與[巢狀]]", text + "有括號與巢狀"
            else:
                md, seen = f"*{text}*", text
            self.notes[f"c{k}-i{j}"] = seen
            made.append((f"正{k}{j}", f"正{k}{j}^[{md}]。"))
        return "".join(v for v, _ in made), "".join(md for _, md in made)


# ------------------------------------------------------------ reading the result

def inline_text(inlines) -> str:
    out = []
    for node in inlines:
        if isinstance(node, m.Citation):
            out += [it.prefix + it.locator for it in node.items]
        elif isinstance(node, m.Text | m.Code):
            out.append(node.text)
        elif getattr(node, "children", None):
            out.append(inline_text(node.children))
    return "".join(out)


def blocks_text(blocks) -> str:
    out = []
    for b in blocks:
        if isinstance(b, m.CodeBlock):
            out.append(b.text)
        elif isinstance(b, m.ListBlock):
            out += [blocks_text(item) for item in b.items]
        elif isinstance(b, m.BlockQuote):
            out.append(blocks_text(b.blocks))
        else:
            out += [inline_text(inl) for inl in m.block_inlines(b)]
    return "".join(out)


def book_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".bookbuild" not in p.parts}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pandoc-import")
    gen = Generated()
    src = tmp / "book.md"
    src.write_text(gen.markdown, encoding="utf-8")
    status, out, err = import_book(src, tmp / "book")
    return gen, src, tmp / "book", status, out, err


def test_generated_book_has_the_notes_it_should():
    gen = Generated()
    marks = find_marks(split_off_definitions(gen.markdown)[0])
    assert sum(mk.kind == "ref" for mk in marks) == 51          # 50 notes + one second reference
    assert sum(mk.kind == "inline" for mk in marks) == 20
    assert len(split_off_definitions(gen.markdown)[1]) == 50
    assert len(gen.notes) == 70


def test_import_checks_clean(generated):
    _, _, root, status, out, err = generated
    assert status == 0, out + err
    assert out.strip().endswith("0 errors, 0 warnings"), out
    assert "Pandoc notes" in err
    assert not (root / "manuscript/01.md").read_text(encoding="utf-8").count("^["), "no inline note left"


def test_every_note_moved_with_its_id_and_text(generated):
    gen, _, root, *_ = generated
    book, diags = load_book(root)
    assert book is not None, diags
    assert set(book.notes) == set(gen.notes)
    for note_id, text in gen.notes.items():
        assert keep(blocks_text(book.notes[note_id].blocks)) == keep(text), note_id
        chapter_no = note_id[1:note_id.index("-")]
        assert book.notes[note_id].pos.file == f"footnotes/{int(chapter_no):02d}.md", note_id
    first = book.notes["c1-1"].blocks
    assert any(isinstance(b, m.ListBlock) for b in first) and sum(isinstance(b, m.Para) for b in first) == 2
    assert any(isinstance(b, m.CodeBlock) and "[^99]" in b.text for b in book.notes["c1-5"].blocks)


def test_chapter_text_in_order_and_references_in_place(generated):
    gen, _, root, *_ = generated
    book, _ = load_book(root)
    assert len(book.chapters) == 5
    for k, (ch, expected) in enumerate(zip(book.chapters, gen.chapters, strict=True), 1):
        assert keep(inline_text(ch.title) + blocks_text(ch.blocks)) == keep(expected), k
        refs = [n for n in m.walk_blocks_inlines(ch.blocks) if isinstance(n, m.NoteRef)]
        assert [r.id for r in refs if not r.again] == [i for i in gen.notes if i.startswith(f"c{k}-")]
        assert [r.id for r in refs if r.again] == (["c1-1"] if k == gen.again_in else [])
    ch1 = (root / "manuscript/01.md").read_text(encoding="utf-8")
    notes1 = (root / "footnotes/01.md").read_text(encoding="utf-8")
    assert "[旁白1]{.aside #aside-a}" in ch1, "spans and their attributes kept"
    assert "[^c1-i2]: [行內1之2" in notes1 and "]{.name}有" in notes1
    assert "[@src1, 頁10]" in notes1, "citation kept"


def test_nothing_lost_or_added(generated):
    """Every CJK character and digit of the input is in the output, and nothing else: the
    labels' digits became ids, the metadata went to book.toml and sources.yaml."""
    gen, src, root, *_ = generated
    text = src.read_text(encoding="utf-8")
    meta_end = text.index("---", 4) + 3
    body = re.sub(r"\[\^[^\]\s]+\]:?|@src\d", "", text[meta_end:].replace("[^99]", "99"))   # [^99]: in code
    book, _ = load_book(root)
    out = "".join(inline_text(ch.title) + blocks_text(ch.blocks) for ch in book.chapters)
    out += "".join(blocks_text(n.blocks) for n in book.notes.values())
    assert Counter(keep(out)) == Counter(keep(body))
    assert book.config.title == "生成之書" and tuple(book.config.authors) == ("甲乙",)
    assert len(book.sources) == 5


def test_ids_stable_across_imports(generated, tmp_path):
    _, src, root, *_ = generated
    status, _, _ = import_book(src, tmp_path / "again")
    assert status == 0
    assert book_files(tmp_path / "again") == book_files(root)


def test_epub_edition_builds_with_every_note(generated, tmp_path):
    gen, _, root, *_ = generated
    out = io.StringIO()
    assert run_build(root, editions=["epub"], out_dir=tmp_path, stdout=out, stderr=out) == 0, out.getvalue()
    with zipfile.ZipFile(tmp_path / "epub.epub") as zf:
        html = "".join("".join(etree.fromstring(zf.read(n)).itertext())
                       for n in zf.namelist() if n.endswith(".xhtml"))
    found = keep(html)
    for note_id, text in gen.notes.items():
        # a citation is formatted by the CSL style: its author and title come between
        for part in gen.cited.get(note_id, (text,)):
            assert keep(part) in found, note_id


# ------------------------------------------------------------ the rules, one by one

def import_text(tmp_path: Path, text: str, **kw) -> tuple[int, str, str, Path]:
    tmp_path.mkdir(exist_ok=True)
    src = tmp_path / "in.md"
    src.write_text(text, encoding="utf-8")
    status, out, err = import_book(src, tmp_path / "book", **kw)
    return status, out, err, tmp_path / "book"


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def test_undefined_reference_reported_and_kept_as_text(tmp_path):
    status, out, err, root = import_text(tmp_path, "# 甲\n\n有注[^1]，無注[^9]。\n\n[^1]: 注一。\n")
    assert status == 0 and "0 errors, 0 warnings" in out
    assert "[^9] has no definition; kept as text" in err and "無注" in err
    book, _ = load_book(root)
    assert "無注[^9]。" in inline_text(book.chapters[0].blocks[0].inlines)


def test_duplicate_definitions_reported_and_both_kept(tmp_path):
    text = "# 甲\n\n文[^a]。\n\n[^a]: 先之文。\n\n[^a]: 後之文。\n"
    status, out, err, root = import_text(tmp_path, text)
    assert status == 0 and "0 errors" in out
    assert "in.md:5: [^a] is defined again at line 7" in err
    notes = read(root, "footnotes/01.md")
    assert "[^c1-a]: 後之文。" in notes, "Pandoc shows the last definition"
    assert "[^c1-a-dup1]: 先之文。" in notes and "BB103" in out


def test_definition_inside_a_paragraph_is_text_as_in_pandoc(tmp_path):
    _, out, err, root = import_text(tmp_path, "# 甲\n\n文[^1]\n[^1]: 非定義\n")
    assert "[^1] has no definition" in err
    assert read(root, "manuscript/01.md").count("\\[^1\\]") == 2


def test_notes_cannot_nest(tmp_path):
    text = "# 甲\n\n文[^1]。\n\n[^1]: 注中引[^2]又^[注中注]。\n\n[^2]: 二。\n"
    status, out, err, root = import_text(tmp_path, text)
    assert status == 0
    notes = read(root, "footnotes/01.md")
    assert "\\[^2\\]" in notes and "[注中注]{.aside}" in notes
    assert "a note cannot reference a note" in err and "made an aside" in err
    assert "[^2] is never referenced" in err


def test_code_is_not_scanned(tmp_path):
    text = "# 甲\n\n`a[^1]` 文^[注]。\n\n```\n^[不是] [^1]\n```\n\n<!-- [^1] -->\n"
    status, _, err, root = import_text(tmp_path, text)
    ch = read(root, "manuscript/01.md")
    assert "`a[^1]`" in ch and "^[不是] [^1]" in ch and "<!-- [^1] -->" in ch
    assert "[^c1-i1]" in ch and "has no definition" not in err


def test_escaped_and_unclosed_brackets_are_text(tmp_path):
    _, _, _, root = import_text(tmp_path, "# 甲\n\n文\\^[不是注] 又^[未閉。\n\n次段]。\n", notes="pandoc")
    ch = read(root, "manuscript/01.md")
    assert "\\^[不是注]" in ch and "^[未閉" in ch and not (root / "footnotes/01.md").exists()


def test_detection_and_the_notes_flag(tmp_path):
    assert uses_pandoc_notes("文^[注]。") and uses_pandoc_notes("文[^1]。")
    assert not uses_pandoc_notes("文[1]。\n\n注\n[1] 注文。\n") and not uses_pandoc_notes("`^[x]`")
    legacy = "第一章 甲\n\n文[1]。\n\n注\n[1] 注文。\n"
    _, _, err, root = import_text(tmp_path, legacy)
    assert "Pandoc notes" not in err and "[^c1-1]: 注文。" in read(root, "footnotes/01.md")
    status, _, err, root = import_text(tmp_path / "forced", "# 甲\n\n文^[注]。\n", notes="legacy")
    assert "Pandoc notes" not in err and "^[注]" in read(root, "manuscript/01.md")


def test_folder_of_chapters(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "01-a.md").write_text("# 甲\n\n甲文[^1]與[^x]。\n\n[^1]: 甲之一。\n", encoding="utf-8")
    (src / "02-b.md").write_text("# 乙\n\n乙文[^1]^[乙行內]。\n\n[^1]: 乙之一。\n", encoding="utf-8")
    (src / "99-notes.md").write_text("[^x]: 共用之注。\n\n[^y]: 無人引用。\n", encoding="utf-8")
    (src / "readme.png").write_bytes(b"not a chapter")
    status, out, err = import_book(src, tmp_path / "book")
    assert status == 0 and "0 errors" in out, out + err
    root = tmp_path / "book"
    notes1, notes2 = read(root, "footnotes/01.md"), read(root, "footnotes/02.md")
    assert "[^c1-1]: 甲之一。" in notes1 and "[^c1-x]: 共用之注。" in notes1, "a file's own definition first"
    assert "[^c2-1]: 乙之一。" in notes2 and "[^c2-i1]: 乙行內" in notes2
    assert "[^c2-y]: 無人引用。" in notes2, "a notes-only file joins the last chapter"
    assert '"manuscript/03.md"' not in read(root, "book.toml")


def test_bibliography_file_becomes_sources(tmp_path):
    (tmp_path / "refs.yaml").write_text("references:\n- id: k1\n  type: book\n  title: 一書\n", encoding="utf-8")
    text = "---\ntitle: 書\nbibliography: refs.yaml\nabstract: 摘要\n---\n\n# 甲\n\n文[@k1, 頁3]^[見 @k1]。\n"
    status, out, err, root = import_text(tmp_path, text)
    assert status == 0 and "0 errors" in out, out + err
    assert "id: k1" in read(root, "footnotes/sources.yaml")
    assert "metadata key `abstract` not imported" in err


def test_classical_text_with_inline_notes(tmp_path):
    """詩經·大雅·公劉, with annotations as inline notes and [^n] notes."""
    src = DATA / "shijing-gongliu.md"
    status, out, err = import_book(src, tmp_path / "book")
    assert status == 0 and out.strip().endswith("0 errors, 0 warnings"), out + err
    book, _ = load_book(tmp_path / "book")
    text = src.read_text(encoding="utf-8")
    inline_count = len([mk for mk in find_marks(text) if mk.kind == "inline"])
    assert inline_count >= 10 and sum(i.split("-")[1].startswith("i") for i in book.notes) == inline_count
    assert "迺裹餱糧[^c1-i5]，于橐于囊" in (tmp_path / "book/manuscript/01.md").read_text(encoding="utf-8")
    assert blocks_text(book.notes["c1-i5"].blocks) == "餱糧：乾糧。「糧」，或本作「囊」。"
    assert [type(b).__name__ for b in book.notes["c1-1"].blocks] == ["Para", "Para"]
    assert any(isinstance(n, m.Citation) for n in m.walk_blocks_inlines(book.notes["c1-1"].blocks))
    body = re.sub(r"\[\^[^\]\s]+\]:?", "", text[text.index("---", 4) + 3:])
    out_text = "".join(inline_text(ch.title) + blocks_text(ch.blocks) for ch in book.chapters)
    out_text += "".join(blocks_text(n.blocks) for n in book.notes.values())
    assert Counter(keep(out_text)) == Counter(keep(body))
    assert run_check([tmp_path / "book"], stdout=io.StringIO(), stderr=io.StringIO()) == 0


def test_folder_of_legacy_chapters(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "01.txt").write_text("第一章 甲\n\n甲文[1]。\n\n注\n[1] 甲注。\n", encoding="utf-8")
    (src / "02.txt").write_text("第二章 乙\n\n乙文〔1〕。\n\n注\n〔1〕 乙注。\n", encoding="utf-8")
    status, out, err = import_book(src, tmp_path / "book")
    assert status == 0 and "0 errors, 0 warnings" in out, out + err
    assert "[^c2-1]: 乙注。" in read(tmp_path / "book", "footnotes/02.md")
