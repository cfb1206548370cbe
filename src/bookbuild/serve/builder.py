"""Rebuilds for `bookbuild serve`: one `bookbuild build` child per edition, published atomically.

Why a child process per build: a renderer that crashes, leaks memory or
forks workers (the print PDF) can never take the server down with it, and a
build made stale by a newer edit is cancelled by killing its process group.
The children reuse the check cache (`.bookbuild/cache/`, keyed on content),
so after one edit only the affected edition is rendered again.  An epub
edition's child builds its `page_source` pdf edition first (commands/build.py);
when that pdf edition is previewed too, it is published from the same child
(with the child's diagnostics) instead of being built again by a second one.

Each edition is built into `<serve>/<edition>/.tmp-<n>/` and renamed to
`<serve>/<edition>/<n>/` only when complete; the server reads the current
generation through `Builder.current()`, so it never sees a half-built file.

The children are forked by bookbuild's fork server (serve/children.py,
bookbuild/forkserver.py), so a build starts with its imports done.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..load import declared_editions
from .children import Child, Children


@dataclass
class Edition:
    name: str
    format: str
    gen: int = 0                      # 0: nothing built yet
    path: Path | None = None          # the current generation's folder
    built_at: float = 0.0
    seconds: float = 0.0
    diagnostics: list[dict] = field(default_factory=list)
    failed: str = ""                  # why the last build produced nothing ("" when it did)

    @property
    def output(self) -> Path | None:
        return self.path / f"{self.name}.{self.format}" if self.path else None


def editions_in(root: Path) -> list[tuple[str, str]]:
    """(name, format) of every edition in book.toml, in file order; [] if unreadable."""
    return [(n, e["format"]) for n, e in declared_editions(root).items() if e.get("format") in ("epub", "pdf")]


def default_editions(root: Path) -> list[str]:
    """The first epub and the first pdf edition: one of each to look at."""
    out, seen = [], set()
    for name, fmt in editions_in(root):
        if fmt not in seen:
            seen.add(fmt)
            out.append(name)
    return out


class Builder:
    """Owns the serve folder and the build thread; `revision` counts visible changes."""

    def __init__(self, root: Path, names: list[str] | None, out_root: Path):
        self.root, self.out_root = root, out_root
        self.fixed = list(names or [])            # --edition: exactly these
        self.editions: dict[str, Edition] = {}
        self.status = "starting"
        self.revision = 0
        self.cond = threading.Condition()
        self._pending: set[str] = set()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._running: Child | None = None   # the build child, for stop() to end
        self._children = Children()
        self._gen = 0
        self._thread = threading.Thread(target=self._run, name="bookbuild-build", daemon=True)
        shutil.rmtree(out_root, ignore_errors=True)   # leftovers of an earlier serve
        out_root.mkdir(parents=True, exist_ok=True)
        self._refresh_editions()

    # -------------------------------------------------------------- public
    def start(self) -> None:
        self.request(None)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        self._kill()
        self._children.close()

    def request(self, changed: set[str] | None) -> None:
        """Schedule a rebuild of the editions that `changed` affects (None: all)."""
        with self.cond:
            self._refresh_editions()
            self._pending |= self._affected(changed)
        self._dirty.set()

    def snapshot(self) -> dict:
        with self.cond:
            diags = self.diagnostics()
            return {"revision": self.revision, "status": self.status,
                    "errors": sum(d["severity"] == "error" for d in diags),
                    "warnings": sum(d["severity"] == "warning" for d in diags),
                    "editions": {n: {"gen": e.gen, "format": e.format, "failed": e.failed}
                                 for n, e in self.editions.items()}}

    def current(self, name: str) -> Edition | None:
        """A consistent copy of the edition's state (the build thread may publish meanwhile)."""
        with self.cond:
            e = self.editions.get(name)
            return replace(e) if e else None

    def diagnostics(self) -> list[dict]:
        """The union over the editions (the check's findings appear once)."""
        merged: dict[tuple, dict] = {}
        for e in self.editions.values():
            for d in e.diagnostics:
                key = (d["code"], d["file"], d["line"], d["column"], d["message"])
                merged.setdefault(key, {**d, "editions": []})["editions"].append(e.name)
        return sorted(merged.values(), key=lambda d: (d["file"], d["line"], d["column"], d["code"]))

    def wait(self, revision: int, status: str, timeout: float) -> dict:
        """Block until the revision or status moves (or timeout); returns the snapshot."""
        with self.cond:
            self.cond.wait_for(lambda: self.revision != revision or self.status != status
                               or self._stop.is_set(), timeout)
        return self.snapshot()

    # ---------------------------------------------------------- internals
    def _refresh_editions(self) -> None:
        known = dict(editions_in(self.root))
        names = self.fixed or default_editions(self.root) or list(self.editions)
        for n in names:
            if n not in self.editions:
                self.editions[n] = Edition(n, known.get(n, "epub"))
            elif n in known:
                self.editions[n].format = known[n]

    def _affected(self, changed: set[str] | None) -> set[str]:
        names = set(self.fixed or default_editions(self.root) or self.editions)
        if changed is None:
            return names
        only_styles = {p for p in changed if p.startswith("styles/") and p.endswith(".css")
                       and p != "styles/all.css"}
        if only_styles and only_styles == changed:  # an edition's own stylesheet: that edition
            return {Path(p).stem for p in changed} & names
        return names

    def _set(self, **kw) -> None:
        with self.cond:
            for k, v in kw.items():
                setattr(self, k, v)
            self.cond.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            self._dirty.clear()
            if self._stop.is_set():
                return
            with self.cond:
                todo, self._pending = self._pending, set()
            order = sorted(todo, key=lambda n: (self.editions[n].format != "epub", n))
            published: set[str] = set()
            for i, name in enumerate(order):
                if name in published:    # made by an earlier child as its page source
                    continue
                result = "cancelled" if self._dirty.is_set() else self._build(name, order[i + 1:], published)
                if result == "cancelled":   # a newer edit: start over with everything still to do
                    with self.cond:
                        self._pending |= set(order[i:]) - published
                    break
                if result == "failed" and self._book_refused(name):
                    self._refuse_rest(name, order[i + 1:])
                    break
            if not self._dirty.is_set():
                self._set(status="idle")

    def _build(self, name: str, later: list[str] = (), published: set[str] | None = None) -> str:
        """Build one edition in a child: "published", "failed" or "cancelled".  An edition
        of `later` that the child built too (the pdf an epub takes its page numbers from:
        `build` makes it first) is published from the same child, added to `published`,
        and not built again (a whole print build saved per edit)."""
        self._set(status=f"building {name}")
        self._gen += 1
        tmp = self.out_root / name / f".tmp-{self._gen}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        started = time.monotonic()
        code = self._child(["build", str(self.root), "--edition", name, "--out", str(tmp),
                            "--format", "json"], tmp)
        if code is None:                   # cancelled by a newer edit
            shutil.rmtree(tmp, ignore_errors=True)
            return "cancelled"
        diags, failed = _read_result(tmp, code)
        also = [o for o in later if not failed and (tmp / f"{o}.{self.editions[o].format}").is_file()]
        for other in also:
            if self._publish(other, self._split_off(tmp, other), diags, "", started) and published is not None:
                published.add(other)
        return "published" if self._publish(name, tmp, diags, failed, started) else "failed"

    def _split_off(self, tmp: Path, name: str) -> Path:
        """A folder of its own for the files of `name` that a child built beside another edition."""
        self._gen += 1
        own = self.out_root / name / f".tmp-{self._gen}"
        shutil.rmtree(own, ignore_errors=True)
        own.mkdir(parents=True)
        for p in tmp.glob(f"{name}.*"):    # print.pdf, print.layout.json, print.log.json
            os.replace(p, own / p.name)
        return own

    def _publish(self, name: str, tmp: Path, diags: list[dict], failed: str, started: float) -> bool:
        ed = self.editions[name]
        gen = int(tmp.name.rsplit("-", 1)[1])
        out = tmp / f"{name}.{ed.format}"
        published = not failed and out.is_file() and _unpack(ed, tmp)
        if published:
            final = self.out_root / name / str(gen)
            os.rename(tmp, final)   # complete before anyone can see it
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            failed = failed or "not built: fix the errors first"
        with self.cond:
            ed.diagnostics, ed.failed = diags, failed
            if published:
                ed.gen, ed.path, ed.built_at = gen, final, time.time()
                ed.seconds = time.monotonic() - started
            self.revision += 1
            self.cond.notify_all()
        if published:
            self._prune(name)
        return published

    def _book_refused(self, name: str) -> bool:
        e = self.editions[name]
        return any(d["severity"] == "error" and not d["code"].startswith(("BB6", "BB7"))
                   for d in e.diagnostics)

    def _refuse_rest(self, name: str, rest: list[str]) -> None:
        """The book has errors: every edition would refuse the same way; skip the children."""
        with self.cond:
            for n in rest:
                self.editions[n].diagnostics = list(self.editions[name].diagnostics)
                self.editions[n].failed = self.editions[name].failed
            self.revision += 1
            self.cond.notify_all()

    def _child(self, args: list[str], tmp: Path) -> int | None:
        """Run `bookbuild ARGS` to its end (its exit status), or None once a newer edit cancelled it."""
        child = self._children.start(args, tmp / ".stdout", tmp / ".stderr")
        self._running = child
        try:
            while True:
                code = child.wait(0.1)
                if code is not None:
                    return code
                if self._dirty.is_set():
                    child.kill()
                    return None
        finally:
            self._running = None

    def _kill(self) -> None:
        child = self._running
        if child is not None:
            child.kill()

    def _prune(self, name: str) -> None:
        """Keep the current and the previous generation (a page may still be loading from it)."""
        gens = sorted(int(p.name) for p in (self.out_root / name).iterdir() if p.name.isdigit())
        for g in gens[:-2]:
            shutil.rmtree(self.out_root / name / str(g), ignore_errors=True)


def _read_result(tmp: Path, code: int) -> tuple[list[dict], str]:
    """The child's diagnostics (json format) and, for a failed child, why."""
    stdout = (tmp / ".stdout").read_text(encoding="utf-8", errors="replace")
    stderr = (tmp / ".stderr").read_text(encoding="utf-8", errors="replace")
    try:
        diags = json.loads(stdout)["diagnostics"] if stdout.strip() else []
    except (ValueError, KeyError, TypeError):
        diags = []
    if code in (0, 1):
        return diags, ""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("bookbuild:")]
    return diags, (lines[-1] if lines else f"build exited with status {code}")


def _unpack(ed: Edition, tmp: Path) -> bool:
    """Unzip an EPUB beside it so its XHTML chapters can be served with their CSS."""
    if ed.format != "epub":
        return True
    dest = (tmp / "epub").resolve()
    try:
        with zipfile.ZipFile(tmp / f"{ed.name}.epub") as z:
            for info in z.infolist():
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(dest):
                    return False   # a name leaving the folder: never written
                if not info.is_dir():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(info))
    except (OSError, zipfile.BadZipFile):
        return False
    return True
