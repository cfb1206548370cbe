"""Issue 18 item 6: nothing silently lost.

Every construct of Pandoc's Markdown, written in a chapter (and some in a
note), goes through the real loader, check and build.  Each either reaches the
text of every edition — the EPUBs' documents (an image: its alt text) and the
PDF's text layer — or is reported by a diagnostic at its file:line.  A
construct's text is a token no other row holds (two characters of the
千字文, then 記), so finding it proves that this construct arrived."""
from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bookbuild.commands.build import run_build
from bookbuild.commands.check import check_book
from helpers.books import BOOK_TOML, make_book

CHARS = ("天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽"
         "雲騰致雨露結為霜金生麗水玉出崑岡劍巨闕珠稱夜光果珍")
_tokens = (a + b for a in CHARS for b in CHARS)


def tok() -> str:
    return next(_tokens) + "記"


# (construct, Markdown with {t} for its token(s), what must happen: "text" = in every edition,
#  "epub" = in the EPUB editions; a code = that diagnostic on one of the construct's lines).
ROWS: list[tuple[str, str, str]] = [
    ("ATX heading", "## {t}", "text"),
    ("ATX heading level 3", "### {t}", "text"),
    ("setext heading", "{t}\n---------", "text"),
    ("heading attributes", "## {t} {{#sec-x .cls}}", "text"),
    ("paragraph", "{t}。", "text"),
    ("hard line break", "{t}\\\n{t}", "text"),
    ("block quote", "> {t}", "text"),
    ("nested block quote", "> > {t}", "text"),
    ("bullet list", "- {t}\n- {t}", "text"),
    ("ordered list", "1. {t}\n2. {t}", "text"),
    ("fancy list", "a. {t}\nb. {t}", "text"),
    ("roman list", "i. {t}\nii. {t}", "text"),
    ("nested list", "- {t}\n    - {t}", "text"),
    ("task list", "- [ ] {t}\n- [x] {t}", "text"),
    ("example list", "(@) {t}\n(@) {t}", "text"),
    ("definition list", "{t}\n\n:   {t}", "text"),
    ("compact definition list", "{t}\n:   {t}\n    {t}", "text"),
    ("pipe table", "| {t} | {t} |\n|---|---|\n| {t} | {t} |", "text"),
    ("simple table", "  {t}   {t}\n  ----- -----\n  {t}   {t}", "text"),
    ("multiline table", "-------------\n {t}\n-------------\n {t}\n\n-------------", "text"),
    ("grid table", "+-----+-----+\n| {t} | {t} |\n+=====+=====+\n| {t} | {t} |\n+-----+-----+", "text"),
    ("grid table, a list in a cell",
     "+-----------+\n| {t}       |\n+===========+\n| - {t}     |\n| - {t}     |\n+-----------+", "text"),
    ("table caption", "| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: {t}", "text"),
    ("fenced code block", "```\n{t}\n```", "text"),
    ("fenced code block with attributes", "``` {{.python}}\n{t}\n```", "text"),
    ("indented code block", "    {t}", "text"),
    ("line block", "| {t}\n| {t}", "text"),
    ("fenced div", "::: {{.box}}\n{t}\n:::", "text"),
    ("horizontal rule, then text", "* * *\n\n{t}", "text"),
    ("emphasis", "*{t}*", "text"),
    ("strong", "**{t}**", "text"),
    ("strikeout", "~~{t}~~", "text"),
    ("superscript", "x^{t}^", "text"),
    ("subscript", "H~{t}~O", "text"),
    ("small caps", "[{t}]{{.smallcaps}}", "text"),
    ("underline", "[{t}]{{.underline}}", "text"),
    ("mark", "[{t}]{{.mark}}", "text"),
    ("bracketed span", "[{t}]{{.x lang=ja}}", "text"),
    ("inline code", "`{t}`", "text"),
    ("inline code with attributes", "`{t}`{{.py}}", "text"),
    ("smart quotes", '"{t}"', "text"),
    ("inline math", "${t}$", "text"),
    ("display math", "$${t}$$", "text"),
    ("inline link", "[{t}](https://example.org/)", "text"),
    ("reference link", "[{t}][ref]\n\n[ref]: https://example.org/r", "text"),
    ("autolink, then text", "<https://example.org/a> {t}", "text"),
    ("inline note", "正文^[{t}。]續。", "text"),
    ("inline note with emphasis and a citation", "正文^[{t}，*{t}*，見[@chiang, 7月20日]。]續。", "text"),
    ("footnote reference", "正文[^a]{t}。", "text"),
    ("image (alt text)", "![{t}](assets/pic.png) 後文", "epub+BB407"),   # print draws no inline image
    ("figure (caption)", "![{t}](assets/pic.png)", "text"),
    ("escaped characters", "\\*{t}\\*", "text"),
    ("HTML div (Pandoc reads it as a div)", "<div>\n{t}\n</div>", "text"),
    ("raw HTML block", "<table><tr><td>{t}</td></tr></table>", "BB406"),
    ("HTML comment", "<!-- {t} -->", "BB406"),
    ("raw inline HTML", "前<b>{t}</b>後", "BB406"),
    ("raw TeX block", "\\begin{{center}}\n{t}\n\\end{{center}}", "BB406"),
    ("raw TeX inline", "前\\textbf{{{t}}}後", "BB406"),
    ("raw attribute block", "```{{=html}}\n<p>{t}</p>\n```", "BB406"),
    ("YAML metadata block", "---\nsubtitle: {t}\n---", "BB407"),
]

NOTE_ROWS: list[tuple[str, str, str]] = [     # in a note's body (footnotes/01.md)
    ("list in a note", "    - {t}\n    - {t}", "text"),
    ("code block in a note", "    ```\n    {t}\n    ```", "text"),
    ("block quote in a note", "    > {t}", "text"),
    ("table in a note", "    | {t} | {t} |\n    |---|---|\n    | {t} | {t} |", "text"),
    ("definition list in a note", "    {t}\n\n    :   {t}", "text"),
]


def _fill(md: str) -> tuple[str, list[str]]:
    tokens: list[str] = []

    def one() -> str:
        tokens.append(tok())
        return tokens[-1]
    out = md
    while "{t}" in out:
        out = out.replace("{t}", one(), 1)
    return out.replace("{{", "{").replace("}}", "}"), tokens


def _png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    chapter = ["# 第一章　諸式\n"]
    rows = []
    for name, md, want in ROWS:
        text, tokens = _fill(md)
        rows.append((name, "manuscript/01.md", _next_line(chapter), tokens, want))
        chapter.append(text + "\n")
    notes = ["[^a]: 甲注。\n"]
    for name, md, want in NOTE_ROWS:
        text, tokens = _fill(md)
        nid = f"n{len(notes)}"
        chapter.append(f"注在此[^{nid}]。\n")
        rows.append((name, "footnotes/01.md", _next_line(notes) + 2, tokens, want))
        notes.append(f"[^{nid}]: 注文。\n\n{text}\n")
    toml = BOOK_TOML + '\n[editions.epub-h]\nformat = "epub"\nwriting = "horizontal"\n'
    make_book(root, {"book.toml": toml, "manuscript/01.md": "\n".join(chapter),
                     "footnotes/01.md": "\n".join(notes), "assets/pic.png": _png()})
    diags, _ = check_book(root)
    out, err = io.StringIO(), io.StringIO()
    status = run_build(root, out_dir=root / "dist", stdout=out, stderr=err)
    assert status == 0, out.getvalue() + err.getvalue()
    texts = {"epub": _epub_text(root / "dist" / "epub.epub"), "epub-h": _epub_text(root / "dist" / "epub-h.epub"),
             "print": _pdf_text(root / "dist" / "print.pdf")}
    return rows, diags, texts


def _next_line(parts: list[str]) -> int:
    """The line the next part starts on, parts joined by a blank line."""
    return "\n".join(parts).count("\n") + 2


def _epub_text(path: Path) -> str:
    """Every document's text and the alt text of its images, spaces removed."""
    parts = []
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith(".xhtml") and not n.endswith("nav.xhtml"):
                root = etree.fromstring(z.read(n))
                parts.append(root.xpath("string(//*[local-name()='body'])"))
                parts += root.xpath("//*[local-name()='img']/@alt")
    return "".join("".join(parts).split())


def _pdf_text(path: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(raw.split())


ALL = [r[0] for r in ROWS + NOTE_ROWS]


@pytest.mark.parametrize("construct", ALL)
def test_construct_reaches_every_edition_or_is_reported(audit, construct):
    rows, diags, texts = audit
    name, file, line, tokens, want = next(r for r in rows if r[0] == construct)
    md = next(r[1] for r in ROWS + NOTE_ROWS if r[0] == construct)
    lines = range(line, line + md.count("\n") + 1)
    for need in want.split("+"):
        if need in ("text", "epub"):
            for edition, text in texts.items():
                if need == "epub" and not edition.startswith("epub"):
                    continue
                missing = [t for t in tokens if t not in text]
                assert not missing, f"{construct}: {missing} not in {edition}"
        else:
            at = [(d.code, d.line) for d in diags if d.file == file]
            assert any(code == need and ln in lines for code, ln in at), \
                f"{construct}: no {need} at {file}:{line}; got {at}"


def test_the_table_covers_pandocs_constructs():
    """A construct added to Pandoc's manual needs a row here: the block and
    inline kinds of Pandoc's AST that the rows above produce."""
    names = " ".join(ALL)
    for kind in ("heading", "quote", "list", "definition", "table", "code", "line block", "div", "math",
                 "link", "image", "figure", "note", "strikeout", "superscript", "subscript", "small caps",
                 "example", "raw HTML", "raw TeX", "span", "YAML"):
        assert kind in names, kind


def test_the_audited_epubs_pass_epubcheck(audit, tmp_path_factory):
    from helpers.epub import epubcheck_problems
    root = next(p for p in tmp_path_factory.getbasetemp().iterdir() if p.name.startswith("audit"))
    for name in ("epub", "epub-h"):
        assert epubcheck_problems(root / "dist" / f"{name}.epub") == [], name
