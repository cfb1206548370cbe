"""`make_stress_book.py --figures N` (issue 15's benchmark book): N distinct, captioned,
cross-referenced figures that check cleanly, the same bytes every time."""
from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.cli import bookbuild
from make_stress_book import generate


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_figures_are_placed_distinct_and_deterministic(tmp_path):
    generate(tmp_path / "a", 0.05, figures=12)
    generate(tmp_path / "b", 0.05, figures=12)
    a = _tree(tmp_path / "a")
    assert a == _tree(tmp_path / "b")
    images = [k for k in a if k.startswith("images/")]
    assert len(images) == 12 and len({a[k] for k in images}) == 12           # every file its own bytes
    assert sum(k.endswith(".svg") for k in images) == 4
    text = "".join(v.decode() for k, v in a.items() if k.startswith("manuscript/"))
    figures = re.findall(r"^!\[[^\]]+\]\(images/(fig-\d{3}\.\w+)\)\{#(fig-s\d{3}) alt=\"[^\"]+\"\}$", text, re.M)
    assert sorted(f for f, _ in figures) == sorted(k.split("/")[1] for k in images)
    for _, fid in figures:
        assert text.count(f"[](#{fid})") == 1                                # one cross-reference each
    assert not re.search(r"^#.*\[\]\(#fig", text, re.M), "no cross-reference in a heading"


def test_the_figure_book_checks_clean(tmp_path):
    generate(tmp_path / "book", 0.05, figures=9)
    r = bookbuild("check", tmp_path / "book", "--format", "json")
    diags = json.loads(r.stdout)["diagnostics"]
    assert r.returncode == 0 and diags == [], diags


def test_figures_rows_compare_cost_per_page():
    from run import figures_rows
    from steps import Result

    plain = Result("build print, cold", walls=[20.0], output="100 pages, 1.0 MB")
    fig = Result("build print, cold, +100 figures", walls=[26.0], output="130 pages, 3.0 MB")
    (line,) = figures_rows([plain, fig, Result("check, cold", walls=[1.0])], 100)
    # 0.2 s per plain page; the 30 added pages cost 6 s: 0.2 s each, 1.00× a plain page
    assert "100 pages in 20.0 s (0.200 s/page)" in line and "130 pages in 26.0 s" in line
    assert line.endswith("each added page 0.200 s = 1.00× a plain page"), line
    assert figures_rows([plain, Result("build print, cold, +100 figures", error="boom")], 100) == []
