"""`bookbuild build`: load, check, then build each edition (a table of contents of the build)."""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

from .. import gcpolicy
from ..atomic import STAGE, commit_stage, make_stage, remove_stale
from ..diagnostics import Diagnostic, cannot_write, format_report, summary
from ..procs import signals_held
from ..transform import build_data, simplified
from ..verify.checks import check_outputs
from .beside import Beside, side_editions
from .check import checked_book
from .progress import Progress


def renderer(fmt: str):
    """The build() of an edition format's renderer (epub, kepub, pdf, cover).  Every
    renderer: build(book, edition, out_dir, data, cache_dir, *, jobs, progress) ->
    diagnostics; it writes <edition>.<format> and <edition>.log.json into out_dir.
    Each is imported (deferred) when an edition needs it: the PDF renderer loads
    pikepdf and WeasyPrint's helpers (≈ 0.2 s) that an EPUB build never uses."""
    # an interrupt waits while they are imported (procs.signals_held): native modules inside
    with signals_held():
        if fmt in ("epub", "kepub"):
            from ..render import epub
            return epub.build
        if fmt == "pdf":
            from ..render import pdf
            return pdf.build
        from ..render import cover
        return cover.build


def run_build(book_dir: Path, *, editions: list[str] = (), out_dir: Path | None = None, jobs: int | None = None,
              fmt: str = "text", stdout=None, stderr=None, check: bool = False) -> int:
    with gcpolicy.fewer_passes():   # also when called in-process (tests, proof)
        return _run_build(book_dir, editions, out_dir, jobs, fmt, stdout, stderr, check)


def _run_build(book_dir, editions, out_dir, jobs, fmt, stdout, stderr, check) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    early: list[build_data.Preparing] = []
    with Progress(stderr) as progress:
        progress.stage("check")
        found = checked_book(book_dir, fmt=fmt, stdout=stdout, stderr=stderr, doing="not building",
                             on_load=lambda book: early.extend(_early_data(book, editions)))
    if isinstance(found, int):
        return found
    root, book, diags = found
    names = editions or [e.name for e in book.config.editions]
    unknown = [n for n in names if n not in {e.name for e in book.config.editions}]
    if unknown:
        known = ", ".join(e.name for e in book.config.editions)
        print(f"bookbuild: no edition named {', '.join(unknown)} in book.toml (editions: {known})", file=stderr)
        return 2
    out_dir = out_dir or root / "dist"
    cache_dir = root / ".bookbuild" / "cache"
    _remove_leftovers(book.config, out_dir, cache_dir, root, stderr)
    all_diags = list(diags)
    shared = _SharedData(book, cache_dir, early[0] if early else None)
    wanted = {e.page_source for e in book.config.editions if e.is_epub and e.page_source}
    # Every edition writes into one stage folder, renamed into out_dir at the
    # end: an interrupted or crashed build changes nothing there.
    stage = make_stage(out_dir)
    order = with_page_sources(book.config, names)

    def build_one(name: str, progress: Progress) -> list[Diagnostic]:
        edition = book.config.edition(name)
        variant, data = shared.for_edition(edition)
        d = _build_edition(variant, edition, stage or out_dir, data, cache_dir, jobs, progress)
        if edition.format == "pdf" and name in wanted and not summary(d)[0]:
            _keep_layout(data, name, stage or out_dir)
        return d

    try:
        with Progress(stderr) as progress:
            found = _build_all(order, book.config, shared, build_one, jobs, progress)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    all_diags += [_unstaged(x, stage, out_dir) for name in order for x in found[name]]
    if stage is not None:
        all_diags += [cannot_write(t, e) for t, e in commit_stage(stage, out_dir)]
    if check:     # the validators, on the files as they now are in out_dir
        with Progress(stderr) as progress:
            progress.stage("validators (EPUBCheck, Ace)")
            all_diags += check_outputs(root, book.config, with_page_sources(book.config, names), out_dir)
    stdout.write(format_report(all_diags, fmt, root))
    return 1 if summary(all_diags)[0] else 0


def _build_all(order: list[str], config, shared: _SharedData, build_one, jobs, progress) -> dict[str, list]:
    """Each edition's diagnostics; the epub editions without a page_source built by a
    forked process meanwhile when there is more to build (beside.py)."""
    side = side_editions(config, order, jobs)
    if side:
        shared.settle(config.editions)      # no thread may run at the fork (the begun citeproc run)
    beside = Beside(side, build_one)
    try:
        if beside.pid:
            progress.stage(f"{', '.join(side)} (in a second process)")
        found = {name: build_one(name, progress) for name in order if not (beside.pid and name in side)}
        taken = beside.take()
    finally:
        beside.close()
    if side and taken is None:      # no child, or a failed one: built here, after the others
        taken = {name: build_one(name, progress) for name in side if name not in found}
    return {**found, **(taken or {})}


def _remove_leftovers(config, out_dir: Path, cache_dir: Path, root: Path, stderr) -> None:
    """Temporary files of a build that was killed (SIGKILL, power loss):
    ours by name (atomic.py), and only when their process is gone."""
    names = [e.output_file for e in config.editions] + [
        f"{e.name}{ext}" for e in config.editions for ext in (".layout.json", ".log.json", ".proof.html")] + [STAGE]
    removed = remove_stale(out_dir, names) + remove_stale(cache_dir, recursive=True)
    if removed:
        where = sorted({_shown(p.parent, root) for p in removed})
        print(f"bookbuild: removed {len(removed)} unfinished file{'s' * (len(removed) != 1)} "
              f"of an interrupted build from {', '.join(where)}", file=stderr)


_TEMP_NAME = re.compile(r"\.([^/\\]+?)\.\d+\.[^/\\.]+\.part\b")


def _unstaged(d: Diagnostic, stage: Path | None, out_dir: Path) -> Diagnostic:
    """A diagnostic about a staged or temporary file names the output file
    in out_dir (`dist/print.pdf`, not `dist/.bookbuild-stage…/.print.pdf.….part`)."""
    def clean(text: str) -> str:
        if stage is not None:
            text = text.replace(str(stage), str(out_dir))
        return _TEMP_NAME.sub(r"\1", text)
    new_file, new_message = clean(d.file), clean(d.message)
    if (new_file, new_message) == (d.file, d.message):
        return d
    return dataclasses.replace(d, file=new_file, message=new_message)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def with_page_sources(config, names: list[str]) -> list[str]:
    """The editions to build, each pdf edition named by an epub edition's
    `page_source` or a cover's `interior` built before it (added when the
    user did not ask for it)."""
    out: list[str] = []
    for name in names:
        source = _page_source(config, config.edition(name))
        if source is not None and source.name not in out:
            out.append(source.name)
        if name not in out:
            out.append(name)
    return out


def _page_source(config, edition):
    """The pdf edition an epub edition takes its page numbers from (same script), or
    the one a cover wraps; None when there is none."""
    if edition.format == "cover":
        return config.edition(edition.interior)
    name = getattr(edition, "page_source", "")
    pdf = next((e for e in config.editions if e.name == name), None) if name else None
    return pdf if pdf is not None and pdf.format == "pdf" and pdf.script == edition.script else None


class _SharedData:
    """One book and one BuildData per script: the editions in the book's own
    script share the loaded book, the Simplified ones one converted copy."""

    def __init__(self, book, cache_dir: Path, early: build_data.Preparing | None = None):
        self.book, self.cache_dir, self.early = book, cache_dir, early
        self.by_script: dict[str, tuple] = {}

    def settle(self, editions) -> None:
        """Finish the data begun before the check (its citeproc thread)."""
        if self.early is not None:
            own = next((e for e in editions if e.script != "zh-Hans"), None)
            if own is not None:
                self.for_edition(own)

    def for_edition(self, edition):
        if edition.script not in self.by_script:
            variant = simplified.for_edition(self.book, edition)
            begun = self.early if self.early is not None and self.early.book is variant else None
            # citeproc's answer is kept in the book's cache (transform/citeproc_cache.py)
            preparing = begun or build_data.Preparing(variant, self.cache_dir)
            self.by_script[edition.script] = (variant, preparing.finish())
        return self.by_script[edition.script]


def _early_data(book, editions: list[str]) -> list[build_data.Preparing]:
    """The shared data of the book as loaded, begun before it is checked (citeproc's
    Pandoc run then overlaps the checks, ≈ 0.5 s of a cold build), when an edition
    asked for is in the book's own script; none for a Simplified-only build."""
    by_name = {e.name: e for e in book.config.editions}
    names = editions or list(by_name)
    if not any(n in by_name and by_name[n].script != "zh-Hans" for n in names):
        return []
    return [build_data.Preparing(book, book.root / ".bookbuild" / "cache")]


def _keep_layout(data: build_data.BuildData, name: str, out_dir: Path) -> None:
    """A pdf edition's layout.json, for the epub editions whose page_source it is."""
    path = out_dir / f"{name}.layout.json"
    if path.is_file():
        data.page_layouts[name] = json.loads(path.read_text(encoding="utf-8"))


def _build_edition(book, edition, out_dir: Path, data: build_data.BuildData, cache_dir: Path, jobs,
                   progress) -> list[Diagnostic]:
    progress.stage(f"{edition.name} ({edition.format})")
    try:
        return renderer(edition.format)(book, edition, out_dir, data, cache_dir, jobs=jobs,
                                         progress=progress.update)
    except OSError as e:
        return [cannot_write(out_dir / edition.output_file, e)]
