"""Every Pandoc run of bookbuild (load, citeproc, import): one function with a watchdog.

    run_pandoc(source, reader, writer, args) -> (output, messages)
    PandocError .reason, .detail, .timed_out; .diagnostic(file, line) -> BB605

Pandoc's reader can take exponential time on some input (many `[` open at
once, deep emphasis), and citeproc or the docx reader may meet input no
bound of ours foresaw: past its time limit a run is killed and raises
PandocError, which the caller reports as BB605 at the file it was given —
never a hang.  Pandoc's messages are returned, never printed.
"""
from __future__ import annotations

import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path

from . import capture
from .diagnostics import Diagnostic
from .procs import children

capture.install()     # pypandoc prints Pandoc's warnings itself unless its logger has a handler

TIMEOUT_HINT = ("some Markdown makes Pandoc's reader exponential (e.g. many unclosed [ or nested emphasis); "
                "simplify the construct, and report it with the book")
FAILED_HINT = "check that pypandoc-binary is installed; if it is, report this with the book"


class PandocError(Exception):
    """Pandoc failed (`detail`: everything it said, `reason`: its last line), or was
    stopped by the watchdog after `limit` seconds (`timed_out`)."""

    def __init__(self, detail: str, limit: float | None = None):
        super().__init__(detail)
        lines = [ln for ln in detail.strip().splitlines() if ln.strip()]
        self.detail = detail
        self.reason = lines[-1].strip() if lines else "Pandoc failed"
        self.limit = limit

    @property
    def timed_out(self) -> bool:
        return self.limit is not None

    def diagnostic(self, file: str, line: int = 1, hint: str = "") -> Diagnostic:
        """BB605 at the file the run was about."""
        if self.timed_out:
            return Diagnostic("BB605", f"Pandoc took longer than {self.limit:g} s on this text and was stopped",
                              file, line, 1, hint or TIMEOUT_HINT)
        return Diagnostic("BB605", f"Pandoc failed: {self.reason[:300]}", file, line, 1, hint or FAILED_HINT)


def run_pandoc(source: str | Path, reader: str, writer: str, args: Sequence[str] = ()) -> tuple[str, list[str]]:
    """Convert `source` (text, or a file when a Path) from `reader` to `writer`.
    Returns Pandoc's output and its messages (warnings); raises PandocError.
    Safe in threads: each run has its own watchdog and keeps its own thread's messages."""
    import pypandoc  # deferred: ~0.13 s to import; only runs that need Pandoc pay for it

    size = source.stat().st_size if isinstance(source, Path) else len(source)
    limit = time_limit(size)
    done, fired = threading.Event(), threading.Event()
    watchdog = threading.Thread(target=_watch, args=(threading.get_native_id(), limit, done, fired), daemon=True)
    with capture.capture(thread_only=True) as messages:
        watchdog.start()
        try:
            if isinstance(source, Path):
                out = pypandoc.convert_file(str(source), writer, format=reader, extra_args=list(args))
            else:
                out = pypandoc.convert_text(source, writer, format=reader, extra_args=list(args))
        except (RuntimeError, OSError) as exc:
            if fired.is_set():
                raise PandocError(f"stopped after {limit:g} s", limit) from None
            raise PandocError(str(exc).strip() or type(exc).__name__) from None
        finally:
            done.set()
    if fired.is_set():
        # past the limit, though it ended before the watchdog's next look (it polls):
        # the same run must not be accepted or refused by the luck of the timing
        raise PandocError(f"stopped after {limit:g} s", limit)
    return out, [msg.text for msg in messages if msg.source == "pypandoc"]


def time_limit(size: int) -> float:
    """Seconds one Pandoc run may take: far above a normal run (about a second per 100,000
    characters), so only a Pandoc caught in exponential time on some input is stopped.
    BOOKBUILD_PANDOC_TIMEOUT overrides it (seconds)."""
    env = os.environ.get("BOOKBUILD_PANDOC_TIMEOUT", "")
    try:
        return max(float(env), 0.001) if env else 120.0 + size / 5_000
    except ValueError:
        return 120.0 + size / 5_000


def _watch(tid: int, limit: float, done: threading.Event, fired: threading.Event) -> None:
    """The watchdog of one run: past `limit` seconds, SIGKILL every Pandoc that thread `tid`
    starts until the run ends (pypandoc may start the conversion only after probing Pandoc
    with runs of its own).  pypandoc then raises, and the run becomes PandocError instead of
    a wait that never ends.  Pandoc runs of other threads go on.  Linux (/proc); elsewhere
    the run is simply not bounded."""
    if done.wait(limit):
        return
    fired.set()
    while not done.is_set():
        for pid in children(os.getpid(), tid):
            try:
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("pandoc"):
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        done.wait(0.05)
