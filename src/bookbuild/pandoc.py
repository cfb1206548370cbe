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

import functools
import importlib.util
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
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


def run_pandoc(source: str | Path, reader: str, writer: str, args: Sequence[str] = (), *,
               direct: bool = False, rts: Sequence[str] = ()) -> tuple[str, list[str]]:
    """Convert `source` (text, or a file when a Path) from `reader` to `writer`.
    Returns Pandoc's output and its messages (warnings); raises PandocError.
    Safe in threads: each run has its own watchdog and keeps its own thread's messages.
    `direct` (text only): Pandoc started by this module, not by pypandoc (_convert_text);
    `rts`: options for its runtime, given only to pypandoc-binary's own Pandoc (built to
    take them; another Pandoc may refuse +RTS and fail)."""
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    limit = time_limit(size)
    done, fired = threading.Event(), threading.Event()
    watchdog = threading.Thread(target=_watch, args=(threading.get_native_id(), limit, done, fired), daemon=True)
    with capture.capture(thread_only=True) as messages:
        watchdog.start()
        try:
            if direct and not isinstance(source, Path):
                out = _convert_text(source, reader, writer, args, rts)
            elif isinstance(source, Path):
                import pypandoc  # deferred: ~0.05 s to import; only runs that need Pandoc pay for it
                out = pypandoc.convert_file(str(source), writer, format=reader, extra_args=list(args))
            else:
                import pypandoc  # deferred: as above
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


def _convert_text(source: str, reader: str, writer: str, args: Sequence[str], rts: Sequence[str] = ()) -> str:
    """pypandoc.convert_text's run without pypandoc: the same command, environment, errors
    and messages (on the "pypandoc" logger, as pypandoc logs them), without importing it
    and without the three Pandoc runs it makes first (--version, --list-input-formats,
    --list-output-formats): 0.1-0.15 s before a load's Pandoc could start."""
    binary, files = pandoc_binary()
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + os.pathsep + files)
    rts = ["+RTS", *rts, "-RTS"] if rts and binary == os.path.join(files, "pandoc") else []
    proc = subprocess.Popen([binary, *rts, f"--from={reader}", f"--to={writer}", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.communicate(source.encode("utf-8"))
    stderr = err.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f'Pandoc died with exitcode "{proc.returncode}" during conversion: {stderr}')
    log = logging.getLogger("pypandoc")
    for level, text in _pandoc_messages(stderr) if stderr else ():
        log.log(level, text)
    return out.decode("utf-8", errors="replace")


_LEVELS = {"ERROR": 40, "WARNING": 30, "INFO": 20, "DEBUG": 10}


def _pandoc_messages(raw: str):
    """(logging level, text) of each "[LEVEL] message" of Pandoc's stderr, a message's
    later lines with it: pypandoc's _classify_pandoc_logging, which this must match."""
    lines = raw.split("\n")
    level, texts = _level_of(lines[0], "WARNING"), []
    texts.append(lines[0].replace(f"[{level}] ", ""))
    for line in lines[1:]:
        found = re.search(r"\[(.*?)\]", line)
        if found is None:
            texts.append(line)
            continue
        yield _LEVELS.get(level, 30), "\n".join(texts)
        level = found.group(1)
        texts = [line.replace(f"[{level}] ", "")]
    yield _LEVELS.get(level, 30), "\n".join(texts)


def _level_of(line: str, default: str) -> str:
    found = re.search(r"\[(.*?)\]", line)
    return found.group(1) if found else default


@functools.cache
def pandoc_binary() -> tuple[str, str]:
    """(the Pandoc pypandoc would run, pypandoc's files folder).  When exactly one
    candidate exists (usually pypandoc-binary's own), that one, found without running
    it; otherwise pypandoc decides (it runs each with --version and takes the newest)."""
    spec = importlib.util.find_spec("pypandoc")
    files = os.path.join(os.path.dirname(os.path.realpath(spec.origin)), "files") if spec and spec.origin else ""
    if os.environ.get("PYPANDOC_PANDOC"):
        candidates = [os.environ["PYPANDOC_PANDOC"]]
    else:
        # every place pypandoc looks on Linux and macOS (_ensure_pandoc_path), and more
        candidates = ["pandoc", os.path.join(files, "pandoc"), "~/bin/pandoc", "~/Applications/pandoc/pandoc",
                      "~/.bin/pandoc", os.path.join(sys.exec_prefix, "bin", "pandoc.exe"),
                      os.path.join(sys.exec_prefix, "bin", "pandoc")]
    found = [os.path.expanduser(c) for c in candidates if _exists(c)]
    if sys.platform != "win32" and len(found) == 1 and (found[0] == "pandoc" or os.access(found[0], os.X_OK)):
        return found[0], files
    import pypandoc  # deferred: only when several Pandocs (or none) are there to choose from
    return pypandoc.get_pandoc_path(), files


def _exists(candidate: str) -> bool:
    if candidate == "pandoc":
        return shutil.which("pandoc") is not None
    return os.path.exists(os.path.expanduser(candidate))


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
