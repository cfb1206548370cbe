"""The HTML that `bookbuild serve` shows: index with the diagnostics panel, source view,
EPUB contents, print pages; and the live-reload hook injected into EPUB chapters."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path
from urllib.parse import quote, urlencode

from .assets import PAGE_CSS


def _doc(title: str, body: str, live: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"/>'
            f'<title>{escape(title)}</title><style>{PAGE_CSS}</style>{live}</head>'
            f'<body>{body}</body></html>')


def live_tag(*, edition: str = "", gen: int = 0, revision: int | None = None,
             prev: str = "", next: str = "") -> str:
    attrs = {"data-edition": edition, "data-gen": str(gen) if edition else "",
             "data-revision": "" if revision is None else str(revision), "data-prev": prev, "data-next": next}
    text = " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items() if v)
    return f'<script src="/_bookbuild/live.js" {text}></script>'


# ---------------------------------------------------------------- index
def index_page(root: Path, snap: dict, editions: list, diags: list[dict]) -> str:
    rows = "".join(_edition_item(e, snap) for e in editions) or "<li class=muted>no edition</li>"
    body = (f'<header><h1>bookbuild serve · {escape(root.name)}</h1>'
            f'<div class=muted>{escape(str(root))} · {escape(snap["status"])}</div></header><main>'
            f'<h2>Editions</h2><ul class=editions>{rows}</ul>'
            f'<h2>Diagnostics · {snap["errors"]} errors, {snap["warnings"]} warnings</h2>'
            f'{diagnostics_table(diags, root)}</main>')
    return _doc(f"bookbuild · {root.name}", body, live_tag(revision=snap["revision"]))


def _edition_item(e, snap: dict) -> str:
    name = escape(e.name)
    if e.gen:
        when = time.strftime("%H:%M:%S", time.localtime(e.built_at))
        state = f'built {when} in {e.seconds:.1f} s'
        if e.format == "epub":
            links = f'<a href="/epub/{quote(e.name)}/">read</a> · <a href="/file/{quote(e.name)}">{name}.epub</a>'
        else:
            links = f'<a href="/print/{quote(e.name)}/">pages</a> · <a href="/file/{quote(e.name)}">{name}.pdf</a>'
    else:
        state, links = "not built yet", ""
    failed = f' · <span class=error>{escape(e.failed)}</span>' if e.failed else ""
    return f'<li><b>{name}</b> ({escape(e.format)}) · {links} <span class=muted>{state}</span>{failed}</li>'


def diagnostics_table(diags: list[dict], root: Path) -> str:
    if not diags:
        return "<p class=muted>No diagnostics.</p>"
    rows = []
    for d in diags:
        where = f'{d["file"]}:{d["line"]}:{d["column"]}'
        path = (root / d["file"]).resolve() if d["file"] else root
        view = "/source?" + urlencode({"file": d["file"], "line": d["line"], "col": d["column"]})
        editor = f'vscode://file{quote(str(path))}:{d["line"]}:{d["column"]}'
        hint = f'<div class=hint>hint: {escape(d["hint"])}</div>' if d.get("hint") else ""
        eds = escape(", ".join(d.get("editions", [])))
        rows.append(f'<tr><td class={escape(d["severity"])}>{escape(d["code"])}</td>'
                    f'<td><a class=loc href="{escape(view)}">{escape(where)}</a> '
                    f'<a href="{escape(editor)}" title="open in VS Code">✎</a></td>'
                    f'<td>{escape(d["message"])}{hint}</td><td class=muted>{eds}</td></tr>')
    return "<table><tr><th>code</th><th>where</th><th>message</th><th>editions</th></tr>" + "".join(rows) + "</table>"


# ---------------------------------------------------------------- source
def source_page(root: Path, rel: str, line: int, col: int, text: str, revision: int) -> str:
    spans = []
    for i, ln in enumerate(text.split("\n"), 1):
        if i == line:
            c = max(col - 1, 0)
            inner = escape(ln[:c]) + "<mark>" + escape(ln[c:c + 1] or " ") + "</mark>" + escape(ln[c + 1:])
            spans.append(f'<span class=hit id=hit>{inner}</span>')
        else:
            spans.append(f"<span>{escape(ln)}</span>")
    editor = f'vscode://file{quote(str((root / rel).resolve()))}:{line}:{col}'
    body = (f'<header><a href="/">index</a> · <b>{escape(rel)}:{line}:{col}</b> · '
            f'<a href="{escape(editor)}">open in VS Code</a></header>'
            f'<main><pre class=source>{"".join(spans)}</pre></main>'
            '<script>document.getElementById("hit")?.scrollIntoView({block: "center"})</script>')
    return _doc(f"{rel}:{line}", body, live_tag(revision=revision))


# ------------------------------------------------------------------ epub
def spine(epub_dir: Path) -> list[str]:
    """Paths (relative to the unzipped EPUB) of the reading order's documents."""
    ns = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "o": "http://www.idpf.org/2007/opf"}
    try:
        container = ET.parse(epub_dir / "META-INF" / "container.xml")
        opf_rel = container.find(".//c:rootfile", ns).get("full-path")
        opf = ET.parse(epub_dir / opf_rel)
    except (OSError, ET.ParseError, AttributeError):
        return []
    base = Path(opf_rel).parent
    items = {i.get("id"): i.get("href") for i in opf.iterfind(".//o:manifest/o:item", ns)}
    return [(base / items[r.get("idref")]).as_posix() for r in opf.iterfind(".//o:spine/o:itemref", ns)
            if r.get("idref") in items]


def contents_page(name: str, gen: int, docs: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="/epub/{quote(name)}/{quote(p)}">{escape(t or p)}</a></li>' for p, t in docs)
    body = (f'<header><a href="/">index</a> · <b>{escape(name)}</b> (EPUB, build {gen})</header>'
            f'<main><ol>{items}</ol></main>')
    return _doc(name, body, live_tag(edition=name, gen=gen))


def doc_title(path: Path) -> str:
    m = re.search(rb"<title>(.*?)</title>", path.read_bytes()[:4096], re.S)
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


def inject_live(xhtml: bytes, tag: str) -> bytes:
    """Add the live-reload script to an XHTML chapter (well-formed: an empty element)."""
    at = xhtml.find(b"</head>")
    return xhtml[:at] + tag.encode() + xhtml[at:] if at >= 0 else xhtml


# ----------------------------------------------------------------- print
def print_page(name: str, gen: int, count: int, width: int) -> str:
    """Spreads right to left: page 1 is a left page alone, then (2 | 3), (4 | 5)…"""
    def fig(n: int | None) -> str:
        if n is None:
            return f'<figure class=empty style="width:{width}px"></figure>'
        return (f'<figure><img loading=lazy width={width} alt="page {n}" '
                f'src="/print/{quote(name)}/page/{n}.png?w={width}&amp;g={gen}"/>'
                f'<figcaption>{n}</figcaption></figure>')
    spreads = [[None, 1]] + [[n, n + 1 if n + 1 <= count else None] for n in range(2, count + 1, 2)]
    html = "".join(f'<div class=spread>{fig(a)}{fig(b)}</div>' for a, b in spreads if count)
    body = (f'<header><a href="/">index</a> · <b>{escape(name)}</b> (PDF, build {gen}, {count} pages) · '
            f'<a href="/file/{quote(name)}">open the PDF</a></header><main class=spreads>{html}</main>')
    return _doc(name, body, live_tag(edition=name, gen=gen))


def message_page(title: str, text: str, live: str) -> str:
    body = f'<header><a href="/">index</a></header><main><h2>{escape(title)}</h2><p>{escape(text)}</p></main>'
    return _doc(title, body, live)
