"""Internal errors: the traceback goes to a report file, never to the user's terminal.

    report_crash() -> Path     call inside an `except` block; returns the report's path

The report holds what a maintainer needs to reproduce the failure: the
bookbuild and Python versions, the platform, the command line, the traceback
(with a worker process's own traceback, which multiprocessing attaches as the
cause) and the last messages the libraries logged (capture.recent()).
`BOOKBUILD_CRASH_DIR` chooses the folder (default: the system temp folder).

Importing this module (the CLI does, first thing) routes the libraries'
loggers away from the terminal (capture.install), in every process the CLI
forks afterwards as well.
"""
from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import __version__, capture

capture.install()


def report_text() -> str:
    lines = [
        f"bookbuild {__version__}",
        f"Python {sys.version.split()[0]} ({platform.python_implementation()}) on {platform.platform()}",
        "command: " + " ".join(_quote(a) for a in sys.argv),
        f"cwd: {os.getcwd()}",
        time.strftime("time: %Y-%m-%dT%H:%M:%S%z"),
        "",
        traceback.format_exc().rstrip(),
    ]
    messages = capture.recent()
    if messages:
        lines += ["", "last library messages:"]
        lines += [f"  [{m.source}] {m.text}" for m in messages]
    return "\n".join(lines) + "\n"


def _quote(arg: str) -> str:
    return repr(arg) if (not arg or any(c.isspace() for c in arg)) else arg


def report_crash() -> Path:
    folder = Path(os.environ.get("BOOKBUILD_CRASH_DIR") or tempfile.gettempdir())
    try:
        text = report_text()
    except Exception:       # the report itself must not fail: the traceback at least
        text = traceback.format_exc()
    try:
        fd, name = tempfile.mkstemp(prefix=f"bookbuild-crash-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=".txt", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return Path(name)
    except OSError:
        return Path("(could not write a report)")
