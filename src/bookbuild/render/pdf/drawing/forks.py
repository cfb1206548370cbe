"""Processes a pdf build forks (drawing workers, the layout.json writer):
how they take signals, and one write done in a forked child.
"""
from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable
from pathlib import Path

from ....procs import child_signals

__all__ = ["child_signals", "in_background"]


def in_background(write: Callable[[Path], None], tmp: Path) -> Callable[[bool], None]:
    """Run write(tmp) in a forked child.  The returned finish(keep) waits for
    it; with keep, the parent writes tmp itself when the child failed (or
    there is no fork); without, the child is ended first.  The child also
    ends with the parent (even after a SIGKILL)."""
    pid = os.fork() if hasattr(os, "fork") else -1
    if pid == 0:                                   # the child: write, then leave at once
        code = 1
        try:
            child_signals()
            gc.disable()        # it leaves as soon as it has written: no cycle outlives it (7 % of layout.json)
            write(tmp)
            code = 0
        finally:
            os._exit(code)

    def finish(keep: bool) -> None:
        if pid > 0 and not keep:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        ok = pid > 0 and os.waitpid(pid, 0)[1] == 0
        if keep and not ok:
            write(tmp)
    return finish
