"""Interrupted builds (issue 10 item 3): a `bookbuild build` subprocess
stopped mid-render by SIGINT, SIGTERM or SIGKILL, or failing in the
renderer, leaves the previous dist/ byte-identical, no temporary file in
dist/, the cache or the temp folder, and no process behind.

"Mid-render" is observed, not guessed: WeasyPrint's font folder (it loads
the derived faces when it starts laying out pages), the EPUB's temporary
file in the build's stage folder, or a running Pandoc child.  A build that
finished before the observation is simply the new baseline and the test
tries again with another change.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.books import BOOK_TOML, CHAPTER, make_book
from helpers.cli import bookbuild_command, src_env

ATTEMPTS = 6
STYLED = "p { color: #010101; }\n"
# A few more paragraphs than the base book: several pages, so the print
# edition is drawn in more than one chunk (two workers).
LONGER = CHAPTER + "".join(f"\n第{i}段。日軍於六月二十三日進抵衡陽外圍，守軍死守四十七日。\n" for i in range(40))


# ------------------------------------------------------------ helpers

def _env(tmp: Path, crash: Path) -> dict:
    return src_env(TMPDIR=str(tmp), BOOKBUILD_CRASH_DIR=str(crash), NO_COLOR="1")


class Run:
    """`bookbuild ARGS` (or a driver script) in its own session, output to files."""

    def __init__(self, book: Path, tmp: Path, crash: Path, args: list[str], script: Path | None = None):
        # kept open for the child's whole life; closed in the runner's finish
        self.out, self.err = (open(book.parent / name, "w+b") for name in ("out.txt", "err.txt"))  # noqa: SIM115
        head = [sys.executable, str(script)] if script else bookbuild_command()
        self.proc = subprocess.Popen(head + args, cwd=book, env=_env(tmp, crash), stdout=self.out,
                                     stderr=self.err, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid

    def wait(self, timeout: float = 300) -> tuple[int, str, str]:
        code = self.proc.wait(timeout)
        texts = []
        for f in (self.out, self.err):
            f.seek(0)
            texts.append(f.read().decode("utf-8", "replace"))
            f.close()
        return code, texts[0], texts[1]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(book: Path, tmp: Path) -> list[str]:
    """Temporary files of ours in the book (dist/, the cache) and anything in the temp folder."""
    ours = [str(p) for p in book.rglob(".*") if p.name.endswith((".part", ".tmp"))]
    return ours + [str(p) for p in tmp.iterdir()]


def session_processes(sid: int) -> list[str]:
    """Processes still in the build's session (its workers, Pandoc…), from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(f"{entry} {comm}")
    return out


def no_processes_left(sid: int, timeout: float = 30) -> list[str]:
    end = time.monotonic() + timeout
    while (left := session_processes(sid)) and time.monotonic() < end:
        time.sleep(0.05)
    return left


def children(pid: int) -> list[tuple[int, str]]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split():
                out.append((int(c), Path(f"/proc/{c}/comm").read_text().strip()))
    except OSError:
        pass
    return out


# what shows that the build is where we want to stop it
def drawing(book: Path, tmp: Path, pid: int) -> bool:
    try:
        return any(p.is_file() for p in tmp.glob("*/weasyprint-*/*"))
    except FileNotFoundError:
        return False


def writing_epub(book: Path, tmp: Path, pid: int) -> bool:
    """ebooklib writing the archive in the temp folder, or its final bytes
    being written and verified in the stage folder."""
    try:
        return any(tmp.glob("*/bookbuild-epub-*/raw.epub")) or \
            any((book / "dist").glob(".bookbuild-stage.*/.epub.epub.*.part"))
    except FileNotFoundError:       # a folder went while we looked
        return False


def running_pandoc(book: Path, tmp: Path, pid: int) -> bool:
    return any(comm == "pandoc" for _, comm in children(pid))


def wait_until_seen(run: Run, seen, book: Path, tmp: Path, timeout: float = 240) -> bool:
    """True as soon as seen(book, tmp, pid) is; False if the run ends first or the time is up."""
    end = time.monotonic() + timeout
    while run.proc.poll() is None and time.monotonic() < end:
        if seen(book, tmp, run.pid):
            return True
        time.sleep(0.003)
    return False


@pytest.fixture
def built(tmp_path):
    """The tiny book built once into dist/; the private temp and crash folders.
    Its style reaches every paragraph, so WeasyPrint draws every page (in workers):
    the moment these tests catch (textpages.py writes a plain book's pages in no time)."""
    return first_build(tmp_path, {"manuscript/01.md": LONGER, "styles/print.css": STYLED})


def with_cover(tmp_path: Path) -> dict:
    """A 3 MB noise cover: the EPUB archive takes long enough to write to be caught at it."""
    from PIL import Image
    cover = tmp_path / "cover.png"
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(cover)
    toml = BOOK_TOML.replace('authors = ["測試者"]\n', 'authors = ["測試者"]\ncover = "assets/cover.png"\n')
    assert toml != BOOK_TOML
    return {"book.toml": toml, "assets/cover.png": cover.read_bytes(), "manuscript/01.md": LONGER}


def first_build(tmp_path: Path, files: dict):
    book = make_book(tmp_path / "book", files)
    tmp, crash = tmp_path / "tmp", tmp_path / "crash"
    tmp.mkdir()
    crash.mkdir()
    code, out, err = Run(book, tmp, crash, ["build", "."]).wait()
    assert code == 0, out + err
    assert {"epub.epub", "print.pdf", "print.layout.json", "print.log.json"} <= set(digests(book / "dist"))
    return book, tmp, crash


def interrupt_mid(book: Path, tmp: Path, crash: Path, seen, sig: int, group: bool = False):
    """Change the source, start a build, stop it with `sig` once `seen`;
    returns (the dist/ digests before, the run, its result)."""
    for attempt in range(ATTEMPTS):
        before = digests(book / "dist")
        chapter = book / "manuscript/01.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n新增第{attempt}句，使頁面重繪。\n",
                           encoding="utf-8")
        run = Run(book, tmp, crash, ["build", "."])
        if wait_until_seen(run, seen, book, tmp):
            (os.killpg if group else os.kill)(run.pid, sig)
            return before, run, run.wait()
        code, out, err = run.wait()          # finished before we saw it: the new baseline
        assert code == 0, out + err
    pytest.fail(f"never caught the build at {seen.__name__} in {ATTEMPTS} attempts")


def assert_clean_stop(book: Path, tmp: Path, before: dict, run: Run, result, status: int):
    code, out, err = result
    assert code == status, out + err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1, err
    assert digests(book / "dist") == before          # byte-identical, nothing added
    assert no_processes_left(run.pid) == []
    assert leftovers(book, tmp) == []


# ------------------------------------------------------------ tests

@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_while_pages_are_drawn_keeps_dist(built, sig, status):
    book, tmp, crash = built
    before, run, result = interrupt_mid(book, tmp, crash, drawing, sig)
    assert_clean_stop(book, tmp, before, run, result, status)
    assert ("interrupted" if sig == signal.SIGINT else "terminated") in result[2]


def test_ctrl_c_to_the_process_group_while_drawing(built):
    """A terminal's Ctrl-C reaches every process of the group: the workers
    leave it to the parent, which stops them and exits 130."""
    book, tmp, crash = built
    before, run, result = interrupt_mid(book, tmp, crash, drawing, signal.SIGINT, group=True)
    assert_clean_stop(book, tmp, before, run, result, 130)


def test_sigterm_while_the_epub_is_written(tmp_path):
    book, tmp, crash = first_build(tmp_path, with_cover(tmp_path))
    before, run, result = interrupt_mid(book, tmp, crash, writing_epub, signal.SIGTERM)
    assert_clean_stop(book, tmp, before, run, result, 143)


def test_sigint_while_pandoc_runs(built):
    book, tmp, crash = built
    before, run, result = interrupt_mid(book, tmp, crash, running_pandoc, signal.SIGINT)
    assert_clean_stop(book, tmp, before, run, result, 130)


def test_sigkill_leftovers_are_removed_by_the_next_build(built):
    book, tmp, crash = built
    before, run, (code, out, err) = interrupt_mid(book, tmp, crash, drawing, signal.SIGKILL)
    assert code == -signal.SIGKILL
    killed = digests(book / "dist")
    assert {k: killed.get(k) for k in before} == before             # the outputs are untouched
    assert all(k.startswith(".bookbuild-stage.") for k in set(killed) - set(before)), killed
    # the workers and the layout.json writer end with their parent
    assert no_processes_left(run.pid) == []
    stale = leftovers(book, tmp)
    assert any(".bookbuild-stage." in s for s in stale), stale     # a killed build does leave files
    code, out, err = Run(book, tmp, crash, ["build", "."]).wait()
    assert code == 0, out + err
    assert "removed" in err and "interrupted build" in err, err
    assert leftovers(book, tmp) == []
    after = digests(book / "dist")
    assert set(after) == set(before)
    assert after["print.pdf"] != before["print.pdf"]              # the new text reached the PDF


DRIVER = '''
import os, sys
from bookbuild.render.pdf.drawing import draw

_draw = draw.draw_range
MARK = sys.argv.pop(1)


def failing(*args, **kw):
    """The first chunk is drawn; every later one raises (in whichever worker)."""
    try:
        os.close(os.open(MARK, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        raise RuntimeError("injected renderer fault")
    return _draw(*args, **kw)


draw.draw_range = failing
from bookbuild.cli import main
sys.exit(main(sys.argv[1:]))
'''


def test_renderer_exception_exits_3_and_keeps_dist(built):
    book, tmp, crash = built
    driver = book.parent / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    before = digests(book / "dist")
    (book / "manuscript/01.md").write_text(LONGER + "\n改過的一句。\n", encoding="utf-8")
    run = Run(book, tmp, crash, [str(book.parent / "mark"), "build", ".", "--jobs", "2"], script=driver)
    code, out, err = run.wait()
    assert code == 3, out + err
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1, err
    reports = list(crash.glob("bookbuild-crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in err
    assert "injected renderer fault" in reports[0].read_text(encoding="utf-8")
    assert (book.parent / "mark").exists()                          # one chunk was drawn first
    assert digests(book / "dist") == before
    assert no_processes_left(run.pid) == []
    assert leftovers(book, tmp) == []
