"""The proof sheet: one self-contained HTML file, one printed page per chapter.

Each section shows the chapter's pages as thumbnails in reading order
(right to left), each warning outlined on its column and numbered, and
under them the list of warnings with the source file:line:col to fix.
"""
from __future__ import annotations

import base64
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

from . import raster
from .collect import Mark, Section

THUMB = 144          # CSS px of a thumbnail's width (rendered at 2× for sharpness)
COLOURS = {"BB701": "#e8590c", "BB702": "#9c36b5", "BB703": "#e03131", "ragged": "#1c7ed6"}
LABELS = {"BB701": "loose column", "BB702": "kinsoku exception", "BB703": ".notdef glyph",
          "ragged": "ragged column"}

CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font: 13px/1.45 system-ui, "Noto Sans CJK TC", sans-serif; color: #222; margin: 16px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 8px; }
h2 small, .muted { color: #777; font-weight: normal; font-size: 13px; }
section.chapter { break-before: page; padding-top: 14px; border-top: 2px solid #ccc; margin-top: 18px; }
/* reading order of a vertical book: right to left, each row starting at the right */
.thumbs { display: flex; flex-flow: row-reverse wrap; gap: 10px 6px; width: fit-content; max-width: 100%; }
figure { margin: 0; }
.pg { display: block; position: relative; box-shadow: 0 0 0 1px #bbb; background: #fff; }
.pg img, .pg svg { display: block; width: 100%; }
.pg svg { position: absolute; inset: 0; height: 100%; }
figcaption { text-align: center; font-size: 11px; color: #555; }
figcaption b { color: #c00; }
table { border-collapse: collapse; margin-top: 10px; }
td, th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
.code { font-weight: 600; white-space: nowrap; }
.key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
.ok { color: #2b8a3e; }
"""


def render(book_title: str, edition: str, pdf: Path, secs: list[Section], loose: list[Mark],
           frame, root: Path) -> str:
    """`frame`: render.pdf.layout.frame.Frame of the edition (places the type area on the page)."""
    sizes = raster.page_sizes(pdf)
    total = sum(len(s.marks) for s in secs) + len(loose)
    counts = {c: sum(m.code == c for s in secs for m in s.marks) + sum(m.code == c for m in loose)
              for c in COLOURS}
    legend = "".join(f'<span class=key style="background:{COLOURS[c]}"></span>{LABELS[c]} {counts[c]}'
                     for c in COLOURS)
    toc = "".join(f'<li><a href="#s{i}">{escape(s.title)}</a> <span class=muted>'
                  f'{_range(s)} · {_count(len(s.marks))}</span></li>' for i, s in enumerate(secs))
    head = (f'<h1>校樣 proof sheet · {escape(book_title)} · {escape(edition)}</h1>'
            f'<div class=muted>{len(sizes)} pages · {_count(total)} · '
            f'{time.strftime("%Y-%m-%d %H:%M")} · {escape(pdf.name)}</div>'
            f'<p>{legend}</p><ol>{toc}</ol>')
    if loose:
        head += "<h2>Warnings not placed on a page</h2>" + _table(loose, root)
    body = "".join(_section(i, s, pdf, sizes, frame, root) for i, s in enumerate(secs))
    return (f'<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"/>'
            f'<title>proof · {escape(book_title)} · {escape(edition)}</title><style>{CSS}</style></head>'
            f'<body>{head}{body}</body></html>')


def _section(i: int, s: Section, pdf: Path, sizes, frame, root: Path) -> str:
    thumbs = "".join(_thumb(p, [m for m in s.marks if m.page == p["number"]], pdf, sizes, frame)
                     for p in s.pages)
    table = _table(s.marks, root) if s.marks else "<p class=ok>No typographic warnings.</p>"
    return (f'<section class=chapter id=s{i}><h2>{escape(s.title)} <small>{_range(s)} · '
            f'{_count(len(s.marks))}</small></h2><div class=thumbs>{thumbs}</div>{table}</section>')


def _thumb(page: dict, marks: list[Mark], pdf: Path, sizes, frame) -> str:
    n = page["number"]
    w, h = sizes[n - 1]
    png = raster.render_png(pdf, n - 1, THUMB * 2, grey=True)
    img = f'<img alt="page {n}" src="data:image/png;base64,{base64.b64encode(png).decode()}"/>'
    svg = _overlay(page, marks, w, h, frame) if marks else ""
    folio = page.get("folio") or ""
    label = f"{n}" + (f" ({escape(folio)})" if folio and folio != str(n) else "")
    flag = f" <b>▲{len(marks)}</b>" if marks else ""
    return (f'<figure id=p{n} style="width:{THUMB}px"><a class=pg href="{pdf.resolve().as_uri()}#page={n}" '
            f'style="aspect-ratio:{w:.1f}/{h:.1f}">{img}{svg}</a><figcaption>{label}{flag}</figcaption></figure>')


def _overlay(page: dict, marks: list[Mark], w: float, h: float, frame) -> str:
    """Outline each warning's column on the page (P frame, pt) with its number."""
    ta = frame.ta_p(page["number"] % 2 == 1)
    s = frame.s
    shapes = []
    for i, m in enumerate(marks):
        colour = COLOURS.get(m.code, "#e03131")
        cx = ta["right"] - m.x_em * s
        half = max(m.size * s, s) * 0.75
        # numbers of neighbouring columns alternate above and below the type area
        y = ta["top"] - 10 if i % 2 == 0 else ta["bottom"] + 30
        shapes.append(f'<rect x="{cx - half:.1f}" y="{ta["top"] - 4:.1f}" width="{2 * half:.1f}" '
                      f'height="{ta["bottom"] - ta["top"] + 8:.1f}" fill="{colour}" fill-opacity="0.18" '
                      f'stroke="{colour}" stroke-width="2.5"/>'
                      f'<text x="{cx:.1f}" y="{y:.1f}" fill="{colour}" font-size="26" '
                      f'font-weight="bold" text-anchor="middle">{m.n}</text>')
    return f'<svg viewBox="0 0 {w:.1f} {h:.1f}" preserveAspectRatio="none">{"".join(shapes)}</svg>'


def _table(marks: list[Mark], root: Path) -> str:
    rows = []
    for m in marks:
        where = f"{m.file}:{m.line}:{m.col}" if m.file else "(generated text)"
        link = (f'<a href="vscode://file{quote(str((root / m.file).resolve()))}:{m.line}:{m.col}">'
                f'{escape(where)}</a>') if m.file else escape(where)
        page = f'<a href="#p{m.page}">p. {m.page}</a>' if m.page else "—"
        rows.append(f'<tr><td>{m.n}</td><td class=code style="color:{COLOURS.get(m.code, "#000")}">'
                    f'{escape(m.code)}</td><td>{page}</td><td>{link}</td><td>{escape(m.message)}</td>'
                    f'<td class=muted>{escape(m.excerpt)}…</td></tr>')
    return ("<table><tr><th>#</th><th>code</th><th>page</th><th>source</th><th>warning</th>"
            "<th>column starts</th></tr>" + "".join(rows) + "</table>")


def _range(s: Section) -> str:
    a, b = s.pages[0]["number"], s.pages[-1]["number"]
    return f"p. {a}" if a == b else f"pp. {a}–{b}"


def _count(n: int) -> str:
    return f"{n} warning{'s' if n != 1 else ''}"
