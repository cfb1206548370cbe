"""Atomic output: write to a temporary file beside the target, then rename.

A failed or interrupted build never leaves a half-written file at the final
path, and never removes the previous good output.

Temporary names are `.<target name>.<pid>.<random>.part`: the pid lets a
later build tell the leftovers of a killed process (SIGKILL cannot be
handled) from the files of a build still running (`remove_stale`).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _mkstemp(target: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    return Path(tmp)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in target's folder; rename it over target on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _mkstemp(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


class Staged:
    """Several outputs renamed into place together at the end (a pdf, its
    layout.json and log.json): an interruption before `commit` leaves every
    previous file as it was, and SIGINT/SIGTERM wait until the renames are
    done, so the folder never mixes two builds' files.

        with Staged() as staged:
            write(staged.path(target_a)); write(staged.path(target_b))
        # renamed on a clean exit, removed on an exception
    """

    def __init__(self):
        self.items: list[tuple[Path, Path]] = []

    def path(self, target: Path) -> Path:
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _mkstemp(target)
        self.items.append((tmp, target))
        return tmp

    def commit(self) -> None:
        with signals_deferred():
            for tmp, target in self.items:
                os.replace(tmp, target)
            self.items = []

    def discard(self) -> None:
        for tmp, _ in self.items:
            _remove(tmp)
        self.items = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()
        return False


@contextmanager
def signals_deferred():
    """SIGINT and SIGTERM held back (delivered when the block ends)."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, OSError, ValueError):   # not POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def atomic_dir(target: Path):
    """Yield a temporary folder beside `target` (which must be missing or
    empty); rename it to `target` on success, remove it on failure: an
    interrupted `import` leaves no half-made book."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        with signals_deferred():
            os.replace(tmp, target)   # onto a missing or empty folder (POSIX rename)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


STAGE = "bookbuild-stage"


def make_stage(out_dir: Path) -> Path | None:
    """A folder inside out_dir (same file system) where a whole build writes
    its outputs before `commit_stage` renames them into out_dir together;
    None when out_dir cannot take it (the renderers then report why)."""
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{STAGE}.{os.getpid()}.", suffix=".part", dir=out_dir))
    except OSError:
        return None


def commit_stage(stage: Path, out_dir: Path) -> list[tuple[Path, OSError]]:
    """Rename every file of `stage` over its namesake in out_dir (signals
    held back meanwhile), then remove stage.  Returns the targets that
    could not be replaced (e.g. a folder in the way), with the error."""
    failed = []
    with signals_deferred():
        for tmp in sorted(Path(stage).iterdir()):
            target = Path(out_dir) / tmp.name
            try:
                os.replace(tmp, target)
            except OSError as e:
                failed.append((target, e))
    shutil.rmtree(stage, ignore_errors=True)
    return failed


# ------------------------------------------------------------ leftovers

_OURS = re.compile(r"^\.(?P<name>.+?)\.(?P<pid>\d+)\.(?:[^/]*\.)?part$")
_CHECK_TMP = re.compile(r"^\.check-.+\.(?P<pid>\d+)\.tmp$")   # cache pickles of earlier versions


def remove_stale(folder: Path, names: list[str] | None = None, *, recursive: bool = False) -> list[Path]:
    """Remove temporary files (and folders) a killed bookbuild left in
    `folder`: ours by name (`.<name>.<pid>.….part`, `name` one of `names`
    when given), and only when that process is gone.  Returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = folder.rglob(".*") if recursive else folder.glob(".*")
    removed = []
    for path in sorted(found):
        if _stale(path.name, names) and not path.is_symlink():
            try:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _stale(name: str, names: list[str] | None) -> bool:
    pid = _pid_in(name, names)
    return pid is not None and not _alive(pid)


def _pid_in(name: str, names: list[str] | None) -> int | None:
    """The pid in one of our temporary names, else None."""
    if names is None:
        m = _OURS.match(name) or _CHECK_TMP.match(name)
        return int(m.group("pid")) if m else None
    for n in names:
        rest = name[len(n) + 2:] if name.startswith(f".{n}.") and name.endswith(".part") else ""
        pid = rest.split(".", 1)[0]
        if pid.isdigit():
            return int(pid)
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False            # left by an earlier process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ------------------------------------------------------------ temporary folders

RUN_PREFIX = "bookbuild-run-"


@contextmanager
def run_tempdir():
    """One private temporary folder for the whole run, removed at the end
    (also after an interrupt): everything `tempfile` makes in this process
    and in the processes it forks or starts goes there, including
    WeasyPrint's font folders, which it removes only when a
    FontConfiguration is garbage-collected (never in a worker that is
    terminated).  Folders of killed runs are removed on the way in."""
    base = Path(tempfile.gettempdir())
    _remove_dead_runs(base)
    folder = tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=base)
    old_dir, old_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
    try:
        yield Path(folder)
    finally:
        tempfile.tempdir = old_dir
        if old_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_env
        shutil.rmtree(folder, ignore_errors=True)


def _remove_dead_runs(base: Path) -> None:
    for path in base.glob(f"{RUN_PREFIX}*"):
        pid = path.name[len(RUN_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
