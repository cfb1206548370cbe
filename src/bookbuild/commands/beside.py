"""Editions built by a forked process beside the others (issue 19).

A build of several editions used one core: the editions were made one after
the other, and most of each is Python.  The epub editions that need no pdf
edition's pages (no `page_source`) read nothing another edition writes, so a
process forked once the shared data is finished builds them into the same
stage folder while this one builds the rest, and sends back their
diagnostics.  Their files are the bytes this process would write.

Never with `--jobs 1`, nor off Linux (macOS forbids a fork of a process
whose system libraries may run threads), nor when nothing else is built.  A
child that fails, or cannot be forked, leaves its editions to this process,
which builds them after the others as before.
"""
from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable

from ..cache import book_classes, safe_dumps, safe_loads
from ..diagnostics import Diagnostic
from ..procs import Forked
from .progress import Progress

Build = Callable[[str, Progress], list[Diagnostic]]


def side_editions(config, order: list[str], jobs: int | None) -> list[str]:
    """The editions of `order` a forked process may build: epub editions without a page_source."""
    if jobs == 1 or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return []
    side = [n for n in order if config.edition(n).is_epub and not config.edition(n).page_source]
    return side if len(side) < len(order) else []


class Beside:
    """The forked process building `names`; `take()` waits for it and returns each
    edition's diagnostics, or None when it built nothing (failed, or none forked)."""

    def __init__(self, names: list[str], build: Build):
        self.names = names
        self.child = Forked((lambda: _answer(names, build)) if names else None)

    @property
    def pid(self) -> int:
        return self.child.pid

    def take(self) -> dict[str, list[Diagnostic]] | None:
        payload = self.child.take()
        if payload is None:
            return None
        try:
            found = safe_loads(payload, book_classes())
        except Exception:       # a torn answer: built here instead
            return None
        return found if isinstance(found, dict) and set(found) == set(self.names) else None

    def close(self) -> None:
        """End a child not taken (this process is leaving on an error or an interrupt)."""
        self.child.close()


def _answer(names: list[str], build: Build) -> bytes:
    """In the child: build `names` quietly; their diagnostics, pickled."""
    quiet = Progress(io.StringIO())
    return safe_dumps({name: build(name, quiet) for name in names}, book_classes())
