"""Issue 4 item 8: a chapter of each EPUB edition rendered in headless
Chromium, checked by its ink: vertical columns from the right edge leftwards,
horizontal lines from the top.  (docs/img/epub-vertical.png is this render.)"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
W, H = 800, 1080


def screenshot(epub_path: Path, chapter: str, out: Path) -> Path:
    """Unzip the EPUB, show `chapter` in an 760×1040 frame (a reader's page)."""
    root = out / "unzipped"
    with zipfile.ZipFile(epub_path) as zf:
        zf.extractall(root)
    page = root / "EPUB" / "text" / "page.html"
    page.write_text('<!DOCTYPE html><html><body style="margin:0;background:#fff">'
                    f'<iframe src="{chapter}" style="width:{W - 40}px;height:{H - 40}px;border:0;'
                    'margin:20px"></iframe></body></html>', "utf-8")
    png = out / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        "--allow-file-access-from-files", "--hide-scrollbars",
                        "--virtual-time-budget=3000", f"--screenshot={png}",
                        f"--window-size={W},{H}", page.as_uri()],
                       capture_output=True, timeout=120, check=False)
    assert png.is_file(), "chromium wrote no screenshot"
    return png


def ink_profile(png: Path):
    """Dark pixels per column and per row of the screenshot."""
    from PIL import Image
    im = Image.open(png).convert("L")
    px = im.load()
    cols = [sum(1 for y in range(0, im.height, 2) if px[x, y] < 128) for x in range(im.width)]
    rows = [sum(1 for x in range(0, im.width, 2) if px[x, y] < 128) for y in range(im.height)]
    return cols, rows


def runs_of_ink(profile: list[int]) -> list[tuple[int, int]]:
    out, start = [], None
    for i, v in enumerate(profile + [0]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i))
            start = None
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_vertical_page_reads_right_to_left_in_columns(sample, tmp_path):
    # ch04 (第三章): text only — ch03 opens with the siege timeline, a figure as wide as the page
    png = screenshot(sample["epub"][0].path, "ch04.xhtml", tmp_path)
    cols, rows = ink_profile(png)
    assert sum(cols) > 10_000, "the page is blank"
    inked = runs_of_ink(cols)
    # many narrow columns of text, the first (the title) close to the right edge
    assert len(inked) >= 12
    assert inked[-1][1] > W - 120, inked[-3:]
    widths = sorted(b - a for a, b in inked)
    assert widths[len(widths) // 2] < 40, "columns are one character wide"
    # a column runs most of the frame's height
    tall = sum(1 for r in rows[20:H - 20] if r)
    assert tall > (H - 40) * 0.8


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_horizontal_page_reads_in_lines(sample, tmp_path):
    png = screenshot(sample["epub-horizontal"][0].path, "ch03.xhtml", tmp_path)
    cols, rows = ink_profile(png)
    lines = runs_of_ink(rows)
    assert len(lines) >= 12 and lines[0][0] < 120
    heights = sorted(b - a for a, b in lines)
    assert heights[len(heights) // 2] < 40, "lines are one character high"
