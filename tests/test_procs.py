"""procs.py: an interrupt held back while native modules are imported."""
from __future__ import annotations

import os
import signal

from bookbuild.procs import signals_held


def test_an_interrupt_waits_for_the_end_of_the_block():
    """A SIGTERM that lands during a renderer's import (pikepdf's nanobind enums
    abort the process when the handler raises there) is delivered after it."""
    got: list[str] = []
    old = signal.signal(signal.SIGTERM, lambda signum, frame: got.append("handled"))
    try:
        with signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            got.append("inside")
        got.append("after")
    finally:
        signal.signal(signal.SIGTERM, old)
    assert got == ["inside", "handled", "after"]
