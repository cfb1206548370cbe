"""`bookbuild serve [BOOK_DIR]`: live preview on http://127.0.0.1:8000/ until Ctrl-C (exit 130)."""
from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from ..booktoml import NoBook, find_book_toml
from ..serve.builder import Builder
from ..serve.server import PreviewServer
from ..serve.watcher import Watcher

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def run_serve(book_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
              editions: list[str] = (), stderr=None) -> int:
    stderr = stderr or sys.stderr
    if not 0 <= port <= 65535:
        print(f"bookbuild: --port {port} is not a port number (hint: 0-65535; 0 picks a free one)", file=stderr)
        return 2
    try:
        root, _, _ = find_book_toml(book_dir.resolve())
    except NoBook as e:
        print(f"bookbuild: {e}", file=stderr)
        return 2
    builder = Builder(root, list(editions), root / ".bookbuild" / "serve")
    try:
        server = PreviewServer(host, port, root, builder)
    except (OSError, UnicodeError, TypeError) as e:   # the last two: a host name that cannot be encoded
        print(f"bookbuild: cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}"
              " (hint: check --host, or choose another --port)", file=stderr)
        return 1
    watcher = Watcher(root, builder.request)
    if host not in LOOPBACK:
        print(f"bookbuild: warning: {host} is not a loopback address; the preview is visible "
              "to other machines", file=stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"bookbuild serve: http://{shown}:{server.server_address[1]}/ "
          f"watching {root} (Ctrl-C to stop)", file=stderr, flush=True)
    threading.Thread(target=_report, args=(builder, stderr), daemon=True).start()
    builder.start()
    watcher.start()
    try:
        _signals()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("bookbuild serve: stopped", file=stderr)
        return 130
    except _Terminated:
        print("bookbuild serve: terminated", file=stderr)
        return 143
    finally:
        server.stopping = True
        watcher.stop()
        builder.stop()
        server.server_close()
    return 0


class _Terminated(Exception):
    pass


def _signals() -> None:
    """Ctrl-C even when the shell started us with SIGINT ignored (`cmd &`), and a clean
    stop on SIGTERM: the build children run in their own sessions and must be ended by us."""
    def term(signum, frame):
        raise _Terminated()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, term)


def _report(builder, stderr) -> None:
    """One terminal line per finished build; the browser shows the details."""
    snap = builder.snapshot()
    while True:
        new = builder.wait(snap["revision"], snap["status"], 60)
        if new["revision"] != snap["revision"]:
            for name, e in new["editions"].items():
                old = snap["editions"].get(name, {})
                if e["gen"] != old.get("gen") or e["failed"] != old.get("failed"):
                    state = f"failed: {e['failed']}" if e["failed"] else f"built (build {e['gen']})"
                    print(f"bookbuild serve: {name} {state}; {new['errors']} errors, "
                          f"{new['warnings']} warnings", file=stderr, flush=True)
        snap = new
