"""Time one command as a fresh process tree: wall time and peak RSS.

Peak RSS and CPU time come from `os.wait4`, whose rusage covers the child
and every descendant it waited for; Linux reports the largest single
process (`ru_maxrss`), not a sum, which is what "peak RSS per process"
means.  Chromium's renderers are not waited for by the process we start,
so their CPU time never reaches that rusage: the optional tree sampler
reads /proc every 0.2 s and keeps the peak of the summed RSS and, per
process, the last CPU time seen (it misses at most the last 0.2 s of each
process).  CPU time matters here because the machines are shared: wall
time grows with other people's load, CPU time much less.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_RUSAGE_EXEC = Path(__file__).with_name("rusage_exec.py")


@dataclass
class Sample:
    wall: float
    maxrss_mib: float
    tree_mib: float | None
    rc: int
    error: str          # first line of stderr when rc != 0
    cpu: float = 0.0    # user + system seconds of the tree


def run_once(cmd: list[str], *, env: dict | None = None, cwd: Path | None = None,
             timeout: float = 1800, tree_rss: bool = False) -> Sample:
    """Run cmd once; never raises for a failing or missing command."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as stats:
        t0 = time.perf_counter()
        try:
            if not shutil.which(cmd[0]) and not Path(cmd[0]).exists():
                raise FileNotFoundError(2, "No such file or directory")
            proc = subprocess.Popen([sys.executable, str(_RUSAGE_EXEC), stats.name, *cmd], stdout=out,
                                    stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                    start_new_session=True)
        except OSError as e:
            return Sample(0.0, 0.0, None, 127, f"cannot start {cmd[0]}: {e.strerror or e}")
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        sampler = _TreeSampler(proc.pid) if tree_rss else None
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            if sampler:
                sampler.stop()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        rc = proc.returncode
        error = ""
        if rc != 0:
            err.seek(0)
            error = _first_line(err.read().decode("utf-8", "replace"))
            if rc in (-signal.SIGKILL, 128 + signal.SIGKILL) and wall >= timeout:
                error = f"timeout after {timeout:.0f} s"
            error = error or f"exit status {rc}"
        own = _read_stats(stats.name)
    # the command's own peak (see rusage_exec.py); the wrapper's rusage if it died first
    maxrss_kib = own.get("maxrss_kib", usage.ru_maxrss)
    cpu = usage.ru_utime + usage.ru_stime
    if sampler:
        cpu = max(cpu, sampler.cpu_seconds())
    return Sample(wall, maxrss_kib / 1024, sampler.peak_mib if sampler else None, rc, error, cpu)


def _read_stats(path: str) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class _TreeSampler:
    """Peak of the summed RSS of a process and its descendants (from /proc)."""

    def __init__(self, root: int, interval: float = 0.2):
        self.root, self.interval, self.peak_mib = root, interval, 0.0
        self.cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        page_mib = os.sysconf("SC_PAGE_SIZE") / 2**20
        while not self._stop.wait(self.interval):
            total = 0
            for pid in _descendants(self.root):
                rss, ticks = _usage(pid)
                total += rss
                self.cpu_ticks[pid] = max(ticks, self.cpu_ticks.get(pid, 0))
            self.peak_mib = max(self.peak_mib, total * page_mib)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _usage(pid: int) -> tuple[int, int]:
    """(resident pages, user + system clock ticks) of one process; 0s if gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            rss = int(fh.read().split()[1])
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return rss, int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0, 0
