"""manuscript/02.md -> /etc/passwd (made here: an absolute symlink)."""
import os
import pathlib


def generate(book: pathlib.Path) -> None:
    os.symlink("/etc/passwd", book / "manuscript/02.md")
