"""How often the cyclic GC runs while bookbuild works: one setting for every entry.

A build or check makes 10⁵–10⁶ small objects that live to its end (the book,
Pandoc's AST, the units of the layout, the XHTML trees) and almost no cyclic
garbage.  With Python's default thresholds (700, 10, 10) the collector walks
them ~1,000 times, seven of them full passes: ≈0.45–0.6 s CPU of a cold EPUB
build of the stress book, 0.07 s with these (bench/PROFILE.md, 2026-12-07 (5)
and (6)).  Rarer passes still bound the garbage a build can hold.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 10)


def use_for_process() -> None:
    """For a process that only runs bookbuild (cli.main_entry, the fork server)."""
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def fewer_passes() -> Iterator[None]:
    """For one build inside a process that goes on afterwards (tests, proof): the
    old thresholds come back after it."""
    old = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
