"""The generated cover (render/epub/cover.py) kept in the machine's cache folder as well as the
book's: a cold build of a book (its .bookbuild/ removed) does not draw it again."""
from __future__ import annotations

import dataclasses
import os

from bookbuild.render.epub import cover
from helpers.books import make_book
from helpers.epub import load


def test_a_cold_book_cache_takes_the_machines_cover(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(tmp_path / "machine"))
    drawn: list = []
    real = cover._draw
    monkeypatch.setattr(cover, "_draw", lambda *a: drawn.append(1) or real(*a))
    cfg = load(make_book(tmp_path / "book")).config
    ed = cfg.edition("epub")
    first = cover.cover_png(cfg, ed, tmp_path / "cache-a")
    assert drawn == [1] and first[:8] == b"\x89PNG\r\n\x1a\n"
    again = cover.cover_png(cfg, ed, tmp_path / "cache-b")      # another (cold) book cache
    assert drawn == [1] and again == first
    assert list((tmp_path / "cache-b").glob("cover-*.png"))    # and kept there too
    retitled = cover.cover_png(dataclasses.replace(cfg, title="另一本書"), ed, tmp_path / "cache-b")
    assert drawn == [1, 1] and retitled != first


def test_the_machine_keeps_only_the_newest_covers(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(tmp_path / "machine"))
    monkeypatch.setattr(cover, "MACHINE_KEEP", 2)
    monkeypatch.setattr(cover, "_draw", lambda cfg, ed, ref: cfg.title.encode())
    cfg = load(make_book(tmp_path / "book")).config
    for age, title in enumerate(("一", "二", "三")):
        cover.cover_png(dataclasses.replace(cfg, title=title), cfg.edition("epub"), None)
        for p in (tmp_path / "machine/covers").glob("cover-*.png"):   # older than the next one, surely
            if p.read_bytes().decode() == title:
                os.utime(p, ns=(age * 10**9, age * 10**9))
    kept = sorted(p.read_bytes().decode() for p in (tmp_path / "machine/covers").glob("cover-*.png"))
    assert kept == ["三", "二"]
