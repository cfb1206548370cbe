"""Helpers of the page-list and 索引 tests: a book built the way a user builds it (`run_build`, as
`bookbuild build` does), and readers of its outputs (PDF page text, EPUB page markers).
The sample book built so is the `printed` fixture (tests/conftest.py)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bookbuild.commands.build import run_build
from helpers.epub import NS


@dataclass
class Built:
    root: Path
    out: Path
    code: int
    stdout: str
    book: object = None

    @property
    def pdf(self) -> Path:
        return self.out / "print.pdf"

    epub_name: str = "epub"

    @property
    def epub(self) -> Path:
        return self.out / f"{self.epub_name}.epub"

    def layout(self) -> dict:
        return json.loads((self.out / "print.layout.json").read_text("utf-8"))

    def docs(self) -> dict[str, etree._Element]:
        with zipfile.ZipFile(self.epub) as zf:
            return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xhtml")}

    def opf(self):
        with zipfile.ZipFile(self.epub) as zf:
            return etree.fromstring(zf.read("EPUB/content.opf"))


def build_book(root: Path, editions: list[str]) -> Built:
    out = root / "dist"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_build(root, editions=editions, out_dir=out, stdout=stdout, stderr=stderr)
    return Built(root, out, code, stdout.getvalue() + stderr.getvalue(), epub_name=editions[-1])


def pdf_page_text(pdf: Path, n: int) -> str:
    """The text layer of one PDF page in content order (poppler)."""
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    """Text without whitespace (columns, the ideographic space, Latin word spaces)."""
    return re.sub(r"\s+", "", text)


def text_after(el, limit: int = 40) -> str:
    """The document text that follows element `el` (its tail, then everything after)."""
    out = []
    for t in el.xpath("following::text()"):
        out.append(t)
        if len(squeeze("".join(out))) >= limit:
            break
    return squeeze("".join(out))


def markers(docs: dict) -> dict[str, tuple[str, etree._Element]]:
    """page-N id -> (document, marker element) of every pagebreak marker."""
    found = {}
    for name, root in docs.items():
        for el in root.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
            assert el.get("id") not in found, f"{el.get('id')} twice"
            found[el.get("id")] = (name, el)
    return found
