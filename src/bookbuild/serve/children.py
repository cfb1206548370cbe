"""How serve runs one `bookbuild ARGS` child: forked by the fork server, or spawned.

`Children.start` returns a `Child` (wait with a timeout, kill its process
group).  The fork server (bookbuild/forkserver.py) is started on first use and
gives children with bookbuild already imported (≈0.3 s less per build); when it
cannot start or dies, each child is a fresh `python -m bookbuild` as before.
Either way the child runs in a session of its own, with stdin from /dev/null
and stdout/stderr in the files given.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_SLICE = 0.2    # seconds: how long a waiting thread reads before it looks at the status again


class Child:
    """One running build; `wait(timeout)` → exit status (−signal if killed) or None."""

    def __init__(self, pid: int, proc: subprocess.Popen | None = None, server: _ForkServer | None = None):
        self.pid, self._proc, self._server = pid, proc, server
        self.status: int | None = None

    def wait(self, timeout: float | None) -> int | None:
        if self._proc is not None:
            if self.status is None:
                try:
                    self.status = self._proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    return None
            return self.status
        # Forked: the answer comes once, on the server's pipe, and serve's two threads may
        # both wait (the build thread, and stop() ending the child); short slices let the
        # one that did not read it see the status the other set.
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.status is None:
            left = _SLICE if deadline is None else min(_SLICE, max(0.0, deadline - time.monotonic()))
            got = self._server.ended(self.pid, left)
            if got is not None and self.status is None:
                self.status = got
            if deadline is not None and time.monotonic() >= deadline:
                break
        return self.status

    def kill(self) -> None:
        """SIGTERM to its process group (its workers too), SIGKILL after 5 s."""
        if self.wait(0) is not None:
            return
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
            if self.wait(grace) is not None:
                return


class Children:
    def __init__(self, use_fork_server: bool = True):
        # Linux only: macOS forbids fork() in a process that may have started threads
        # (its system libraries do, behind WeasyPrint's), Windows has no fork
        self._use = use_fork_server and sys.platform.startswith("linux")
        self._server: _ForkServer | None = None

    def start(self, args: list[str], out: Path, err: Path) -> Child:
        server = self._fork_server()
        if server is not None:
            pid = server.fork(args, out, err)
            if pid is not None:
                return Child(pid, server=server)
            self.close()
            self._use = False   # it failed once: spawn from now on
        with open(out, "wb") as o, open(err, "wb") as e:
            proc = subprocess.Popen([sys.executable, "-m", "bookbuild", *args], stdin=subprocess.DEVNULL,
                                    stdout=o, stderr=e, start_new_session=True)
        return Child(proc.pid, proc=proc)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _fork_server(self) -> _ForkServer | None:
        if self._use and (self._server is None or not self._server.alive()):
            self._server = _ForkServer.start()
            self._use = self._server is not None
        return self._server


class _ForkServer:
    """The client end of `python -m bookbuild.forkserver` (one build at a time)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self._sel = selectors.DefaultSelector()
        self._sel.register(proc.stdout, selectors.EVENT_READ)
        self._buf = b""
        # serve's build thread waits on a child while its main thread may end it (stop()):
        # one reader at a time, or both wake on one answer and the loser blocks in read()
        self._reading = threading.Lock()

    @classmethod
    def start(cls) -> _ForkServer | None:
        try:
            proc = subprocess.Popen([sys.executable, "-m", "bookbuild.forkserver"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
        except OSError:
            return None
        return cls(proc)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, args: list[str], out: Path, err: Path) -> int | None:
        try:
            self.proc.stdin.write((json.dumps({"args": args, "out": str(out), "err": str(err)}) + "\n").encode())
            self.proc.stdin.flush()
        except (OSError, ValueError):   # ValueError: serve stopping closed it meanwhile
            return None
        answer = self._line(60.0)   # the first request waits for the server's imports
        return answer.get("pid") if answer and "status" not in answer else None

    def ended(self, pid: int, timeout: float | None) -> int | None:
        answer = self._line(timeout)
        if answer is None:
            return None if self.alive() else -signal.SIGKILL   # the server died: so did its wait
        return int(answer.get("status", 70)) if answer.get("pid") == pid else 70

    def _line(self, timeout: float | None) -> dict | None:
        if not self._reading.acquire(timeout=-1 if timeout is None else timeout):
            return None
        try:
            return self._read_line(timeout)
        finally:
            self._reading.release()

    def _read_line(self, timeout: float | None) -> dict | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._sel.select(left):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return None

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
