"""The processes a process (or one of its threads) started, read from /proc (Linux; [] elsewhere)."""
from __future__ import annotations

import os


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
