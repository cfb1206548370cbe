"""Command line: argument parsing only. `main(argv) -> int` (exit status per the contract)."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from . import gcpolicy
from .atomic import run_tempdir
from .crash import report_crash
from .procs import children


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, with one line of help
        self.print_usage(sys.stderr)
        print(f"bookbuild: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bookbuild", description="Build and check annotated Traditional Chinese books.")
    p.add_argument("--version", action="version", version=f"bookbuild {__import__('bookbuild').__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="check the book's integrity (notes, sources, glossary, fonts)")
    c.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    c.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    c.add_argument("--strict", action="store_true", help="warnings count as errors")
    b = sub.add_parser("build", help="build the editions")
    b.add_argument("book_dir", nargs="?", type=Path, default=Path("."), metavar="BOOK_DIR")
    b.add_argument("--edition", action="append", default=[], metavar="NAME")
    b.add_argument("--out", type=Path, default=None, metavar="DIR")
    b.add_argument("--jobs", type=int, default=None, help="worker processes for the print PDF")
    b.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    b.add_argument("--check", action="store_true",
                   help="then run EPUBCheck and DAISY Ace on each EPUB written; findings are diagnostics")
    f = sub.add_parser("fix", help="normalise CJK punctuation in place")
    f.add_argument("book_dir", nargs="?", type=Path, default=Path("."), metavar="BOOK_DIR")
    f.add_argument("--check", action="store_true", help="write nothing; exit 1 if something would change")
    f.add_argument("--diff", action="store_true", help="print a unified diff")
    f.add_argument("--no-backup", action="store_true",
                   help="do not keep a copy of each changed file in .bookbuild/backup/")
    i = sub.add_parser("import", help="import a .docx, a .txt/.md (legacy endnotes or Pandoc's notes) "
                                      "or a folder of chapter files into a new book folder")
    i.add_argument("source", type=Path, metavar="SOURCE")
    i.add_argument("--notes", choices=("auto", "pandoc", "legacy"), default="auto",
                   help="the notes of a .txt/.md: Pandoc's [^n] and ^[…], legacy [3] and 〔16〕 with a note "
                        "list, or auto (Pandoc's if any file has one; the default)")
    i.add_argument("--out", type=Path, required=True, metavar="BOOK_DIR")
    i.add_argument("--encoding", default=None, help="text encoding (default: detect UTF-8/UTF-16/Big5/GB18030)")
    n = sub.add_parser("init", help="start a new book folder in the bookbuild format")
    n.add_argument("book_dir", nargs="?", type=Path, default=Path("."), metavar="BOOK_DIR")
    n.add_argument("--title", default="新書")
    n.add_argument("--author", default="作者")
    d = sub.add_parser("diff", help="changed notes, citations and text between two revisions")
    d.add_argument("old", type=Path, metavar="OLD_DIR")
    d.add_argument("new", type=Path, metavar="NEW_DIR")
    s = sub.add_parser("serve", help="live preview in the browser, rebuilt on every change")
    s.add_argument("book_dir", nargs="?", type=Path, default=Path("."), metavar="BOOK_DIR")
    s.add_argument("--port", type=int, default=8000, help="0: any free port (default: 8000)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--edition", action="append", default=[], metavar="NAME",
                   help="edition to preview (repeatable; default: the first epub and the first pdf)")
    r = sub.add_parser("proof", help="proof sheet of the print edition: page thumbnails and typographic warnings")
    r.add_argument("book_dir", nargs="?", type=Path, default=Path("."), metavar="BOOK_DIR")
    r.add_argument("--edition", default=None, metavar="NAME", help="pdf edition (default: the first one)")
    r.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="the sheet (default: BOOK_DIR/dist/<edition>.proof.html)")
    q = sub.add_parser("preflight", help="a printer's preflight of a PDF: colour, fonts, images, boxes, "
                                         "marks, PDF/X keys, page count")
    q.add_argument("pdf", type=Path, metavar="FILE.pdf")
    q.add_argument("--edition", default=None, metavar="NAME", help="hold the file to this pdf edition's settings")
    q.add_argument("--book", type=Path, default=None, metavar="BOOK_DIR",
                   help="the book whose edition it is (default: found from the PDF's folder)")
    q.add_argument("--pdfx", choices=["x-4", "x-1a", ""], default=None)
    q.add_argument("--color", choices=["gray", "cmyk", "rgb"], default=None)
    q.add_argument("--pages-multiple-of", type=int, default=None, metavar="N")
    q.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    q.add_argument("--strict", action="store_true", help="warnings count as errors")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        # serve installs its own handlers and lives on; every other command
        # unwinds on SIGINT/SIGTERM and keeps its temporary files in one folder.
        with nullcontext() if args.command == "serve" else _orderly_signals(), _run_tempdir(args.command):
            return _run(args)
    except Terminated:
        print("bookbuild: terminated; the previous outputs were kept", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("bookbuild: interrupted; the previous outputs were kept", file=sys.stderr)
        return 130
    except Exception:  # last resort: one line, full report in a file
        where = report_crash()
        print(f"bookbuild: internal error; the full report is in {where}", file=sys.stderr)
        return 3


def _run(args) -> int:
    """Run the command.  Each command's module is imported here, deferred: a
    command loads only the libraries it needs (`check` never imports WeasyPrint)."""
    if args.command == "check":
        from .commands.check import run_check
        return run_check(args.paths, fmt=args.format, strict=args.strict)
    if args.command == "build":
        from .commands.build import run_build
        return run_build(args.book_dir, editions=args.edition, out_dir=args.out,
                         jobs=args.jobs, fmt=args.format, check=args.check)
    if args.command == "init":
        from .commands.init import run_init
        return run_init(args.book_dir, title=args.title, author=args.author)
    if args.command == "diff":
        from .commands.diff import run_diff
        return run_diff(args.old, args.new)
    if args.command == "serve":
        from .commands.serve import run_serve
        return run_serve(args.book_dir, host=args.host, port=args.port, editions=args.edition)
    if args.command == "proof":
        from .commands.proof import run_proof
        return run_proof(args.book_dir, edition=args.edition, out=args.out)
    if args.command == "preflight":
        from .commands.preflight import run_preflight
        return run_preflight(args.pdf, edition=args.edition, book=args.book, pdfx=args.pdfx, color=args.color,
                             multiple=args.pages_multiple_of, fmt=args.format, strict=args.strict)
    if args.command == "import":
        from .commands.importer import run_import
        return run_import(args.source, args.out, encoding=args.encoding, notes=args.notes)
    from .commands.fix import run_fix
    return run_fix(args.book_dir, check=args.check, diff=args.diff, no_backup=args.no_backup,
                   stdout=sys.stdout, stderr=sys.stderr)


# ------------------------------------------------------------ interrupts

class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every `finally` and atomic write
    unwinds (Python's default SIGTERM ends the process without cleanup)."""


@contextmanager
def _orderly_signals():
    """SIGINT and SIGTERM raise in the main thread; a second signal during
    the unwinding is ignored so that the cleanup itself is not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    main_pid, fired = os.getpid(), []

    def handler(signum, frame):
        if os.getpid() != main_pid:        # a forked child that kept our handler
            raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
        if fired:
            return
        fired.append(signum)
        _end_programs(main_pid)
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _end_programs(parent: int) -> None:
    """SIGTERM to the programs we started (Pandoc, fc-match, pdftoppm…): a
    caller blocked on one (pypandoc waits in communicate(), a thread pool
    waits for its threads) then returns at once.  Processes forked from
    this one (page workers, the layout.json writer) end through the
    unwinding instead."""
    me = os.path.realpath(sys.executable)
    for pid in children(parent):
        try:
            if os.path.realpath(f"/proc/{pid}/exe") != me:
                os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def _run_tempdir(command: str):
    """Commands that run renderers or Pandoc get a private temporary folder
    (atomic.run_tempdir); check, diff and serve keep the usual one."""
    if command in ("build", "import", "proof", "fix"):
        return run_tempdir()
    return nullcontext()


def main_entry() -> None:
    gcpolicy.use_for_process()
    code = main()
    if threading.active_count() > 1:    # a thread (a citeproc run a failed check left) is joined as usual
        sys.exit(code)
    # Leave without tearing the interpreter down: freeing a book's ~10⁶ objects
    # one by one took 0.1 s after the last output was written.  Every output is
    # written and renamed, every child reaped, every temporary folder removed
    # before main() returns; nothing of ours is registered with atexit.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):    # a closed pipe or stream: nothing more to say there
            pass
    os._exit(code)
