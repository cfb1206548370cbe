"""`python -m bookbuild.forkserver`: serve's build children, forked with bookbuild already imported.

Why: a `bookbuild build` process spends ≈0.3 s importing bookbuild, WeasyPrint,
lxml, fontTools, pikepdf … before it reads a byte of the book, and `serve`
starts one after every save (issue 19: the preview within 2 s).  This server
is started once by serve (serve/children.py) as a plain child of its own, so
serve's threads are never forked; it imports what a build needs, then forks
one process per build.  Each build is still a process of its own, in a session
of its own (a crash, a leak or a worker pool never reaches serve; a cancelled
build is ended by killing its process group), and runs exactly `bookbuild
ARGS` (cli.main) — it only starts with its imports done.

Protocol, one JSON object per line: serve writes {"args": [...], "out": path,
"err": path}; the server answers {"pid": N} once forked, then {"pid": N,
"status": S} when the build ended (S as subprocess reports it: the exit code,
or −signal).  One build at a time; end of input ends the server.
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import traceback

from . import gcpolicy
from .cli import main as cli_main

# What `build` imports on its way (cli._run defers them so `check` stays light);
# loading them here is the whole point.  A module that fails to import is
# skipped: the child imports it again and reports the failure as usual.
PRELOAD = ("bookbuild.commands.build", "bookbuild.commands.check",
           "bookbuild.render.pdf", "bookbuild.render.epub", "weasyprint", "pikepdf",
           "uharfbuzz", "ebooklib.epub", "pypinyin")


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is serve's to handle; EOF ends us
    gcpolicy.use_for_process()                     # as cli.main_entry: the children inherit it
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:   # noqa: BLE001 - the build child reports it with its own message
            pass
    for line in sys.stdin:
        try:
            req = json.loads(line)
            args, out, err = list(map(str, req["args"])), str(req["out"]), str(req["err"])
        except (ValueError, KeyError, TypeError):
            _answer({"error": "bad request"})
            continue
        pid = _fork(args, out, err)
        _answer({"pid": pid})
        _, status = os.waitpid(pid, 0)
        _answer({"pid": pid, "status": os.waitstatus_to_exitcode(status)})
    return 0


def _answer(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _fork(args: list[str], out: str, err: str) -> int:
    """Fork one build; return once it leads its own session, so that serve's
    killpg can never miss it (a group that does not exist yet is not signalled)."""
    sys.stdout.flush()
    sys.stderr.flush()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(ready_w)
        os.read(ready_r, 1)     # b"" too when it died first: waitpid then reports how
        os.close(ready_r)
        return pid
    code = 70
    try:
        os.close(ready_r)
        os.setsid()
        os.close(ready_w)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _redirect(0, os.devnull, os.O_RDONLY)
        _redirect(1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _redirect(2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        sys.argv = ["bookbuild", *args]
        code = cli_main(args)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:   # noqa: BLE001 - cli.main reports its own; this is the last resort
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _redirect(fd: int, path: str, flags: int) -> None:
    new = os.open(path, flags, 0o644)
    os.dup2(new, fd)
    os.close(new)


if __name__ == "__main__":
    sys.exit(main())
