"""`bookbuild build`: load, check, then build each edition (a table of contents of the build)."""
from __future__ import annotations

import importlib
import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

from ..atomic import STAGE, commit_stage, make_stage, remove_stale, write_text
from ..transform import script
from ..diagnostics import Diagnostic, render, summary, to_json_obj
from .check import checked_book
from .progress import Progress

RENDERERS = {"epub": "bookbuild.render.epub:build_epub", "pdf": "bookbuild.render.pdf:build_pdf"}


def _renderer(fmt: str):
    module, name = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module), name)


def run_build(book_dir: Path, *, editions: list[str] = (), out_dir: Path | None = None, jobs: int | None = None,
              fmt: str = "text", stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    with Progress(stderr) as progress:
        progress.stage("check")
        found = checked_book(book_dir, fmt=fmt, stdout=stdout, stderr=stderr, doing="not building")
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
    built: dict[str, bool] = {}      # pdf edition -> built without errors in this run
    # Every edition writes into one stage folder, renamed into out_dir at the
    # end: an interrupted or crashed build changes nothing there.
    stage = make_stage(out_dir)
    try:
        with Progress(stderr) as progress:
            for name in with_page_sources(book.config, names):
                edition = book.config.edition(name)
                d = _build_edition(book, edition, stage or out_dir, cache_dir, jobs, progress, built)
                built[name] = not summary(d)[0]
                all_diags += [_unstaged(x, stage, out_dir) for x in d]
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    if stage is not None:
        all_diags += [_bb601(t, e) for t, e in commit_stage(stage, out_dir)]
    stdout.write(render(all_diags, fmt, root))
    return 1 if summary(all_diags)[0] else 0


def _remove_leftovers(config, out_dir: Path, cache_dir: Path, root: Path, stderr) -> None:
    """Temporary files of a build that was killed (SIGKILL, power loss):
    ours by name (atomic.py), and only when their process is gone."""
    names = [f"{e.name}{ext}" for e in config.editions
             for ext in (f".{e.format}", ".layout.json", ".log.json", ".proof.html")] + [STAGE]
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


def _bb601(target: Path, e: OSError) -> Diagnostic:
    return Diagnostic("BB601", f"cannot write {target}: {e.strerror or e}", str(target), 1, 1,
                      "check that the output folder is writable and nothing is in the way")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def with_page_sources(config, names: list[str]) -> list[str]:
    """The editions to build, each pdf edition named by an epub edition's
    `page_source` built before it (added when the user did not ask for it)."""
    out: list[str] = []
    for name in names:
        source = _page_source(config, config.edition(name))
        if source is not None and source.name not in out:
            out.append(source.name)
        if name not in out:
            out.append(name)
    return out


def _page_source(config, edition):
    """The pdf edition an epub edition takes its page numbers from (same script), or None."""
    name = getattr(edition, "page_source", "")
    pdf = next((e for e in config.editions if e.name == name), None) if name else None
    return pdf if pdf is not None and pdf.format == "pdf" and pdf.script == edition.script else None


def _page_layout(book, edition, out_dir: Path, built: dict[str, bool]):
    """The page_source edition's layout.json (None when there is none), or a BB502."""
    source = edition.page_source
    if not source:
        return None, []
    if _page_source(book.config, edition) is None:
        return None, [Diagnostic("BB502", f'[editions.{edition.name}] page_source = "{source}" names no pdf '
                                 f"edition in the same script", book.config.path, 1, 1,
                                 "name a pdf edition of this book, or remove page_source")]
    path = out_dir / f"{source}.layout.json"
    if not built.get(source) or not path.is_file():
        return None, []          # the pdf edition failed: its errors say why
    return json.loads(path.read_text(encoding="utf-8")), []


def _build_edition(book, edition, out_dir: Path, cache_dir: Path, jobs, progress,
                   built: dict[str, bool]) -> list[Diagnostic]:
    progress.stage(f"{edition.name} ({edition.format})")
    build = _renderer(edition.format)
    target = out_dir / f"{edition.name}.{edition.format}"
    book = script.for_edition(book, edition)
    try:
        if edition.format == "pdf":
            diags = build(book, edition.name, out_dir, cache_dir, jobs=jobs, progress=progress.update)
        else:
            layout, diags = _page_layout(book, edition, out_dir, built)
            diags += build(book, edition, target, cache_dir, layout=layout)
        if edition.format != "pdf":  # the pdf renderer writes its own log with layout warnings
            write_text(out_dir / f"{edition.name}.log.json",
                       json.dumps(to_json_obj(diags, book.root), ensure_ascii=False, indent=2) + "\n")
    except OSError as e:
        return [Diagnostic("BB601", f"cannot write {target}: {e.strerror or e}", str(target), 1, 1,
                           "check that the output folder is writable and the disk has space")]
    return diags
