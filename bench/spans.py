#!/usr/bin/env python3
"""What a span costs WeasyPrint: draw page ranges as emitted and with kinds of spans taken out.

    python bench/spans.py BOOK RANGE.html [RANGE.html ...] [--repeat 5]

RANGE.html are ranges as the print build hands them to WeasyPrint (write
them with `bench/stages.py BOOK --keep-html DIR`); BOOK is the book they
came from, built once so that its derived faces are in its cache.  Each
variant of each range is drawn by `draw_range` (WeasyPrint, turn, retag,
save), the variants interleaved, best CPU time of --repeat.  A variant
only unwraps spans (their text stays), so the pages hold the same text,
slightly mis-spaced: a throw-away measurement, not an output.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

SPAN = re.compile(r"<span([^>]*)>([^<]*)</span>")


def _unwrap(keep) -> callable:
    def variant(html: str) -> str:
        return SPAN.sub(lambda m: m.group(0) if keep(m.group(1)) else m.group(2), html)
    return variant


def _only(attrs: str, *props: str) -> bool:
    """The span carries only properties among `props` (no class, nothing else)."""
    m = re.fullmatch(r' style="([^"]*)"', attrs)
    return bool(m) and all(p.split(":")[0].strip() in props for p in m.group(1).split(";") if p.strip())


VARIANTS = {
    "as emitted": lambda html: html,
    "letter-spacing-only spans unwrapped": _unwrap(lambda a: not _only(a, "letter-spacing")),
    "margin-only spans unwrapped": _unwrap(lambda a: not _only(a, "margin-left", "margin-right")),
    "call spans unwrapped": _unwrap(lambda a: 'class="call' not in a),
    "every span unwrapped": _unwrap(lambda a: False),
}


def spans_per_kind(html: str) -> dict[str, int]:
    found = [m.group(1) for m in SPAN.finditer(html)]
    return {"all": len(found),
            "letter-spacing only": sum(_only(a, "letter-spacing") for a in found),
            "margin only": sum(_only(a, "margin-left", "margin-right") for a in found),
            "call": sum('class="call' in a for a in found)}


def draw_cpu(html: str, book: Path, out: Path) -> tuple[float, int]:
    from bookbuild.render.pdf.drawing.draw import draw_range
    roots = [book, Path(str(resources.files("bookbuild") / "data")), book / ".bookbuild" / "cache"]
    c0 = time.process_time()
    res = draw_range(html, book.resolve().as_uri() + "/", roots, out, "x", True)
    return time.process_time() - c0, res.pages


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("book", type=Path)
    ap.add_argument("ranges", type=Path, nargs="+")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    htmls = [p.read_text(encoding="utf-8") for p in args.ranges]
    spans = {k: sum(spans_per_kind(h)[k] for h in htmls) for k in spans_per_kind("")}
    best: dict[str, float] = {}
    pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        draw_cpu(htmls[0], args.book, Path(tmp) / "warm.pdf")      # imports, Pango's font set-up
        for _ in range(args.repeat):
            for name, make in VARIANTS.items():
                total, pages = 0.0, 0
                for i, h in enumerate(htmls):
                    dt, n = draw_cpu(make(h), args.book, Path(tmp) / f"{i}.pdf")
                    total, pages = total + dt, pages + n
                best[name] = min(best.get(name, total), total)
    base = best["as emitted"]
    print(f"{len(htmls)} ranges, {pages} pages; spans per page: "
          + ", ".join(f"{k} {v / pages:.1f}" for k, v in spans.items()))
    print(f"best CPU of {args.repeat}, interleaved\n")
    print("| variant | CPU s | ms per page | spans taken out | ms per span taken out |")
    print("|---|---:|---:|---:|---:|")
    removed = {"as emitted": 0, "letter-spacing-only spans unwrapped": spans["letter-spacing only"],
               "margin-only spans unwrapped": spans["margin only"], "call spans unwrapped": spans["call"],
               "every span unwrapped": spans["all"]}
    for name, cpu in best.items():
        n = removed[name]
        per = f"{(base - cpu) / n * 1000:.2f}" if n else "–"
        print(f"| {name} | {cpu:.2f} | {cpu / pages * 1000:.1f} | {n} | {per} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
