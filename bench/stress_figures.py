"""Figures for the stress book (`make_stress_book.py --figures N`, issue 15).

N figures spread evenly over the body chapters, each after a paragraph: every
third an SVG (a schematic with real text), the others PNG at 300 dpi in five
shapes — portrait, landscape, wide (a turned plate), square, small — each a
file of its own, so that embedding costs what N distinct images cost.  Every
figure has a caption, an id and alt text; the chapter refers to it with a
cross-reference.  Deterministic: the same N gives the same bytes.
"""
from __future__ import annotations

import io

SHAPES = [(900, 1200), (1200, 800), (2400, 900), (1000, 1000), (450, 300)]   # px at 300 dpi


def _png(w: int, h: int, k: int) -> bytes:
    from PIL import Image, ImageDraw  # deferred: Pillow only when figures are asked for

    im = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(im)
    for i in range(0, w, max(8, w // 24)):
        draw.line([(i, h), (min(w, i + (k % 7 + 1) * 20), 0)], fill=(k * 37) % 200, width=3)
    draw.rectangle([w // 10, h // 10, w - w // 10, h - h // 10], outline=0, width=6)
    buf = io.BytesIO()
    im.save(buf, "PNG", dpi=(300, 300), optimize=False)
    return buf.getvalue()


def _svg(k: int) -> str:
    w, h = (400, 300) if k % 2 else (300, 420)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
            f'<rect x="4" y="4" width="{w - 8}" height="{h - 8}" fill="none" stroke="#333" stroke-width="3"/>'
            f'<path d="M20 {h - 40} L{w // 2} 40 L{w - 20} {h - 60}" fill="none" stroke="#555" stroke-width="4"/>'
            f'<text x="{w // 2}" y="{h // 2}" font-size="28" text-anchor="middle">示意圖{k + 1}</text></svg>')


def figure_files(n: int) -> dict[str, bytes | str]:
    """images/… → bytes (PNG) or text (SVG)."""
    out: dict[str, bytes | str] = {}
    for k in range(n):
        if k % 3 == 2:
            out[f"images/fig-{k + 1:03d}.svg"] = _svg(k)
        else:
            w, h = SHAPES[k % len(SHAPES)]
            out[f"images/fig-{k + 1:03d}.png"] = _png(w, h, k)
    return out


def add_figures(chapters: dict[str, str], images: list[str]) -> dict[str, str]:
    """The chapters with the figures placed after evenly spaced paragraphs, each with a
    cross-reference in the paragraph before it."""
    names = sorted(chapters)
    per = {name: [] for name in names}
    for k, image in enumerate(images):
        per[names[k % len(names)]].append((k, image))
    out = {}
    for name in names:
        paras = chapters[name].split("\n\n")
        figs = per[name]
        step = max(1, len(paras) // (len(figs) + 1))
        for j, (k, image) in reversed(list(enumerate(figs))):
            at = min(len(paras), step * (j + 1))
            while at < len(paras) and paras[at - 1].lstrip().startswith(("#", "![")):
                at += 1         # after a paragraph of text: not a heading, not another figure
            fid = f"fig-s{k + 1:03d}"
            paras[at - 1] = paras[at - 1].rstrip() + f"（見[](#{fid})）"
            paras.insert(at, f'![壓力測試圖{k + 1}：衡陽周邊示意](images/{image.split("/")[-1]})'
                             f'{{#{fid} alt="測試圖{k + 1}"}}')
        out[name] = "\n\n".join(paras)
    return out
