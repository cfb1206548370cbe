"""Draw the sample book's 圍城時序 chart: assets/siege-timeline.png (issue 15, item 6).

    PYTHONPATH=src .venv/bin/python scripts/siege_timeline.py

The 47 days of the siege of Hengyang, 1944-06-23 … 08-08, one column per day, with
the phases and dates the text of manuscript/02-siege.md gives (the assaults, the
pause, the airfield, the airdropped orders).  Drawn with Pillow at 2400×1100 px,
which is 300 ppi or more at every pdf edition's type-area width (BB902); the output
is committed and is the same bytes on every run (no timestamp in the PNG).
"""
from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bookbuild.fonts import find_font

OUT = Path(__file__).resolve().parent.parent / "assets" / "siege-timeline.png"
W, H = 2400, 1100
START, END = date(1944, 6, 23), date(1944, 8, 8)
LEFT, RIGHT, AXIS_Y = 120, 2280, 640
INK, RED, GREY, PALE = (30, 30, 30), (178, 34, 34), (120, 120, 120), (236, 226, 214)

# (first day, last day, label, row): the bars above the axis
PHASES = [
    (date(1944, 6, 23), date(1944, 6, 27), "外圍戰鬥", 0),
    (date(1944, 6, 28), date(1944, 7, 2), "第一次總攻", 1),
    (date(1944, 7, 3), date(1944, 7, 10), "間歇", 0),
    (date(1944, 7, 11), date(1944, 7, 20), "第二次總攻", 1),
    (date(1944, 7, 21), date(1944, 8, 3), "城中的日子", 0),
    (date(1944, 8, 4), date(1944, 8, 8), "第三次總攻", 1),
]
# (day, label, row): the marks below the axis
EVENTS = [
    (date(1944, 6, 23), "6月23日　日軍強渡耒水被擊退", 1),
    (date(1944, 6, 26), "6月26日　機場失守", 0),
    (date(1944, 7, 12), "7月12日　虎形巢失守", 0),
    (date(1944, 7, 27), "7月27日　空投手令", 2),
    (date(1944, 8, 2), "8月2日　再投手令", 1),
    (date(1944, 8, 8), "8月8日　停火", 0),
]


def x_of(day: date, end_of_day: bool = False) -> float:
    days = (END - START).days + 1
    n = (day - START).days + (1 if end_of_day else 0)
    return LEFT + (RIGHT - LEFT) * n / days


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    ref = find_font("Noto Serif CJK TC", bold=bold)
    return ImageFont.truetype(str(ref.path), size, index=ref.index)


def draw() -> Image.Image:
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.text((LEFT, 60), "衡陽守城四十七日（1944年6月23日至8月8日）", font=font(64, bold=True), fill=INK)
    for first, last, label, row in PHASES:
        top = AXIS_Y - 150 - row * 170
        box = (x_of(first), top, x_of(last, end_of_day=True), top + 120)
        assault = "總攻" in label
        d.rectangle(box, fill=RED if assault else PALE, outline=INK, width=3)
        f = font(40, bold=assault)
        w = d.textlength(label, font=f)
        cx = (box[0] + box[2]) / 2
        d.text((cx - w / 2, top + 36), label, font=f, fill=(255, 255, 255) if assault else INK)
    d.line((LEFT, AXIS_Y, RIGHT, AXIS_Y), fill=INK, width=6)
    day, small = START, font(30)
    while day <= END:
        x = x_of(day)
        first_of_month = day.day == 1 or day == START
        d.line((x, AXIS_Y, x, AXIS_Y + (36 if first_of_month or day.day % 5 == 0 else 16)), fill=INK, width=3)
        month_ends = (day + timedelta(days=1)).day == 1
        if first_of_month or day.day % 5 == 0 and not month_ends:   # 30 would run into 7月1日
            text = f"{day.month}月{day.day}日" if first_of_month else str(day.day)
            d.text((x - d.textlength(text, font=small) / 2, AXIS_Y + 44), text, font=small, fill=INK)
        day += timedelta(days=1)
    d.line((RIGHT, AXIS_Y, RIGHT, AXIS_Y + 36), fill=INK, width=3)
    for day, label, row in EVENTS:
        x = (x_of(day) + x_of(day, end_of_day=True)) / 2
        y = AXIS_Y + 120 + row * 80
        d.line((x, AXIS_Y + 90, x, y + 44), fill=GREY, width=2)   # below the day numbers
        d.ellipse((x - 10, AXIS_Y - 10, x + 10, AXIS_Y + 10), fill=RED)
        f = font(34)
        w = d.textlength(label, font=f)
        # beside its line, never across it: to the right, or to the left near the right edge
        left = x + 14 if x + 14 + w <= W - 20 else x - 14 - w
        d.text((left, y), label, font=f, fill=INK)
    return img


def main() -> int:
    img = draw()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    img.save(OUT, "PNG", optimize=True, dpi=(300, 300))
    print(f"{OUT}: {img.width}×{img.height} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
