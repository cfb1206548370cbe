"""The processes a process (or one of its threads) started, read from /proc (Linux; [] elsewhere),
and how a forked child takes signals."""
from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back by the kernel while inside, delivered on the way
    out: the command's handler raises, and an exception raised while a native
    module is being imported (pikepdf's nanobind enums) aborts the process
    instead of stopping it cleanly."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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


class Forked:
    """A child forked to compute `make()` and send its bytes back through a pipe
    (beside.py's editions, the EPUB's later chapters).  `take()` waits for it:
    its bytes, or None when it failed or none was forked (`make` None, or no
    fork); `close()` ends a child not taken."""

    def __init__(self, make: Callable[[], bytes] | None):
        self.pid, self.read = 0, -1
        if make is None:
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:                     # the child: make, send, leave at once
            code = 1
            try:
                os.close(read)
                child_signals()
                data = make()
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.read = pid, read

    def take(self) -> bytes | None:
        if not self.pid:
            return None
        with os.fdopen(self.read, "rb") as src:
            self.read = -1
            payload = src.read()
        pid, self.pid = self.pid, 0
        return payload if os.waitpid(pid, 0)[1] == 0 and payload else None

    def close(self) -> None:
        if self.read >= 0:
            os.close(self.read)
            self.read = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0
