"""Benchmark steps: what to run, how to prepare it, and the result table."""
from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from measure import Sample, run_once


@dataclass
class Step:
    name: str
    cmd: list[str]
    prepare: Callable[[], None] | None = None   # before every timed run, not timed
    warmup: bool = False                        # one untimed run first (warm cache)
    output: Path | None = None                  # file to describe (pages, size)
    env: dict | None = None
    tree: bool = False                          # always sample the process tree
    error: str = ""                             # set when the step could not be prepared


@dataclass
class Result:
    name: str
    walls: list[float] = field(default_factory=list)
    maxrss_mib: float = 0.0
    tree_mib: float | None = None
    cpus: list[float] = field(default_factory=list)
    error: str = ""
    output: str = ""
    computed: bool = False      # a difference of two other rows (fonts_row), not a process

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.walls)

    @property
    def best(self) -> float:
        return min(self.walls)

    def summary(self) -> str:
        if not self.ok:
            return f"failed: {self.error}"
        runs = ", ".join(f"{w:.2f}" for w in self.walls)
        return (f"best {self.best:.2f} s ({runs}), CPU {self.cpu:.2f} s, "
                f"{self.maxrss_mib:.0f} MiB")

    @property
    def cpu(self) -> float:
        return min(self.cpus) if self.cpus else 0.0

    def as_dict(self) -> dict:
        return {"step": self.name, "walls": self.walls, "best": self.best if self.ok else None,
                "cpus": self.cpus, "maxrss_mib": round(self.maxrss_mib, 1), "tree_mib": self.tree_mib,
                "error": self.error, "output": self.output}


def run_step(step: Step, runs: int, *, timeout: float, tree_rss: bool) -> Result:
    res = Result(step.name, error=step.error)
    if step.error:
        return res
    try:
        if step.warmup:
            first = run_once(step.cmd, env=step.env, timeout=timeout)
            if first.rc != 0:
                res.error = first.error
                return res
        for _ in range(runs):
            if step.prepare:
                step.prepare()
            s: Sample = run_once(step.cmd, env=step.env, timeout=timeout,
                                 tree_rss=tree_rss or step.tree)
            if s.rc != 0:
                res.error = s.error
                return res
            res.walls.append(s.wall)
            res.cpus.append(s.cpu)
            res.maxrss_mib = max(res.maxrss_mib, s.maxrss_mib)
            if s.tree_mib is not None:
                res.tree_mib = max(res.tree_mib or 0.0, s.tree_mib)
    except Exception as e:  # the harness reports, it never crashes on a step
        res.error = f"{type(e).__name__}: {e}"
        return res
    res.output = describe(step.output)
    return res


def describe(path: Path | None) -> str:
    """Pages of a PDF (pdfinfo), size of anything else."""
    if path is None or not path.is_file():
        return ""
    if path.suffix == ".pdf":
        try:
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
            m = re.search(r"^Pages:\s+(\d+)", info, re.M)
            if m:
                return f"{m.group(1)} pages"
        except OSError:
            pass
    return f"{path.stat().st_size / 2**20:.1f} MiB"


_EDITS = itertools.count(1)
_HAN_DIGITS = "〇一二三四五六七八九"
_MARK = re.compile(r"再校[〇一二三四五六七八九]+次。$")


def edit_note(book: Path) -> Path:
    """Change the text of ONE note (the first of the middle notes file).

    Each call writes a different text, so every timed run follows a real
    edit; the edit is full-width CJK, so the book stays clean for check.
    """
    files = sorted((book / "footnotes").glob("*.md"))
    path = files[len(files) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("[^"))
    mark = "再校" + "".join(_HAN_DIGITS[int(d)] for d in str(next(_EDITS))) + "次。"
    lines[i] = _MARK.sub("", lines[i]) + mark
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


_PARA_MARK = re.compile(r"又改[〇一二三四五六七八九]+次。$")


def edit_paragraph(book: Path) -> Path:
    """Change ONE paragraph: the first plain paragraph line of the middle chapter
    gets a new ending (`又改N次。`), different at every call."""
    files = sorted((book / "manuscript").glob("c*.md")) or sorted((book / "manuscript").glob("*.md"))
    path = files[len(files) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(lines)
             if line.strip() and not line.startswith(("#", ">", ":", "[", "-", "!", " ")))
    mark = "又改" + "".join(_HAN_DIGITS[int(d)] for d in str(next(_EDITS))) + "次。"
    lines[i] = _PARA_MARK.sub("", lines[i]) + mark
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


ANCHOR = "anchor: Pandoc HTML, chromium print"
FLOOR = "floor: plain HTML, chromium print"


def fonts_row(results: list[Result]) -> list[Result]:
    """The machine font cache's own cold cost (derived faces, font facts): a
    print build with that cache removed too minus the cold one (a computed row,
    no process of its own)."""
    rows = []
    for r in results:
        if not (r.ok and r.name.endswith(", cold, machine font cache cold")):
            continue
        cold = next((c for c in results if c.ok and c.name == r.name.removesuffix(", machine font cache cold")), None)
        if cold:
            rows.append(Result(f"= machine font cache, cold cost ({r.name.split(',')[0]})",
                               walls=[r.best - cold.best], cpus=[r.cpu - cold.cpu],
                               output=f"{r.name} − {cold.name}", computed=True))
    return rows


SERVE = "serve: one edit shown (sample book)"


def serve_row(script: Path, book: Path, env: dict, edits: int, timeout: float) -> Result:
    """Issue 19: seconds from saving a paragraph of the sample book to `bookbuild serve`
    publishing every previewed edition again (serve_latency.py: serve's own Builder and
    Watcher, no browser), one wall time per edit; CPU is not sampled (a thread of the bench)."""
    res = Result(SERVE, output="save → every previewed edition published again")
    try:
        run = subprocess.run([sys.executable, str(script), str(book), "--edits", str(edits)], env=env,
                             capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        res.error = f"{type(e).__name__}: {e}"
        return res
    for line in run.stdout.splitlines():
        shown = [float(x) for x in re.findall(r"shown after ([\d.]+) s", line)]
        if line.startswith("edit ") and shown:
            res.walls.append(max(shown))
    if not res.walls:
        res.error = (run.stderr.strip().splitlines() or ["no edit was shown"])[-1]
    return res


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}" if b else "–"


def fmt_table(results: list[Result], anchors: dict[str, Result | None]) -> str:
    """One Markdown table: each step's best wall time as a ratio to both anchors
    (× anchor, × floor) and its CPU time as a ratio to the floor's CPU time."""
    anchor, floor = anchors.get(ANCHOR), anchors.get(FLOOR)
    tree = any(r.tree_mib is not None for r in results)
    head = ("| step | best s | runs s | × anchor | × floor | CPU s | CPU × floor | peak RSS MiB |")
    head += " tree RSS MiB |" if tree else ""
    lines = [head + " output |", "|---|---:|---|---:|---:|---:|---:|---:|" + ("---:|" if tree else "") + "---|"]
    for r in results:
        if not r.ok:
            cells = [r.name, f"failed: {r.error}".replace("|", "\\|"), "", "", "", "", "", ""]
            cells += [""] if tree else []
            lines.append("| " + " | ".join(cells + [""]) + " |")
            continue
        cells = [r.name, f"{r.best:.2f}", "" if r.computed else " ".join(f"{w:.2f}" for w in r.walls),
                 _ratio(r.best, anchor.best if anchor else None),
                 _ratio(r.best, floor.best if floor else None),
                 f"{r.cpu:.2f}" if r.cpus else "–", _ratio(r.cpu, floor.cpu if floor and r.cpus else None),
                 "" if r.computed or not r.maxrss_mib else f"{r.maxrss_mib:.0f}"]
        if tree:
            cells.append(f"{r.tree_mib:.0f}" if r.tree_mib is not None else "")
        lines.append("| " + " | ".join(cells + [r.output]) + " |")
    return "\n".join(lines)
