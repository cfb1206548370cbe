"""Font lookup (fc-match) and cmap coverage on the installed Noto CJK fonts."""
import shutil
import time

import pytest

from bookbuild import fonts

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig missing")


def test_find_noto_serif_cjk_tc_regular_and_bold():
    reg = fonts.find_font("Noto Serif CJK TC")
    bold = fonts.find_font("noto serif cjk tc", bold=True)
    assert reg.path.name == "NotoSerifCJK-Regular.ttc" and reg.index == 3
    assert bold.path.name == "NotoSerifCJK-Bold.ttc" and bold.index == 3
    assert reg.family == "Noto Serif CJK TC"


def test_unknown_family_is_refused_not_substituted():
    with pytest.raises(fonts.FontNotFound) as exc:
        fonts.find_font("Bookbuild No Such Family")
    assert exc.value.family == "Bookbuild No Such Family"
    assert "fontconfig offers" in exc.value.hint


def test_missing_fc_match(monkeypatch):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    with pytest.raises(fonts.FontNotFound) as exc:
        fonts._find_font.__wrapped__("Noto Serif CJK TC", False)
    assert "fc-match" in exc.value.hint


def test_coverage_and_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", "")          # the book's cache only
    ref = fonts.find_font("Noto Serif CJK TC")
    fonts._COVERAGE.clear()
    cps = fonts.coverage(ref, cache_dir=tmp_path)
    assert {ord("中"), ord("。"), ord("「"), ord("A"), 0x2014, 0x2026} <= cps
    assert 0xFE35 in cps and 0x10FFFD not in cps
    assert len(list(tmp_path.glob("coverage-*.json"))) == 1
    fonts._COVERAGE.clear()
    t = time.perf_counter()
    again = fonts.coverage(ref, cache_dir=tmp_path)
    assert again == cps
    assert time.perf_counter() - t < 0.5
    dejavu = fonts.find_font("DejaVu Sans")
    assert ord("中") not in fonts.coverage(dejavu)


def test_disk_memo_avoids_fc_match_until_fontconfig_changes(tmp_path, monkeypatch):
    first = fonts.find_font("Noto Serif CJK TC", cache_dir=tmp_path)
    assert (tmp_path / "fontconfig.json").is_file()
    fonts._find_font.cache_clear()
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)   # fc-match "gone"
    assert fonts.find_font("Noto Serif CJK TC", cache_dir=tmp_path) == first
    monkeypatch.setattr(fonts, "_fontconfig_stamp", lambda: [1, 2, 3])  # fc-cache ran
    with pytest.raises(fonts.FontNotFound):
        fonts.find_font("Noto Serif CJK TC", cache_dir=tmp_path)
    fonts._find_font.cache_clear()


def test_machine_font_cache_serves_every_book(tmp_path, monkeypatch):
    """A fallback font's cmap is read once per machine, not once per book: the second book's
    empty cache folder is served from BOOKBUILD_FONT_CACHE; a changed font file is read again."""
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(tmp_path / "machine"))
    font = tmp_path / "font.otf"
    font.write_bytes(b"x")
    ref = fonts.FontRef(font, 0, "Test")
    reads = []

    def read():
        reads.append(1)
        return [0x4E2D]
    assert fonts.font_fact(ref, "coverage", "", tmp_path / "book1", read) == [0x4E2D]
    assert fonts.font_fact(ref, "coverage", "", tmp_path / "book2", read) == [0x4E2D]
    assert len(reads) == 1 and len(list((tmp_path / "machine").glob("coverage-*.json"))) == 1
    font.write_bytes(b"xy")                                  # another size: another identity
    fonts.font_fact(ref, "coverage", "", tmp_path / "book2", read)
    assert len(reads) == 2
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", str(tmp_path / "file-not-folder"))
    (tmp_path / "file-not-folder").write_text("")
    assert fonts.font_fact(ref, "uvs", "uvs|", None, read) == [0x4E2D]   # an unwritable cache is skipped

