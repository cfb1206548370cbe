"""A 65 MiB chapter, sparse (not committed: size)."""
import pathlib


def generate(book: pathlib.Path) -> None:
    with open(book / "manuscript/02.md", "wb") as f:
        f.write("# 第二章\n\n".encode())
        f.truncate(65 * 1024 * 1024)
