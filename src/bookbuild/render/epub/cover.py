"""A typographic cover for a book without a cover image (book.toml `cover`).

Google Play Books and Kobo refuse or show a blank tile for an EPUB without a
cover image, so every edition has one: the book's own, else this one — the
title, subtitle, authors and publisher set in the edition's font on a plain
1600×2400 PNG (the 1:1.5 ratio the stores ask for).  A vertical edition gets
vertical columns (right to left, the `vert` glyph forms through Raqm), a
horizontal one centred lines.  Pillow draws it: WeasyPrint cannot set vertical
text, and the drawing is deterministic (same book, same font → same bytes).
"""
from __future__ import annotations

import hashlib
import io
import json
import textwrap
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont, features

from ...atomic import write_bytes
from ...config import BookConfig, EditionConfig
from ...fonts import find_font, machine_cache

SIZE = (1600, 2400)
PAPER = (244, 239, 230)
INK = (46, 38, 32)
ACCENT = (140, 36, 30)
_MARGIN = 150
_RAQM = features.check("raqm")
MACHINE_KEEP = 32       # covers kept in the machine's cache folder (≈ 120 KB each)


def cover_png(cfg: BookConfig, edition: EditionConfig, cache_dir: Path | None = None) -> bytes:
    """The generated cover as PNG bytes (raises fonts.FontNotFound without the
    edition's font), kept in cache_dir: loading a CJK font takes a second.  Also
    kept in the machine's cache folder (fonts.machine_cache, the newest MACHINE_KEEP
    covers), so that a book's cold build (its `.bookbuild/` removed) does not draw
    it again; the key holds everything drawn, the font file, this code and Pillow."""
    ref = find_font(edition.font, cache_dir=cache_dir)
    what = [cfg.title, cfg.subtitle, list(cfg.authors), cfg.publisher, edition.vertical, str(ref.path), ref.index,
            ref.path.stat().st_mtime_ns, Path(__file__).stat().st_mtime_ns, PIL.__version__, _RAQM]
    key = hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()[:24]
    machine = machine_cache()
    places = [Path(folder) / f"cover-{key}.png" for folder in (cache_dir, machine and Path(machine) / "covers")
              if folder]
    for place in places:
        if place.is_file():
            data = place.read_bytes()
            break
    else:
        data = _draw(cfg, edition, ref)
    for place in places:
        if not place.is_file():
            _keep(place, data)
    return data


def _keep(place: Path, data: bytes) -> None:
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(place, data)
        if place.parent.name == "covers":     # the machine's folder: the newest only
            kept = sorted(place.parent.glob("cover-*.png"), key=lambda p: p.stat().st_mtime_ns)
            for old in kept[:max(0, len(kept) - MACHINE_KEEP)]:
                old.unlink(missing_ok=True)
    except OSError:
        pass        # a cache that cannot be written is only slower


def _draw(cfg: BookConfig, edition: EditionConfig, ref) -> bytes:
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    frame = (_MARGIN // 2, _MARGIN // 2, SIZE[0] - _MARGIN // 2, SIZE[1] - _MARGIN // 2)
    draw.rectangle(frame, outline=INK, width=6)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(ref.path), size, index=ref.index)

    if edition.vertical:
        _vertical(draw, cfg, font)
    else:
        _horizontal(draw, cfg, font)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def _vertical(draw: ImageDraw.ImageDraw, cfg: BookConfig, font) -> None:
    """Columns from the right: title (large, red rule beside it), subtitle; authors and publisher at the left."""
    height = SIZE[1] - 2 * _MARGIN - 200
    x = SIZE[0] - _MARGIN - 60
    size = _fit(len(cfg.title), height, 240, 2)
    for column in _chunks(cfg.title, height // size):
        x -= size
        _column(draw, column, font(size), x, _MARGIN + 100)
        x -= size // 4
    draw.line((x, _MARGIN + 100, x, _MARGIN + 100 + height), fill=ACCENT, width=8)
    if cfg.subtitle:
        sub = min(110, height // max(len(cfg.subtitle), 1))
        x -= sub + 50
        _column(draw, cfg.subtitle, font(sub), x, _MARGIN + 180)
    people = "、".join(cfg.authors)
    small = min(100, (height // 2) // max(len(people), 1))
    _column(draw, people, font(small), _MARGIN + 160, SIZE[1] // 2)
    if cfg.publisher:
        pub = min(70, (height // 3) // max(len(cfg.publisher), 1))
        _column(draw, cfg.publisher, font(pub), _MARGIN + 20, SIZE[1] - _MARGIN - 100 - pub * len(cfg.publisher))


def _horizontal(draw: ImageDraw.ImageDraw, cfg: BookConfig, font) -> None:
    width = SIZE[0] - 2 * _MARGIN - 100
    size = _fit(len(cfg.title), width, 200, 3)
    y = 560
    for line in _chunks(cfg.title, width // size):
        y = _centred(draw, line, font(size), y) + size // 3
    draw.line((_MARGIN + 200, y + 30, SIZE[0] - _MARGIN - 200, y + 30), fill=ACCENT, width=8)
    y += 120
    if cfg.subtitle:
        sub = min(96, width // max(len(cfg.subtitle), 1))
        for line in _chunks(cfg.subtitle, width // sub):
            y = _centred(draw, line, font(sub), y) + sub // 3
    _centred(draw, "、".join(cfg.authors), font(min(100, width // max(len("、".join(cfg.authors)), 1))), 1560)
    if cfg.publisher:
        _centred(draw, cfg.publisher, font(min(70, width // max(len(cfg.publisher), 1))), SIZE[1] - _MARGIN - 200)


def _fit(chars: int, room: int, largest: int, lines: int) -> int:
    """A type size that sets `chars` characters in at most `lines` lines of `room` px."""
    per_line = -(-chars // lines) if chars > room // largest else chars
    return max(60, min(largest, room // max(per_line, 1)))


def _chunks(text: str, per: int) -> list[str]:
    return textwrap.wrap(text, max(per, 1), break_long_words=True) or [text]


def _column(draw: ImageDraw.ImageDraw, text: str, font, x: int, y: int) -> None:
    """One vertical line, its left edge at x, top at y; without Raqm one character a cell."""
    if _RAQM:
        draw.text((x, y), text, font=font, fill=INK, direction="ttb", features=["vert"])
        return
    for i, ch in enumerate(text):
        draw.text((x, y + i * font.size), ch, font=font, fill=INK)


def _centred(draw: ImageDraw.ImageDraw, text: str, font, y: int) -> int:
    """One line centred at y; returns the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((SIZE[0] - (right - left)) // 2 - left, y), text, font=font, fill=INK)
    return y + bottom
