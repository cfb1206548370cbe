"""Internal errors: the traceback goes to a report file, never to the user's terminal."""
from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path


def report_crash() -> Path:
    folder = Path(os.environ.get("BOOKBUILD_CRASH_DIR") or tempfile.gettempdir())
    path = folder / f"bookbuild-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    try:
        path.write_text(traceback.format_exc(), encoding="utf-8")
    except OSError:
        path = Path("(could not write a report)")
    return path
