"""bookbuild diff on astral characters, variation sequences and compatibility ideographs (docs/FORMAT.md
"Characters"): a selector stays with its base in a change mark, and what a reader cannot see is named."""
from __future__ import annotations

import io

from bookbuild.commands.diff import run_diff
from helpers.books import CHAPTER, make_book

IVS = "\U000E0100"
ASTRAL = "\U0002000B\U0002A7DD\U0002B746"


def diff(tmp_path, old_chapter: str, new_chapter: str) -> str:
    old = make_book(tmp_path / "old", {"manuscript/01.md": old_chapter})
    new = make_book(tmp_path / "new", {"manuscript/01.md": new_chapter})
    out = io.StringIO()
    assert run_diff(old, new, stdout=out, stderr=io.StringIO()) == 0
    return out.getvalue()


def test_astral_change_is_one_character(tmp_path):
    out = diff(tmp_path, CHAPTER + f"\n{ASTRAL}甲。\n", CHAPTER + f"\n{ASTRAL[:2]}\U00030EDD甲。\n")
    assert f"{ASTRAL[:2]}[-\U0002B746-]{{+\U00030EDD+}}甲。" in out


def test_selector_added_is_shown_with_its_base_and_named(tmp_path):
    out = diff(tmp_path, CHAPTER + "\n葛洪著書。\n", CHAPTER + f"\n葛{IVS}洪著書。\n")
    assert f"[-葛-]{{+葛{IVS}<U+E0100>+}}洪著書。" in out


def test_base_changed_under_a_selector_keeps_the_selector_in_the_mark(tmp_path):
    out = diff(tmp_path, CHAPTER + f"\n葛{IVS}洪。\n", CHAPTER + f"\n兀{IVS}洪。\n")
    assert f"[-葛{IVS}<U+E0100>-]{{+兀{IVS}<U+E0100>+}}洪。" in out


def test_compatibility_ideograph_swapped_for_its_unified_form_is_named(tmp_path):
    out = diff(tmp_path, CHAPTER + "\n\uF900有此理。\n", CHAPTER + "\n\u8C48有此理。\n")
    assert "[-\uF900<U+F900>-]{+\u8C48+}有此理。" in out


def test_long_equal_runs_are_shortened_between_cells(tmp_path):
    run = f"葛{IVS}" * 30
    out = diff(tmp_path, CHAPTER + f"\n{run}甲。\n", CHAPTER + f"\n{run}乙。\n")
    assert f"{run[:16]}…{run[-16:]}[-甲-]{{+乙+}}。" in out
