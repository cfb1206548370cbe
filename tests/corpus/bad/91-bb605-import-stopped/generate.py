"""A small, valid .docx to import (made by Pandoc, so no binary file is kept in git)."""
import pathlib

import pypandoc


def generate(book: pathlib.Path) -> None:
    pypandoc.convert_text("# 第一章\n\n正文[^1]。\n\n[^1]: 注文。\n", "docx", format="markdown",
                          outputfile=str(book / "old.docx"))
