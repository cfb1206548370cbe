"""The published pre-commit hooks, end to end with the real `pre-commit` tool.

A temporary git repository holds this repository's package and
`.pre-commit-hooks.yaml` (copied from the working tree and committed, so
uncommitted edits are what is tested); a second one holds a small book whose
`.pre-commit-config.yaml` points at the first by path and commit, exactly
as a book repository would point at the published one. pre-commit installs
bookbuild into its own virtualenv (pip, from the configured indexes), then
`git commit` runs the hooks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.books import CHAPTER, REPO, make_book

pytest.importorskip("pre_commit", reason="dev dependency pre-commit==4.7.0")

# What `pip install .` of the hook repository needs (pyproject names README.md).
SHIPPED = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp", "*.egg-info")
# Installing bookbuild and its pinned dependencies into pre-commit's env.
INSTALL_TIMEOUT = 1200

pytestmark = pytest.mark.slow  # about a minute or more: pre-commit builds a virtualenv


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                       env=_env(cwd), timeout=INSTALL_TIMEOUT)
    if check and r.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r


def _env(cwd: Path) -> dict[str, str]:
    # The hooks must run the bookbuild pre-commit installed, not this checkout's src/.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "PYTHONPATH"}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid",
               GIT_CONFIG_NOSYSTEM="1",
               # one pre-commit cache per test module, beside the repositories
               PRE_COMMIT_HOME=str(cwd.parent / "pre-commit-home"))
    # git hooks find `pre-commit` on PATH; put this interpreter's scripts first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _hook_repo(root: Path) -> tuple[Path, str]:
    """A git repository holding the package and its hooks file; (path, commit)."""
    root.mkdir()
    for name in SHIPPED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=IGNORED)
        else:
            shutil.copy2(src, root / name)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "bookbuild under test")
    return root, _git(root, "rev-parse", "HEAD").stdout.strip()


def _config(hook_repo: Path, rev: str, files: str = "") -> str:
    extra = f"        files: {files}\n" if files else ""
    return (f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
            f"      - id: bookbuild-check\n{extra}      - id: bookbuild-fix\n{extra}")


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    """(folder for the repositories, hook repository, its commit)."""
    base = tmp_path_factory.mktemp("precommit")
    return (base, *_hook_repo(base / "bookbuild"))


def _install(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    # Build the hook environments now, so a failure here names the install step.
    r = subprocess.run([sys.executable, "-m", "pre_commit", "install", "--install-hooks"],
                       cwd=repo, capture_output=True, text=True, env=_env(repo), timeout=INSTALL_TIMEOUT)
    assert r.returncode == 0, f"pre-commit could not install the hooks:\n{r.stdout}\n{r.stderr}"


@pytest.fixture(scope="module")
def book_repo(hooks):
    base, hook_repo, rev = hooks
    book = make_book(base / "book")
    (book / ".pre-commit-config.yaml").write_text(_config(hook_repo, rev), encoding="utf-8")
    (book / ".gitignore").write_text(".bookbuild/\ndist/\n", encoding="utf-8")
    _install(book)
    return book


def _commit(book: Path, message: str) -> subprocess.CompletedProcess:
    _git(book, "add", "-A")
    return _git(book, "commit", "-m", message, check=False)


def _commits(book: Path) -> int:
    r = _git(book, "rev-list", "--count", "HEAD", check=False)
    return int(r.stdout.strip()) if r.returncode == 0 else 0


def test_a_clean_book_commits(book_repo):
    before = _commits(book_repo)
    r = _commit(book_repo, "a clean book")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout + r.stderr  # git prints its hooks' output on stderr
    assert "bookbuild check" in out and "bookbuild fix" in out and "Failed" not in out
    assert _commits(book_repo) == before + 1


def test_a_note_without_definition_is_refused(book_repo):
    chapter = book_repo / "manuscript" / "01.md"
    before = _commits(book_repo)
    chapter.write_text(CHAPTER + "\n城破之日[^fall]。\n", encoding="utf-8")
    r = _commit(book_repo, "a broken note")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "BB101" in out and "[^fall]" in out
    assert "manuscript/01.md:" in out
    assert _commits(book_repo) == before
    # Defining the note makes the same commit go through.
    notes = book_repo / "footnotes" / "01.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n[^fall]: 八月八日。\n", encoding="utf-8")
    r = _commit(book_repo, "the note defined")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _commits(book_repo) == before + 1


def test_fix_hook_rewrites_punctuation_and_refuses_until_staged(book_repo):
    chapter = book_repo / "manuscript" / "01.md"
    before = _commits(book_repo)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n戰況激烈,守軍死傷慘重.\n", encoding="utf-8")
    r = _commit(book_repo, "ASCII punctuation")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "bookbuild fix" in out and "+戰況激烈，守軍死傷慘重。" in out
    assert _commits(book_repo) == before
    # The hook fixed the file in place; staging the fix lets the commit through.
    assert "戰況激烈，守軍死傷慘重。" in chapter.read_text(encoding="utf-8")
    r = _commit(book_repo, "punctuation fixed")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _commits(book_repo) == before + 1


def test_book_in_a_subfolder_needs_the_files_filter_of_the_docs(hooks):
    # docs/ci.md: a staged file outside any book makes `check` exit 2, so a
    # repository with its book in book/ limits the hooks with `files:`.
    base, hook_repo, rev = hooks
    repo = base / "subfolder"
    make_book(repo / "book")
    (repo / "README.md").write_text("# 衡陽\n", encoding="utf-8")
    config = repo / ".pre-commit-config.yaml"
    config.write_text(_config(hook_repo, rev, files=r"^book/.*\.(md|ya?ml|toml)$"), encoding="utf-8")
    _install(repo)
    r = _commit(repo, "book and readme")
    assert r.returncode == 0, r.stdout + r.stderr
    (repo / "README.md").write_text("# 衡陽四十七日\n", encoding="utf-8")
    config.write_text(_config(hook_repo, rev), encoding="utf-8")
    r = _commit(repo, "without the filter")
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "no book.toml found" in out, out
