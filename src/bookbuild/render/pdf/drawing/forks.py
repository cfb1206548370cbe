"""Processes a pdf build forks (drawing workers, the layout.json writer):
how they take signals, and one write done in a forked child.
"""
from __future__ import annotations

import ctypes
import gc
import os
import signal
from collections.abc import Callable
from pathlib import Path


def child_signals() -> None:
    """In a process forked for drawing or writing: Ctrl-C reaches the whole
    process group, but only the parent decides (it terminates the pool);
    SIGTERM ends the process at once, as the kernel's default does (a
    Python handler could miss a signal that lands just before a blocking
    wait, and the parent would wait for ever); the parent removes what it
    left (atomic.remove_stale: the pid is in the temporary name); and the
    process ends with its parent, even one killed with SIGKILL (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM, 0, 0, 0)     # PR_SET_PDEATHSIG


def _resolve_prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None     # not Linux: the pool's own shutdown ends the workers


# Resolved here, in the parent: a child forked while other threads run (the
# pool's) must not import or dlopen — a lock held at fork time deadlocks it.
_PRCTL = _resolve_prctl()


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
