"""Running bookbuild as an author does: the command line in a child process (`bookbuild`), and the in-process
`check`, `fix` and `import` commands with their output captured (`check_json`, `fix_book`, `import_book`)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from bookbuild.commands.check import run_check
from bookbuild.commands.fix import run_fix
from bookbuild.commands.importer import run_import
from helpers.books import REPO

SRC = REPO / "src"
CONSOLE_SCRIPT = Path(sys.executable).parent / "bookbuild"


def src_env(**changes: str | None) -> dict[str, str]:
    """os.environ with this checkout's src/ first on PYTHONPATH (a child then runs the code under test even without
    an editable install) and `changes` applied (None removes a variable)."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return _changed({**os.environ, "PYTHONPATH": path}, changes)


def _changed(env: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    out = dict(env)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def bookbuild_command(*, console_script: bool = False) -> list[str]:
    """How to start bookbuild: the venv's `bookbuild` console script when asked for and installed (what an author
    runs), else `python -m bookbuild`."""
    if console_script and CONSOLE_SCRIPT.is_file():
        return [str(CONSOLE_SCRIPT)]
    return [sys.executable, "-m", "bookbuild"]


def bookbuild(*args, cwd: Path | None = None, env: dict[str, str | None] | None = None, timeout: float = 300,
              console_script: bool = False, with_src: bool = False) -> subprocess.CompletedProcess:
    """`bookbuild *args` in a child process, stdout and stderr captured as text.  env: variables changed from
    os.environ (None removes one); with_src: this checkout's src/ first on PYTHONPATH (see src_env)."""
    base = src_env() if with_src else dict(os.environ)
    return subprocess.run([*bookbuild_command(console_script=console_script), *map(str, args)], cwd=cwd,
                          env=_changed(base, env or {}), capture_output=True, text=True, timeout=timeout)


def check_json(book: Path, **options) -> tuple[int, list[dict]]:
    """`bookbuild check --format json` in process: (exit status, diagnostics); never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    status = run_check([book], fmt="json", stdout=out, stderr=err, **options)
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return status, json.loads(out.getvalue())["diagnostics"]


def fix_book(book: Path, *, check: bool = False, diff: bool = False, **options) -> tuple[int, str, str]:
    """`bookbuild fix` in process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = run_fix(book, check=check, diff=diff, stdout=out, stderr=err, **options)
    return status, out.getvalue(), err.getvalue()


def import_book(source: Path, out: Path, **options) -> tuple[int, str, str]:
    """`bookbuild import source --out out` in process: (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_import(source, out, stdout=stdout, stderr=stderr, **options)
    return status, stdout.getvalue(), stderr.getvalue()
