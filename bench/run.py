#!/usr/bin/env python3
"""Benchmark bookbuild on the stress book against two headless-Chromium anchors.

    python bench/run.py [--scale 1] [--runs 3] [--skip-anchor] [--scaling] [--tree-rss]

The anchors, both timed in the same run: Chromium printing Pandoc's HTML of
the book (anchor.py), and the floor, Chromium printing the same text as
plain HTML in the same type area (floor.py).  Every step is a fresh
process, timed best of --runs (wall time, start-up included) with its peak
RSS, and reported as a ratio to each anchor; a step whose command fails
shows "failed: <first line of stderr>" and the run goes on.  See
bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchor import chromium_binary, chromium_command, make_anchor_html  # noqa: E402
from floor import make_floor_html  # noqa: E402
from make_stress_book import generate  # noqa: E402
from measure import run_once  # noqa: E402
from steps import (  # noqa: E402
    ANCHOR,
    FLOOR,
    SERVE,
    Result,
    Step,
    edit_note,
    edit_paragraph,
    fmt_table,
    fonts_row,
    run_step,
    serve_row,
)

REPO = Path(__file__).resolve().parent.parent
SCALES = (0.25, 0.5, 1.0, 2.0)
# The machine's font cache of the runs (BOOKBUILD_FONT_CACHE, set by main() to a
# folder of the bench's own): the derived faces (render/pdf/fonts/derived.derived_dir)
# and the font facts live there, shared by every book, so "cold" (the book's
# .bookbuild/ removed) keeps them, as issue 19 allows; "machine font cache cold"
# removes it too, and fonts_row reports the difference.
FONT_CACHE = "font-cache"


def bookbuild_command() -> tuple[list[str], dict]:
    """The installed console script beside this Python, else `python -m bookbuild`;
    either way this checkout's src/ first on PYTHONPATH: the script of an editable
    install imports the checkout it was installed from, which for a git worktree
    (or a copy of the repository) is another one than the code being measured."""
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    script = Path(sys.executable).parent / "bookbuild"
    if script.exists():
        return [str(script)], env
    return [sys.executable, "-m", "bookbuild"], env


def compile_package() -> None:
    """Write bookbuild's bytecode before timing, as a regular install does.

    An editable install under PYTHONDONTWRITEBYTECODE=1 (this machine sets it)
    never writes __pycache__, so every timed process compiled all of bookbuild
    from source again (≈0.2 s CPU each); scripts/setup.sh compiles it too.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "bookbuild")],
                   check=False, stdout=subprocess.DEVNULL)


def editions(book: Path) -> list[tuple[str, str]]:
    data = tomllib.loads((book / "book.toml").read_text(encoding="utf-8"))
    return [(name, ed.get("format", "")) for name, ed in data.get("editions", {}).items()]


def clear(*paths: Path):
    def do() -> None:
        for p in paths:
            shutil.rmtree(p, ignore_errors=True)
    return do


def anchor_step(book: Path, work: Path, name: str = ANCHOR, make=make_anchor_html) -> Step:
    """Chromium printing one anchor's HTML: `make(book, folder)` writes it (not timed)."""
    folder = work / ("anchor" if make is make_anchor_html else "floor")
    try:
        html = make(book, folder)
    except Exception as e:  # e.g. Pandoc failed: report it as a failed step
        msg = str(e).strip().splitlines()
        return Step(name, [], error=f"anchor HTML: {msg[0] if msg else type(e).__name__}")
    pdf, profile = folder / f"{folder.name}.pdf", folder / "profile"
    return Step(name, chromium_command(html, pdf, profile),
                prepare=clear(profile, pdf), output=pdf, env=None, tree=True)


def anchor_steps(book: Path, work: Path) -> list[Step]:
    return [anchor_step(book, work), anchor_step(book, work, FLOOR, make_floor_html)]


def full_steps(book: Path, work: Path, bb: list[str], env: dict, anchor: bool) -> list[Step]:
    """The main table: check, every edition and all editions cold/warm/after an edit.

    Cold = the book's whole `.bookbuild/` removed; the machine's font cache
    (derived faces, font facts) stays; "machine font cache cold" removes that
    too, so the difference is the fonts' own cold cost (fonts_row)."""
    out = work / "out"
    cold = clear(book / ".bookbuild", out)
    steps = [Step("check, cold", bb + ["check", str(book)], prepare=clear(book / ".bookbuild"), env=env),
             Step("check, warm", bb + ["check", str(book)], warmup=True, env=env)]
    builds = [(name, ["--edition", name], out / f"{name}.{fmt}") for name, fmt in editions(book)]
    builds.append(("all editions", [], None))
    for name, sel, target in builds:
        cmd = bb + ["build", str(book), "--out", str(out)] + sel
        # warmup: an untimed run first fills the run's machine font cache, which "cold" keeps
        steps += [Step(f"build {name}, cold", cmd, prepare=cold, warmup=True, output=target, env=env),
                  Step(f"build {name}, warm", cmd, warmup=True, output=target, env=env),
                  Step(f"build {name}, one note edited", cmd, warmup=True,
                       prepare=lambda: edit_note(book), output=target, env=env),
                  Step(f"build {name}, one paragraph edited", cmd, warmup=True,
                       prepare=lambda: edit_paragraph(book), output=target, env=env)]
    for name, fmt in editions(book):
        if fmt == "pdf":
            cmd = bb + ["build", str(book), "--out", str(out), "--edition", name]
            steps.append(Step(f"build {name}, cold, machine font cache cold", cmd,
                              prepare=clear(book / ".bookbuild", out, work / FONT_CACHE),
                              output=out / f"{name}.pdf", env=env))
            for jobs in ("1", "2"):
                steps.append(Step(f"build {name}, cold, --jobs {jobs}", cmd + ["--jobs", jobs],
                                  prepare=cold, output=out / f"{name}.pdf", env=env))
    if anchor:
        steps += anchor_steps(book, work)
    return steps


def figure_steps(book: Path, work: Path, bb: list[str], env: dict, figures: int) -> list[Step]:
    """Issue 15: each pdf edition of the same book with `figures` figures added, cold, beside
    the plain book's cold build (figures_row compares their cost per page)."""
    out = work / "out-figures"
    steps = []
    for name, fmt in editions(book):
        if fmt == "pdf":
            cmd = bb + ["build", str(book), "--out", str(out), "--edition", name]
            steps.append(Step(f"build {name}, cold, +{figures} figures", cmd, prepare=clear(book / ".bookbuild", out),
                              output=out / f"{name}.pdf", env=env))
    return steps


def figures_rows(results: list[Result], figures: int) -> list[str]:
    """Per pdf edition: seconds per page of the plain book and of the figure book, and what each
    page the figures added cost — no more than their share of pages is the target."""
    lines = []
    for r in results:
        m = re.fullmatch(rf"build (.+), cold, \+{figures} figures", r.name)
        plain = next((p for p in results if m and p.name == f"build {m.group(1)}, cold"), None)
        pages = [int(re.match(r"(\d+) pages", x.output).group(1)) if x and x.ok and
                 re.match(r"(\d+) pages", x.output) else 0 for x in (plain, r)]
        if m and plain and all(pages) and pages[1] > pages[0]:
            per_plain, per_fig = plain.best / pages[0], r.best / pages[1]
            added = (r.best - plain.best) / (pages[1] - pages[0])
            lines.append(f"{m.group(1)}: {pages[0]} pages in {plain.best:.1f} s ({per_plain:.3f} s/page); "
                         f"with {figures} figures {pages[1]} pages in {r.best:.1f} s ({per_fig:.3f} s/page); "
                         f"each added page {added:.3f} s = {added / per_plain:.2f}× a plain page")
    return lines


def scaling_steps(book: Path, work: Path, bb: list[str], env: dict, anchor: bool) -> list[Step]:
    dot, out = book / ".bookbuild", work / "out"
    steps = [Step("check, cold", bb + ["check", str(book)], prepare=clear(dot), env=env)]
    for name, _fmt in editions(book):
        cmd = bb + ["build", str(book), "--out", str(out), "--edition", name]
        steps.append(Step(f"build {name}, cold", cmd, prepare=clear(dot, out), warmup=True, env=env))
    if anchor:
        steps += anchor_steps(book, work)
    return steps


def run_steps(steps: list[Step], args) -> list[Result]:
    results = []
    for step in steps:
        if args.only and not re.search(args.only, step.name):
            continue
        res = run_step(step, args.runs, timeout=args.timeout, tree_rss=args.tree_rss)
        print(f"  {step.name}: {res.summary()}", file=sys.stderr, flush=True)
        results.append(res)
    return results


def header(bb: list[str], env: dict) -> list[str]:
    chromium = chromium_binary()
    version = "not found"
    if chromium:
        v = subprocess.run([chromium, "--version"], capture_output=True, text=True)
        version = v.stdout.strip() or v.stderr.strip()[:80]
    bbv = run_once(bb + ["--version"], env=env)
    return [f"os.cpu_count() = {os.cpu_count()}, "
            f"len(os.sched_getaffinity(0)) = {len(os.sched_getaffinity(0))}",
            f"load average at start: {load_average()}",
            f"machine: {platform.platform()}",
            f"python: {platform.python_version()}", f"chromium: {version}",
            f"bookbuild: {' '.join(bb)} ({'ok' if bbv.rc == 0 else 'failed: ' + bbv.error})"]


def load_average() -> str:
    """os.getloadavg(): 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3, help="best of N (default 3)")
    ap.add_argument("--skip-anchor", action="store_true")
    ap.add_argument("--scaling", action="store_true",
                    help="also the scaling table at scales 1/4, 1/2, 1, 2")
    ap.add_argument("--scaling-only", action="store_true", help="only the scaling table")
    ap.add_argument("--tree-rss", action="store_true",
                    help="also sample the summed RSS of each process tree")
    ap.add_argument("--only", metavar="REGEX",
                    help="only the steps whose name matches, e.g. 'check|anchor' or 'print'")
    ap.add_argument("--figures", type=int, default=0, metavar="N",
                    help="also build each pdf edition of the book with N figures added, cold (issue 15)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)
    bb, env = bookbuild_command()
    compile_package()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bookbuild-bench-"))
    env["BOOKBUILD_FONT_CACHE"] = str(work / FONT_CACHE)
    report: dict = {"header": header(bb, env)}
    print("\n".join(report["header"]), flush=True)
    try:
        if not args.scaling_only:
            report["main"] = main_table(work, args, bb, env)
        if args.scaling or args.scaling_only:
            report["scaling"] = scaling_table(work, args, bb, env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report["load_at_end"] = load_average()
    print(f"\nload average at end: {report['load_at_end']} "
          f"(cores: {len(os.sched_getaffinity(0))} usable of {os.cpu_count()})")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def main_table(work: Path, args, bb: list[str], env: dict) -> dict:
    book = work / f"book-{args.scale:g}"
    shutil.rmtree(book, ignore_errors=True)
    stats = generate(book, args.scale)
    print(f"\nstress book, scale {args.scale:g}: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    steps = full_steps(book, work, bb, env, not args.skip_anchor)
    if args.figures:
        fig_book = work / f"book-{args.scale:g}-figures"
        shutil.rmtree(fig_book, ignore_errors=True)
        generate(fig_book, args.scale, figures=args.figures)
        steps += figure_steps(fig_book, work, bb, env, args.figures)
    results = run_steps(steps, args)
    if not args.only or re.search(args.only, SERVE):
        results.append(serve_row(Path(__file__).with_name("serve_latency.py"), REPO, env, 3, args.timeout))
        print(f"  {SERVE}: {results[-1].summary()}", file=sys.stderr, flush=True)
    anchors = {n: next((r for r in results if r.name == n and r.ok), None) for n in (ANCHOR, FLOOR)}
    results += fonts_row(results)
    print(f"\nbest of {args.runs}; × anchor, × floor = best wall time ÷ that anchor's best; "
          f"CPU = user + system time of the process tree (least of the runs); "
          f"load average after the table: {load_average()}\n")
    print(fmt_table(results, anchors))
    for line in figures_rows(results, args.figures) if args.figures else []:
        print(f"\nfigures — {line}")
    return {"scale": args.scale, "stats": stats, "steps": [r.as_dict() for r in results]}


def scaling_table(work: Path, args, bb: list[str], env: dict) -> dict:
    per_scale: dict[float, list[Result]] = {}
    chars: dict[float, int] = {}
    for scale in SCALES:
        book = work / f"book-{scale:g}"
        shutil.rmtree(book, ignore_errors=True)
        chars[scale] = generate(book, scale)["cjk_chars"]
        print(f"\nscaling: scale {scale:g} ({chars[scale]} CJK chars)", file=sys.stderr)
        per_scale[scale] = run_steps(scaling_steps(book, work, bb, env, not args.skip_anchor), args)
        shutil.rmtree(book, ignore_errors=True)
    names = [r.name for r in per_scale[SCALES[0]]]
    lines = ["| step | " + " | ".join(f"scale {s:g}" for s in SCALES)
             + " | CPU s per 100k chars | 2 ÷ 1 wall | 2 ÷ 1 CPU |",
             "|---|" + "---:|" * (len(SCALES) + 3)]
    for i, name in enumerate(names):
        row = [per_scale[s][i] for s in SCALES]
        cells = [f"{r.best:.2f} ({r.cpu:.2f})" if r.ok else "failed" for r in row]
        rate = " / ".join(f"{r.cpu / chars[s] * 1e5:.2f}" if r.ok else "–" for r, s in zip(row, SCALES))
        one, two = row[SCALES.index(1.0)], row[SCALES.index(2.0)]
        grow = (f"{two.best / one.best:.2f} | {two.cpu / one.cpu:.2f}"
                if one.ok and two.ok and one.cpu else "– | –")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {rate} | {grow} |")
    print(f"\nscaling, best of {args.runs}: wall s (CPU s); linear growth gives 2 ÷ 1 ≈ 2.0\n")
    print("\n".join(lines))
    return {str(s): [r.as_dict() for r in per_scale[s]] for s in SCALES}


if __name__ == "__main__":
    sys.exit(main())
