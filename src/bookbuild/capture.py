"""What the libraries say goes to bookbuild, never raw to the terminal.

WeasyPrint, fontTools, Pillow, ebooklib and pypandoc report through
`logging`; with no handler of their own, Python prints WARNING and above to
stderr (logging.lastResort), and pypandoc even installs a StreamHandler of
its own when its logger has none.  `install()` gives each of those loggers
one handler, the sink, and stops propagation: a record is kept by every
active `capture()` (which turns it into a diagnostic) and in a short ring
of recent messages that the crash report includes; nothing is printed.

    install() -> None                       idempotent; also routes warnings.warn
    capture(thread_only=False) -> context manager yielding list[Message]
    recent() -> list[Message]               the last messages (crash reports)
"""
from __future__ import annotations

import collections
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass

LIBRARY_LOGGERS = ("weasyprint", "fontTools", "PIL", "ebooklib", "pypandoc", "pydyf",
                   "tinycss2", "cssselect2", "py.warnings")


@dataclass(frozen=True, slots=True)
class Message:
    source: str      # the logger: "weasyprint", "pypandoc", ...
    level: int       # logging level
    text: str


class _Sink(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.active: list[tuple[list[Message], int | None]] = []   # (bucket, thread or None)
        self.ring: collections.deque[Message] = collections.deque(maxlen=50)
        self.guard = threading.Lock()       # Pandoc runs in threads (load/__init__.py)

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            return          # debug/info (e.g. WeasyPrint's progress) is not the author's business
        try:
            text = record.getMessage()
        except Exception:   # a library's bad format string must not end the build
            text = str(record.msg)
        msg = Message(record.name.split(".")[0] if record.name != "py.warnings" else "warnings",
                      record.levelno, text)
        with self.guard:
            self.ring.append(msg)
            for bucket, thread in self.active:
                if thread is None or thread == record.thread:
                    bucket.append(msg)


_SINK = _Sink()


def install() -> None:
    """Route the libraries' loggers and Python warnings to the sink (once per process;
    forked workers inherit it)."""
    for name in LIBRARY_LOGGERS:
        log = logging.getLogger(name)
        if _SINK not in log.handlers:
            log.addHandler(_SINK)
        log.propagate = False
        if log.level == logging.NOTSET or log.level > logging.WARNING:
            log.setLevel(logging.WARNING)
    logging.captureWarnings(True)


@contextmanager
def capture(thread_only: bool = False):
    """Collect the library messages logged inside the block: from any thread,
    or with `thread_only` from this thread alone (Pandoc runs in several
    threads at once, each must know its own messages' lines)."""
    install()
    bucket: list[Message] = []
    entry = (bucket, threading.get_ident() if thread_only else None)
    with _SINK.guard:
        _SINK.active.append(entry)
    try:
        yield bucket
    finally:
        with _SINK.guard:
            _SINK.active.remove(entry)


def recent() -> list[Message]:
    with _SINK.guard:
        return list(_SINK.ring)
