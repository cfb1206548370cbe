"""The floor anchor: the cheapest faithful browser rendering of the stress book.

`make_floor_html(book, out_dir)` writes ONE plain HTML file holding the same
text as the Pandoc anchor (anchor.py: the chapters, every note, citations
as notes through citeproc, the glossary, the bibliography) in the print
edition's type area, and nothing a browser must work at beyond that:

- no section divs, no links, no ids: `<h1>`, `<h2>`, `<p>`, `<blockquote>`;
- a note call is the note's number, upright in one cell (`<b>`, the only
  inline element, `text-combine-upright`), numbered from 1 in each chapter;
- each chapter's notes follow it as plain numbered paragraphs at the note
  size of the print edition (48 cells in the 38-cell column);
- the type area is the print edition's: 10.5 pt, 38 cells × 15 columns at a
  pitch of 1.75 em (docs/PRINT-ENGINE.md), `writing-mode: vertical-rl`,
  `text-align: justify`, every chapter on a new page.

Pandoc (one call, JSON out) does the Markdown and the citations; that is
preparation, as for the Pandoc anchor: only Chromium's print is timed
(`anchor.chromium_command`).
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from anchor import _AGAIN, _csl_path, _glossary_markdown, chapter_files, write_references

# The page in CSS px (96 per inch): Chromium lays out in px, and every length
# below is a whole or half px, so 15 line boxes of 1.75 em fit exactly.
PX_PER_MM = 96 / 25.4
FONT_PT = 10.5
CELLS, COLUMNS, PITCH = 38, 15, 1.75
NOTE_CELLS = 48                      # note_chars_per_column of the print edition
MARGIN_HEAD_MM, MARGIN_GUTTER_MM = 34.0, 25.0


def css() -> str:
    em = FONT_PT * 96 / 72                                  # 14 px
    width, height = 148 * PX_PER_MM, 210 * PX_PER_MM        # A5
    length, across = CELLS * em, COLUMNS * PITCH * em       # 532 px, 367.5 px
    # The type area ends half a gap inside the first and the last line box
    # (the print edition's type area is 15 columns + 14 gaps): move the page
    # box out by that half gap so the glyph columns sit where bookbuild's do.
    half_gap = (PITCH - 1) / 2 * em
    top, right = MARGIN_HEAD_MM * PX_PER_MM, MARGIN_GUTTER_MM * PX_PER_MM - half_gap
    bottom, left = height - top - length, width - right - across - 0.25   # ¼ px slack
    note = FONT_PT * CELLS / NOTE_CELLS
    return f"""
@page {{ size: A5; margin: {top:.3f}px {right:.3f}px {bottom:.3f}px {left:.3f}px; }}
html {{ writing-mode: vertical-rl; font-family: "Noto Serif CJK TC", serif;
       font-size: {FONT_PT}pt; line-height: {PITCH}; text-align: justify; }}
body {{ margin: 0; }}
h1 {{ break-before: page; font-size: 1em; font-weight: bold; margin: 0; }}
h2 {{ font-size: 1em; font-weight: bold; margin: 0; }}
p {{ margin: 0; text-indent: 1em; }}
blockquote {{ margin: 0; margin-inline-start: 2em; }}
.n {{ font-size: {note:.4f}pt; }}
b {{ font-weight: normal; text-combine-upright: all; }}
"""


def _markdown(book: Path) -> str:
    """The chapters, the glossary, the bibliography, then every note definition."""
    parts = [p.read_text(encoding="utf-8") for p in chapter_files(book)]
    parts.append(_glossary_markdown(book))
    parts.append("# 參考書目\n\n::: {#refs}\n:::\n")
    parts += [p.read_text(encoding="utf-8") for p in sorted((book / "footnotes").glob("*.md"))]
    return _AGAIN.sub("見前注", "\n\n".join(parts))


class _Writer:
    """Pandoc JSON AST → the plain HTML above (only what the stress book holds)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.notes: list[list] = []        # the current chapter's notes, in call order

    def blocks(self, blocks: list, *, top: bool = False) -> str:
        return "".join(self.block(b, top=top) for b in blocks)

    def block(self, b: dict, *, top: bool = False) -> str:
        t, c = b["t"], b.get("c")
        if t == "Header":
            level, _attr, inl = c
            flush = self.flush_notes() if top and level == 1 else ""
            return flush + (f"<h1>{self.inlines(inl)}</h1>\n" if level == 1
                            else f"<h2>{self.inlines(inl)}</h2>\n")
        if t in ("Para", "Plain"):
            return f"<p>{self.inlines(c)}</p>\n"
        if t == "LineBlock":
            return "".join(f"<p>{self.inlines(line)}</p>\n" for line in c)
        if t == "BlockQuote":
            return f"<blockquote>{self.blocks(c)}</blockquote>\n"
        if t == "Div":
            return self.blocks(c[1])
        if t == "DefinitionList":
            return "".join(f"<p>{self.inlines(term)}：{self.plain(defs)}</p>\n" for term, defs in c)
        if t in ("BulletList", "OrderedList"):
            items = c if t == "BulletList" else c[1]
            return "".join(self.blocks(item) for item in items)
        return ""                           # HorizontalRule, RawBlock, Table: not in the book

    def plain(self, defs: list) -> str:
        """A definition's blocks as one run of text (the glossary is one paragraph each)."""
        return "".join(self.inlines(b["c"]) for blocks in defs for b in blocks
                       if b["t"] in ("Para", "Plain"))

    def inlines(self, inl: list) -> str:
        return "".join(self.inline(i) for i in inl)

    def inline(self, i: dict) -> str:
        t, c = i["t"], i.get("c")
        if t == "Str":
            return html.escape(c, quote=False)
        if t == "Space":
            return " "
        if t == "SoftBreak":
            return ""                       # east_asian_line_breaks: only Latin-Latin breaks stay
        if t == "LineBreak":
            return "<br>"
        if t in ("Emph", "Strong", "Underline", "SmallCaps", "Strikeout", "Superscript", "Subscript"):
            return self.inlines(c)
        if t in ("Span", "Link"):
            return self.inlines(c[1])
        if t == "Cite":
            return self.inlines(c[1])
        if t == "Quoted":
            return "「" + self.inlines(c[1]) + "」"
        if t in ("Code", "Math"):
            return html.escape(c[1], quote=False)
        if t == "Note":
            self.notes.append(c)
            return f"<b>{len(self.notes)}</b>"
        return ""                           # RawInline, Image: not in the book

    def flush_notes(self) -> str:
        """The finished chapter's notes as numbered paragraphs at the note size."""
        out = []
        for n, blocks in enumerate(self.notes, 1):
            paras = [self.inlines(b["c"]) for b in blocks if b["t"] in ("Para", "Plain")]
            if paras:
                out.append(f'<p class="n">{n}　{paras[0]}</p>\n')
                out += [f'<p class="n">{p}</p>\n' for p in paras[1:]]
        self.notes = []
        return "".join(out)


def floor_html(ast: dict) -> str:
    w = _Writer()
    body = w.blocks(ast["blocks"], top=True) + w.flush_notes()
    return ('<!DOCTYPE html>\n<html lang="zh-Hant-TW"><head><meta charset="utf-8">'
            f"<title>stress book (floor)</title><style>{css()}</style></head>\n<body>\n"
            f"{body}</body></html>\n")


def make_floor_html(book: Path, out_dir: Path) -> Path:
    """Write out_dir/floor.html (one Pandoc call) and return its path."""
    import pypandoc
    out_dir.mkdir(parents=True, exist_ok=True)
    refs = write_references(book, out_dir / "floor-refs.yaml")
    ast = json.loads(pypandoc.convert_text(
        _markdown(book), "json", format="markdown+east_asian_line_breaks",
        extra_args=["--quiet", "--citeproc", f"--bibliography={refs}", f"--csl={_csl_path()}",
                    "--metadata=lang=zh-Hant-TW"]))
    out = out_dir / "floor.html"
    out.write_text(floor_html(ast), encoding="utf-8")
    return out
