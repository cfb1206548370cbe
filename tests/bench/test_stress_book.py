"""The stress book generator, the anchor HTML and the benchmark harness (bench/)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import anchor
from helpers.books import REPO
from helpers.cli import bookbuild
from make_stress_book import book_stats, generate
from make_stress_book import main as generator_main
from measure import run_once
from steps import Step, edit_note, edit_paragraph, run_step

BENCH = REPO / "bench"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stress") / "book"
    generate(root, 0.05)
    return root


def test_deterministic_byte_for_byte(tmp_path, small):
    again = tmp_path / "again"
    assert generator_main([str(again), "--scale", "0.05"]) == 0
    assert tree(again) == tree(small)
    other = tmp_path / "other-seed"
    generate(other, 0.05, seed=7)
    assert tree(other) != tree(small)


def test_counts_are_proportional(tmp_path, small):
    a = book_stats(small)
    b = generate(tmp_path / "double", 0.1)
    assert (a["chapters"], b["chapters"]) == (1, 2)
    for key in ("notes", "sources", "terms", "body_citations"):
        assert b[key] == 2 * a[key], key
    assert 1.9 < b["cjk_chars"] / a["cjk_chars"] < 2.1
    assert a["notes"] == 100 and a["sources"] == 10 and a["terms"] == 15


def test_fractional_scale_gives_a_shorter_chapter(tmp_path, small):
    half = generate(tmp_path / "half", 0.025)
    full = book_stats(small)
    assert half["chapters"] == 1
    assert 0.4 < half["cjk_chars"] / full["cjk_chars"] < 0.6
    assert half["notes"] == 50


def test_default_scale_matches_the_issue(tmp_path):
    s = generate(tmp_path / "full", 1.0)
    assert s["chapters"] == 20 and s["notes"] == 2000
    assert s["sources"] == 200 and s["terms"] == 300
    assert 420_000 <= s["cjk_chars"] <= 460_000
    assert s["distinct_han"] >= 3000
    assert s["note_citations"] > 0 and s["body_citations"] > 0 and s["again_refs"] > 0


def test_every_note_source_and_term_is_used_once_at_least(small):
    body = "".join(p.read_text(encoding="utf-8") for p in (small / "manuscript").glob("*.md"))
    notes = "".join(p.read_text(encoding="utf-8") for p in (small / "footnotes").glob("*.md"))
    defined = re.findall(r"^\[\^([\w-]+)\]:", notes, re.M)
    called = re.findall(r"\[\^([\w-]+)\](?!\{\.again\})(?!:)", body)
    assert sorted(defined) == sorted(called)                 # each exactly once
    for again in re.findall(r"\[\^([\w-]+)\]\{\.again\}", body):
        assert again in defined
    ids = re.findall(r"^- id: (\S+)", (small / "footnotes/sources.yaml").read_text(encoding="utf-8"), re.M)
    cited = set(re.findall(r"@([\w-]+)", body + notes))
    assert set(ids) == cited
    # The text is full-width: no ASCII , . : ; ! ? ( ) " beside a Han character.
    assert not re.search(r"[\u4e00-\u9fff][,.:;!?()\"]|[,.:;!?()\"][\u4e00-\u9fff]", body + notes)


def test_bookbuild_check_is_clean(small):
    proc = bookbuild("check", small, "--format", "json", with_src=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["diagnostics"] == []
    assert report["summary"] == {"errors": 0, "warnings": 0}


def test_anchor_html_holds_the_book(tmp_path, small):
    html = anchor.make_anchor_html(small, tmp_path / "anchor").read_text(encoding="utf-8")
    stats = book_stats(small)
    assert "writing-mode: vertical-rl" in html and "Noto Serif CJK TC" in html
    # every note and every body citation (a note of its own) is a footnote
    calls = len(re.findall(r'class="footnote-ref"', html))
    assert calls == stats["notes"] + stats["body_citations"]
    # notes at each chapter's end: one notes block per part (preface, chapter, afterword)
    assert len(re.findall(r'<section [^>]*class="level1"', html)) >= 3
    assert html.count('class="footnotes footnotes-end-of-section"') == 3
    assert "Default styles provided by pandoc" not in html or "max-width: 36em" not in html
    cmd = anchor.chromium_command(tmp_path / "a.html", tmp_path / "a.pdf", tmp_path / "prof")
    assert "--headless" in cmd and f"--user-data-dir={tmp_path / 'prof'}" in cmd


def test_harness_reports_a_failing_command_and_goes_on():
    bad = [sys.executable, "-c", "import sys; sys.stderr.write('\\nboom: no renderer\\nmore\\n'); sys.exit(3)"]
    s = run_once(bad)
    assert s.rc == 3 and s.error == "boom: no renderer"
    res = run_step(Step("bad", bad), 3, timeout=60, tree_rss=False)
    assert not res.ok and res.summary() == "failed: boom: no renderer"
    missing = run_step(Step("missing", ["/nonexistent/bookbuild"]), 3, timeout=60, tree_rss=False)
    assert missing.summary().startswith("failed: cannot start")


def test_harness_measures_time_and_rss_of_the_child():
    # A child that holds ~200 MiB for a moment: ru_maxrss must see it.
    hog = [sys.executable, "-c", "import time; b = bytearray(200 * 2**20); time.sleep(0.3)"]
    res = run_step(Step("hog", hog), 2, timeout=60, tree_rss=True)
    assert res.ok and len(res.walls) == 2
    assert res.best >= 0.3
    assert 190 <= res.maxrss_mib < 400
    assert res.tree_mib is not None and res.tree_mib >= 190


def test_timeout_kills_the_tree():
    s = run_once([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert s.rc != 0 and s.error.startswith("timeout") and s.wall < 10


@pytest.mark.parametrize("edit,folder", [(edit_note, "footnotes/"), (edit_paragraph, "manuscript/")])
def test_each_edit_changes_one_passage_each_time(tmp_path, small, edit, folder):
    """edit_note: one note; edit_paragraph: one paragraph of a chapter — a new ending each time."""
    book = tmp_path / "book"
    generate(book, 0.05)
    before = tree(book)
    first = edit(book)
    after1 = tree(book)
    edit(book)
    after2 = tree(book)
    changed = [k for k in before if before[k] != after1[k]]
    assert changed == [str(first.relative_to(book))] and changed[0].startswith(folder)
    assert after1[changed[0]] != after2[changed[0]]
    diff = [(a, b) for a, b in zip(before[changed[0]].decode().split("\n"),
                                   after2[changed[0]].decode().split("\n")) if a != b]
    assert len(diff) == 1 and diff[0][1].startswith(diff[0][0]) and diff[0][1].endswith("次。")


def test_anchor_that_cannot_be_prepared_is_a_failed_step(tmp_path):
    import run
    step = run.anchor_step(tmp_path / "no-book", tmp_path / "work")
    res = run_step(step, 3, timeout=60, tree_rss=False)
    assert not res.ok and res.summary().startswith("failed: anchor HTML:")


def test_table_gives_every_step_a_ratio_to_both_anchors():
    from steps import ANCHOR, FLOOR, Result, fmt_table, fonts_row
    rows = [Result("build print, cold", walls=[30.0, 32.0], cpus=[40.0]),
            Result("build print, cold, machine font cache cold", walls=[33.0], cpus=[44.0]),
            Result(ANCHOR, walls=[12.0], cpus=[12.0]), Result(FLOOR, walls=[6.0], cpus=[8.0])]
    rows += fonts_row(rows)
    table = fmt_table(rows, {ANCHOR: rows[2], FLOOR: rows[3]}).splitlines()
    assert "| × anchor | × floor |" in table[0]
    cells = {line.split(" | ")[0][2:]: line.split(" | ") for line in table[2:]}
    assert cells["build print, cold"][3:5] == ["2.50", "5.00"]
    assert cells[FLOOR][3:5] == ["0.50", "1.00"]
    fonts = cells["= machine font cache, cold cost (build print)"]
    assert fonts[1] == "3.00" and fonts[5] == "4.00" and fonts[3:5] == ["0.25", "0.50"]


def test_runs_use_their_own_machine_font_cache_and_cold_leaves_it(tmp_path, monkeypatch):
    """Cold removes the book's .bookbuild/ only; the machine font cache (derived
    faces, issue 19) is the run's own folder, removed only by its own step."""
    import run
    book, work = tmp_path / "book", tmp_path / "work"
    for rel in ("pages/print/a.pdf", "check/x.json"):
        (book / ".bookbuild" / "cache" / rel).parent.mkdir(parents=True, exist_ok=True)
        (book / ".bookbuild" / "cache" / rel).write_text(rel)
    (book / "book.toml").write_text('[editions.print]\nformat = "pdf"\n')
    steps = {s.name: s for s in run.full_steps(book, work, ["bookbuild"], {"BOOKBUILD_FONT_CACHE": "x"}, False)}
    font_cache = work / run.FONT_CACHE / "derived" / "derived-1"
    font_cache.mkdir(parents=True)
    steps["build print, cold"].prepare()
    assert not (book / ".bookbuild").exists() and font_cache.is_dir() and (book / "book.toml").is_file()
    steps["build print, cold, machine font cache cold"].prepare()
    assert not (work / run.FONT_CACHE).exists()
