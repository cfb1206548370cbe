"""`bookbuild build --check`: the outside validators on each output the build
wrote, their findings as diagnostics at the source line.

    check_outputs(book_dir, config, names, out_dir) -> list[Diagnostic]

BB606 an EPUBCheck message, BB607 an Ace violation, BB608 a validator that is
not installed (one per validator, with what to install), BB605 one that ran
and failed. One table, `CHECKS`, says which validators each output format
gets (a PDF preflight slots in under "pdf").
"""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic
from .sourcemap import SourceMap, edition_line
from .validators import Failed, Finding, Missing, run_ace, run_epubcheck

CODES = {"EPUBCheck": "BB606", "Ace": "BB607"}
HINTS = {
    "EPUBCheck": "the EPUB breaks the EPUB 3 rules; if the source here is right, this is a bookbuild bug: "
                 "please report it with the book",
    "Ace": "an accessibility problem (https://daisy.github.io/ace/); fix the source here if it is the "
           "author's (empty link text, missing image description), else report it as a bookbuild bug",
}
CHECKS = {"epub": (("EPUBCheck", run_epubcheck), ("Ace", run_ace)), "pdf": ()}


def check_outputs(book_dir: Path, config, names: list[str], out_dir: Path, checks=None) -> list[Diagnostic]:
    """Run the validators of each named edition's output in `out_dir`."""
    checks = CHECKS if checks is None else checks
    diags: list[Diagnostic] = []
    missing: set[str] = set()
    for name in names:
        edition = config.edition(name)
        output = out_dir / f"{name}.{edition.format}"
        if not output.is_file():
            continue       # not written: its build errors say why
        fallback = edition_line(book_dir / config.path, name, config.path)
        where = SourceMap(output, out_dir / f"{name}.log.json", fallback)
        for tool, run in checks.get(edition.format, ()):
            if tool in missing:
                continue
            try:
                diags += [_diagnostic(f, output.name, where) for f in run(output)]
            except Missing as exc:
                missing.add(tool)
                diags.append(Diagnostic("BB608", f"{exc}: {output.name} was not checked by {tool}",
                                        fallback.file, fallback.line, fallback.col, exc.hint))
            except Failed as exc:
                diags.append(Diagnostic("BB605", f"{tool} failed on {output.name}: {exc}",
                                        fallback.file, fallback.line, fallback.col,
                                        "run it by hand to see why; docs/ERRORS.md BB605"))
    return diags


def _diagnostic(f: Finding, output: str, where: SourceMap) -> Diagnostic:
    if f.cfi:
        src = where.at_cfi(f.doc, f.cfi)
    elif f.doc.endswith(".xhtml"):
        src = where.at_offset(f.doc, f.line, f.col)
    else:
        src = where.fallback
    place = f.doc + (f":{f.line}:{f.col}" if f.line else "") + (f"#epubcfi({f.cfi})" if f.cfi else "")
    return Diagnostic(CODES[f.tool], f"{f.tool} {f.rule} in {output}"
                      + (f" ({place})" if f.doc else "") + f": {f.message}",
                      src.file, src.line, src.col, HINTS[f.tool], f.severity)

