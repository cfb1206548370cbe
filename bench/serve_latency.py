#!/usr/bin/env python3
"""How long `bookbuild serve` takes to show an edit (issue 19 item 3).

    python bench/serve_latency.py BOOK [--edits 3] [--edition NAME ...]

Copies BOOK's inputs (book.toml, manuscript/, footnotes/, styles/, assets/) to a
temporary folder, runs serve's own Builder and Watcher there (no HTTP), waits for
the first builds, then, per edit, appends a sentence to the first paragraph of
the first chapter and prints the seconds from the save to each edition's new
generation (the preview's page reloads when its edition publishes).
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bookbuild.serve.builder import Builder
from bookbuild.serve.watcher import Watcher

INPUTS = ("book.toml", "manuscript", "footnotes", "styles", "assets")


def copy_book(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for name in INPUTS:
        p = src / name
        if p.is_dir():
            shutil.copytree(p, dst / name)
        elif p.is_file():
            shutil.copy2(p, dst / name)
    return dst


def edit(book: Path, n: int) -> None:
    first = sorted((book / "manuscript").glob("*.md"))[0]
    lines = first.read_text(encoding="utf-8").split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.strip() and not ln.startswith(("#", ">", "!", ":", "[")))
    lines[i] += "又改" + "〇一二三四五六七八九"[n % 10] + "。"
    first.write_text("\n".join(lines), encoding="utf-8")


def wait_gens(builder: Builder, before: dict[str, int], t0: float, timeout: float = 120) -> dict[str, float]:
    seen: dict[str, float] = {}
    while time.monotonic() - t0 < timeout and len(seen) < len(before):
        snap = builder.wait(builder.snapshot()["revision"], builder.snapshot()["status"], 0.05)
        for name, e in snap["editions"].items():
            if name not in seen and e["gen"] != before[name]:
                seen[name] = time.monotonic() - t0
    return seen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("book", type=Path)
    ap.add_argument("--edits", type=int, default=3)
    ap.add_argument("--edition", action="append", default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bb-serve-"))
    try:
        book = copy_book(args.book.resolve(), tmp / "book")
        builder = Builder(book, args.edition, tmp / "serve")
        watcher = Watcher(book, builder.request, interval=0.1 if os.environ.get("FAST_POLL") else 0.25)
        builder.start()
        first = wait_gens(builder, dict.fromkeys(builder.editions, 0), time.monotonic(), 600)
        print("first builds:", {n: round(s, 2) for n, s in first.items()})
        watcher.start()
        for n in range(args.edits):
            before = {k: e["gen"] for k, e in builder.snapshot()["editions"].items()}
            t0 = time.monotonic()
            edit(book, n)
            got = wait_gens(builder, before, t0)
            print(f"edit {n + 1}: " + ", ".join(f"{k} shown after {s:.2f} s" for k, s in got.items()),
                  f"(load {os.getloadavg()[0]:.1f})")
            time.sleep(0.5)
        watcher.stop()
        builder.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
