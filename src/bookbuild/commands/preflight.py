"""`bookbuild preflight FILE.pdf [--edition NAME] [--book DIR] [...]`: a printer's checks on any PDF.

Without options the file is held to what it declares (its PDF/X version,
its output intent's colour space); `--edition` holds it to an edition of the
book's book.toml (found from --book, else from the PDF's folder upwards),
and the explicit options override either.  Exit 0 when no error (with
`--strict`, no warning), 1 otherwise, 2 when the file or edition cannot be found.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..booktoml import NoBook, book_root_for, find_book_toml
from ..config import MM, parse_config
from ..diagnostics import exit_status, format_report
from ..verify.preflight import Expect, preflight


def run_preflight(pdf: Path, *, edition: str | None = None, book: Path | None = None, pdfx: str | None = None,
                  color: str | None = None, multiple: int | None = None, fmt: str = "text",
                  strict: bool = False, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if not pdf.is_file():
        print(f"bookbuild: {pdf} is not a file", file=stderr)
        return 2
    expect = Expect()
    if edition:
        found = _edition_expect(pdf, edition, book)
        if isinstance(found, str):
            print(f"bookbuild: {found}", file=stderr)
            return 2
        expect = found
    expect = Expect(pdfx=pdfx if pdfx is not None else expect.pdfx,
                    color=color if color is not None else expect.color, bleed=expect.bleed,
                    multiple=multiple if multiple is not None else expect.multiple)
    diags = preflight(pdf, expect, shown_as=str(pdf.resolve()))
    stdout.write(format_report(diags, fmt, Path.cwd()))
    return exit_status(diags, strict)


def _edition_expect(pdf: Path, name: str, book: Path | None) -> Expect | str:
    """The edition's settings as an Expect, or a message saying why not."""
    root = book or book_root_for(pdf) or Path.cwd()
    try:
        root, toml, _ = find_book_toml(root)
    except NoBook as e:
        return str(e)
    cfg, diags = parse_config(toml.read_text(encoding="utf-8"), toml.name)
    if cfg is None:
        return f"{toml} is not valid: {diags[0].message}" if diags else f"{toml} is not valid"
    pdfs = [e for e in cfg.editions if e.format == "pdf"]
    ed = next((e for e in pdfs if e.name == name), None)
    if ed is None:
        return f"no pdf edition named {name} in {toml} (pdf editions: {', '.join(e.name for e in pdfs) or 'none'})"
    return Expect(pdfx=ed.pdfx, color=ed.color, bleed=ed.bleed * MM, multiple=ed.pages_multiple_of)
