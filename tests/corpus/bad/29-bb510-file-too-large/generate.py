"""Grow the chapter past the 64 MiB file limit (a sparse file: no 64 MiB in git)."""
from pathlib import Path


def generate(book: Path) -> None:
    with open(book / "manuscript/01.md", "ab") as f:
        f.truncate(64 * 1024 * 1024 + 1)
