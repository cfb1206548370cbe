"""A symlink loop in manuscript/ (made here: git and copies handle loops badly)."""
import os
import pathlib


def generate(book: pathlib.Path) -> None:
    os.symlink("loop.md", book / "manuscript/loop.md")
