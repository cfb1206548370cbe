"""The bad-input corpus: tests/corpus/bad/<case>/ is a small book broken one way
plus expect.toml (format: the folder's README.md).  Each case runs the installed
`bookbuild` in a subprocess, as an author would, and asserts the exit status,
the diagnostics (code, file, line, column), that no traceback is printed, that
no temporary file is left behind and that a failed build leaves no output."""
from __future__ import annotations

import errno
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

from helpers.cli import bookbuild_command, src_env

CORPUS = Path(__file__).parent / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.toml").is_file()) if CORPUS.is_dir() else []
NOT_BOOK = {"expect.toml", "generate.py", "__pycache__"}
TIMEOUT = 300
# `path:line:col: severity BBnnn` in the text format (fix and import print text)
TEXT_DIAG = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) (?P<code>BB\d{3}) ",
                       re.M)


@cache
def _unshare_works() -> bool:
    """A private mount namespace (unshare -rm) lets a case mount a read-only
    bind or a tiny tmpfs over its output folder, which stops root too (chmod
    does not).  Off when BOOKBUILD_CORPUS_NO_UNSHARE is set (tests the fallbacks)."""
    if os.environ.get("BOOKBUILD_CORPUS_NO_UNSHARE") or not shutil.which("unshare"):
        return False
    try:
        r = subprocess.run(["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=4k tmpfs "$0"', "/mnt"],
                           capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


# Fallback without unshare: run the CLI with every write under the output
# folder failing with errno argv[1] (ENOSPC: a full disk; EROFS: read-only).
_FAIL_DRIVER = r'''
import builtins, errno, io, os, sys
code, out = int(sys.argv[1]), os.path.realpath(sys.argv[2])
def _full(path):
    try:
        p = os.path.realpath(os.fspath(path))
    except TypeError:
        return False
    return p == out or p.startswith(out + os.sep)
def _raise(path):
    raise OSError(code, os.strerror(code), os.fspath(path))
_open, _os_open = builtins.open, os.open
def open_(file, mode="r", *a, **k):
    if any(c in mode for c in "wax+") and not isinstance(file, int) and _full(file):
        _raise(file)
    return _open(file, mode, *a, **k)
def os_open(path, flags, *a, **k):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and _full(path):
        _raise(path)
    return _os_open(path, flags, *a, **k)
builtins.open = io.open = open_
os.open = os_open
try:
    import pikepdf
    _save = pikepdf.Pdf.save
    def save(self, filename=None, *a, **k):
        if isinstance(filename, (str, os.PathLike)) and _full(filename):
            _raise(filename)
        return _save(self, filename, *a, **k)
    pikepdf.Pdf.save = save
except ImportError:
    pass
from bookbuild.cli import main
sys.exit(main(sys.argv[3:]))
'''


def _command(fault: str, out: Path, argv: list[str]) -> list[str]:
    """The command line, wrapped so the fault is real for the subprocess."""
    if not fault:
        return bookbuild_command(console_script=True) + argv
    if fault == "readonly-out":
        if _unshare_works():
            return ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(out),
                    *bookbuild_command(console_script=True), *argv]
        if os.geteuid() == 0:  # chmod does not stop root
            return [sys.executable, "-c", _FAIL_DRIVER, str(errno.EROFS), str(out), *argv]
        out.chmod(0o555)
        return bookbuild_command(console_script=True) + argv
    if fault == "full-disk":
        if _unshare_works():
            return ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=4k tmpfs "$0" && exec "$@"', str(out),
                    *bookbuild_command(console_script=True), *argv]
        return [sys.executable, "-c", _FAIL_DRIVER, str(errno.ENOSPC), str(out), *argv]
    raise AssertionError(f"unknown fault {fault!r}")


def _copy_case(case: Path, book: Path) -> None:
    shutil.copytree(case, book, symlinks=True, ignore=lambda d, names: [n for n in names if n in NOT_BOOK])


def _generate(case: Path, book: Path) -> None:
    gen = case / "generate.py"
    if gen.is_file():
        spec = importlib.util.spec_from_file_location(f"corpus_gen_{case.name.replace('-', '_')}", gen)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.generate(book)


def _diagnostics(command: str, stdout: str, stderr: str, cwd: Path) -> list[dict]:
    """Every diagnostic printed, each with an absolute `path`."""
    if command in ("check", "build") and stdout.strip():
        doc = json.loads(stdout)
        base = Path(doc["book_dir"])
        diags = doc["diagnostics"]
    else:
        base = cwd
        diags = [dict(m.groupdict(), line=int(m["line"]), column=int(m["column"]))
                 for m in TEXT_DIAG.finditer(stdout + "\n" + stderr)]
    for d in diags:
        d["path"] = os.path.realpath(base / d["file"])
    return diags


def _matches(got: dict, want: dict, book: Path, subst) -> bool:
    if got["code"] != want["code"]:
        return False
    if "file" in want and got["path"] != os.path.realpath(book / subst(want["file"])):
        return False
    return all(got[k] == want[k] for k in ("line", "column") if k in want)


def _leftovers(*folders: Path) -> list[str]:
    """Temporary files an interrupted or failed write would leave (atomic.py's `.name.XXXX.part`)."""
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [str(p) for p in folder.rglob("*") if p.name.endswith((".part", ".tmp"))]
    return found


def _editions(book: Path, argv: list[str]) -> list[tuple[str, str]]:
    """(name, format) of the editions this build was asked for, when book.toml can be read."""
    toml = book / "book.toml" if (book / "book.toml").is_file() else book / "manuscript" / "book.toml"
    try:
        editions = tomllib.loads(toml.read_text(encoding="utf-8")).get("editions", {})
        named = [(n, e["format"]) for n, e in editions.items() if isinstance(e, dict) and "format" in e]
    except (OSError, ValueError, AttributeError, UnicodeDecodeError):
        return []
    asked = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--edition"]
    return [(n, f) for n, f in named if not asked or n in asked]


@pytest.mark.parametrize("name", CASES)
def test_bad_input(tmp_path, name):
    case = CORPUS / name
    expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
    book, out = tmp_path / "book", tmp_path / "out"
    _copy_case(case, book)
    out.mkdir()
    _generate(case, book)

    def subst(s: str) -> str:
        return s.replace("{out}", str(out)).replace("{book}", str(book))

    command = expect.get("command", "check")
    argv = [command, *map(subst, expect.get("args", []))]
    if command in ("check", "build"):
        argv += ["--format", "json"]
    env = src_env(BOOKBUILD_CRASH_DIR=str(tmp_path), NO_COLOR="1")
    env.update({k: subst(v) for k, v in expect.get("env", {}).items()})
    try:
        r = subprocess.run(_command(expect.get("fault", ""), out, argv), cwd=book, env=env,
                           capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    finally:
        out.chmod(0o755)
    shown = f"\n--- stdout:\n{r.stdout[-4000:]}\n--- stderr:\n{r.stderr[-4000:]}"

    assert "Traceback" not in r.stdout + r.stderr, shown
    assert r.returncode == expect["exit"], shown
    for s in expect.get("stdout_has", []):
        assert subst(s) in r.stdout, shown
    for s in expect.get("stderr_has", []):
        assert subst(s) in r.stderr, shown

    got = _diagnostics(command, r.stdout, r.stderr, book)
    wanted = expect.get("diag", [])
    for want in wanted:
        assert any(_matches(g, want, book, subst) for g in got), f"missing {want}\ngot {got}{shown}"
    listed = {w["code"] for w in wanted}
    extra = [g for g in got if g["code"] not in listed and (g["severity"] == "error" or expect.get("exact"))]
    assert not extra, f"unexpected diagnostics {extra}{shown}"

    assert not _leftovers(book, out), _leftovers(book, out)
    for path in map(subst, expect.get("absent", [])):
        assert not os.path.lexists(path), f"{path} was written{shown}"
    if command == "build" and r.returncode != 0:
        outs = Path(subst(argv[argv.index("--out") + 1])) if "--out" in argv else book / "dist"
        for edition, fmt in _editions(book, argv):
            assert not (outs / f"{edition}.{fmt}").exists(), f"{edition}.{fmt} written by a failed build"


def test_corpus_has_cases():
    assert len(CASES) >= 2, CASES


def test_fail_driver_fails_writes(tmp_path):
    """The no-unshare fallback really fails writes under the folder (and only there)."""
    out = tmp_path / "out"
    out.mkdir()
    tail = "from bookbuild.cli import main\nsys.exit(main(sys.argv[3:]))"
    assert tail in _FAIL_DRIVER
    probe = _FAIL_DRIVER.replace(tail, "open(sys.argv[3], 'w').write('x')")
    enospc = str(errno.ENOSPC)
    assert subprocess.run([sys.executable, "-c", probe, enospc, str(out), str(tmp_path / "ok")]).returncode == 0
    r = subprocess.run([sys.executable, "-c", probe, enospc, str(out), str(out / "x")], capture_output=True, text=True)
    assert r.returncode != 0 and os.strerror(errno.ENOSPC) in r.stderr
