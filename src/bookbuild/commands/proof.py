"""`bookbuild proof [BOOK_DIR] [--edition NAME] [--out FILE]`: the print edition's proof sheet.

Builds the pdf edition into `.bookbuild/proof/` (or reuses that build when
the book's inputs, styles and bookbuild itself are unchanged), then writes
one HTML file: per chapter, page thumbnails with each typographic warning
outlined on its column, and the list of warnings with their source file:line.
"""
from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

from .. import cache
from ..atomic import write_text
from ..proof import collect, sheet
from ..render.pdf.layout.frame import Frame
from .build import run_build
from .check import checked_book


def run_proof(book_dir: Path, *, edition: str | None = None, out: Path | None = None,
              stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    found = checked_book(book_dir, fmt="text", stdout=stdout, stderr=stderr, doing="no proof")
    if isinstance(found, int):
        return found
    root, book, diags = found
    pdfs = [e.name for e in book.config.editions if e.format == "pdf"]
    name = edition or (pdfs[0] if pdfs else None)
    if name not in pdfs:
        have = ", ".join(pdfs) or "none"
        print(f"bookbuild: {'no pdf edition named ' + name if name else 'no pdf edition'} in book.toml "
              f"(pdf editions: {have})", file=stderr)
        return 2
    build_dir = root / ".bookbuild" / "proof"
    found = _build(root, name, build_dir, stdout, stderr)
    if found is None:
        return 1
    target = out or root / "dist" / f"{name}.proof.html"
    try:
        n_pages, n_marks = _write_sheet(book, name, build_dir, found, target)
    except OSError as e:
        print(f"bookbuild: cannot write {target}: {e.strerror or e}", file=stderr)
        return 1
    print(f"bookbuild proof: {target} ({n_pages} pages, {n_marks} warnings)", file=stderr)
    return 0


def _build(root: Path, name: str, build_dir: Path, stdout, stderr) -> list[dict] | None:
    """The edition's diagnostics, building only when the stamp does not match; None on failure."""
    stamp_path, saved = build_dir / f"{name}.proof-stamp", build_dir / f"{name}.proof-diagnostics.json"
    stamp = _stamp(root, name)
    outputs = [build_dir / f"{name}{ext}" for ext in (".pdf", ".layout.json")]
    if all(p.is_file() for p in outputs) and _read(stamp_path) == stamp:
        try:
            return json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass   # rebuild below
    buf = io.StringIO()
    status = run_build(root, editions=[name], out_dir=build_dir, fmt="json", stdout=buf, stderr=stderr)
    try:
        diags = json.loads(buf.getvalue())["diagnostics"]
    except (ValueError, KeyError):
        diags = []
    if status != 0 or not all(p.is_file() for p in outputs):
        stdout.write(buf.getvalue())
        print(f"bookbuild: no proof: the {name} edition did not build", file=stderr)
        return None
    write_text(saved, json.dumps(diags, ensure_ascii=False) + "\n")
    write_text(stamp_path, stamp)
    return diags


def _stamp(root: Path, name: str) -> str:
    """The check cache's key (inputs + bookbuild's code) plus the styles, which it leaves out."""
    h = hashlib.sha256(f"{name}\0{cache.book_key(root)}".encode())
    styles = root / "styles"
    for p in sorted(styles.rglob("*")) if styles.is_dir() else []:
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _read(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except OSError:
        return ""


def _write_sheet(book, name: str, build_dir: Path, diags: list[dict], target: Path) -> tuple[int, int]:
    layout = json.loads((build_dir / f"{name}.layout.json").read_text(encoding="utf-8"))
    try:   # the renderer's own log: warnings found while drawing (BB703) live there too
        diags = diags + json.loads((build_dir / f"{name}.log.json").read_text(encoding="utf-8"))["diagnostics"]
    except (OSError, ValueError, KeyError):
        pass
    secs = collect.sections(layout)
    marks = collect.marks(layout, diags)
    loose = collect.assign(secs, marks)
    frame = Frame.of(book.config.edition(name))
    html = sheet.render(book.config.title, name, build_dir / f"{name}.pdf", secs, loose, frame, book.root)
    write_text(target, html)
    return len(layout["pages"]), len(marks)
