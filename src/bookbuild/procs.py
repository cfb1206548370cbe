"""The processes a process (or one of its threads) started, read from /proc (Linux; [] elsewhere),
and how a forked child takes signals."""
from __future__ import annotations

import ctypes
import os
import signal


def children(pid: int, tid: int | None = None) -> list[int]:
    """Direct children of `pid` started by thread `tid`, or by any of its threads when tid is None."""
    try:
        tids = [tid] if tid is not None else os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    out: list[int] = []
    for t in tids:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(p) for p in f.read().split()]
        except (OSError, ValueError):
            pass
    return out


def child_signals() -> None:
    """In a process forked to draw, write or build beside the parent: Ctrl-C
    reaches the whole process group, but only the parent decides (it ends its
    children); SIGTERM ends the process at once, as the kernel's default does
    (a Python handler could miss a signal that lands just before a blocking
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
        return None     # not Linux: the parent's own shutdown ends its children


# Resolved here, in the parent: a child forked while other threads run (a
# pool's) must not import or dlopen — a lock held at fork time deadlocks it.
_PRCTL = _resolve_prctl()
