"""Citeproc's output read back: Pandoc JSON inlines → model inlines, the
formatted citations found in the returned document, the bibliography entries.

Generated text: nothing here has a source position.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .. import model as m
from ..charclass import is_han_context
from .sortkeys import BibEntry

_CONTAINERS = {"Emph": m.Emph, "Strong": m.Strong}
_FLATTEN = ("Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps")


def to_inlines(nodes: list) -> list[m.Inline]:
    """Pandoc JSON inlines -> model inlines (no positions: generated text)."""
    out: list[m.Inline] = []
    for node in nodes:
        t, c = node["t"], node.get("c")
        if t == "Str":
            out.append(m.Text(c))
        elif t in ("Space", "SoftBreak"):
            out.append(m.Space())
        elif t == "LineBreak":
            out.append(m.LineBreak())
        elif t in _CONTAINERS:
            out.append(_CONTAINERS[t](to_inlines(c)))
        elif t in _FLATTEN:
            out.extend(to_inlines(c))
        elif t == "Quoted":
            out.extend(_quoted(c[0]["t"], to_inlines(c[1])))
        elif t in ("Cite", "Span"):
            out.extend(to_inlines(c[1]))
        elif t == "Link":
            out.append(m.Link(c[2][0], to_inlines(c[1])))
        elif t in ("Code", "Math"):
            out.append(m.Text(c[1]))
    return _tidy(out)


def _quoted(kind: str, inner: list[m.Inline]) -> list[m.Inline]:
    text = m.plain_text(inner).strip()
    cjk = bool(text) and is_han_context(text[0])
    marks = {("DoubleQuote", True): "「」", ("SingleQuote", True): "『』",
             ("DoubleQuote", False): "“”", ("SingleQuote", False): "‘’"}[(kind, cjk)]
    return [m.Text(marks[0])] + inner + [m.Text(marks[1])]


def _tidy(nodes: list[m.Inline]) -> list[m.Inline]:
    """Merge adjacent Text; drop a Space between two CJK characters."""
    merged: list[m.Inline] = []
    for node in nodes:
        if isinstance(node, m.Text) and merged and isinstance(merged[-1], m.Text):
            merged[-1] = m.Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    out: list[m.Inline] = []
    for i, node in enumerate(merged):
        if isinstance(node, m.Space) and 0 < i < len(merged) - 1:
            before, after = merged[i - 1], merged[i + 1]
            if (isinstance(before, m.Text) and isinstance(after, m.Text) and before.text
                    and after.text and is_han_context(before.text[-1])
                    and is_han_context(after.text[0])):
                continue
        out.append(node)
    return out


def find_cites(blocks: list) -> list[list]:
    """The formatted inlines of every Cite node, in document order."""
    found: list[list] = []

    def walk(x):
        if isinstance(x, dict):
            if x.get("t") == "Cite":
                found.append(x["c"][1])
                return
            walk(x.get("c"))
        elif isinstance(x, list):
            for y in x:
                walk(y)
    walk(blocks)
    return found


def _block_inlines(blocks: list, skip_class: str = "csl-left-margin") -> list:
    """All inlines of Pandoc blocks, skipping the citation-number column."""
    out: list = []
    for b in blocks:
        if b["t"] in ("Para", "Plain"):
            if out:
                out.append({"t": "Space"})
            out.extend(b["c"])
        elif b["t"] == "Div" and skip_class not in b["c"][0][1]:
            out.extend(_block_inlines(b["c"][1], skip_class))
    return out


def bib_entries(blocks: list, book: m.Book, keys: set[str]) -> list[BibEntry]:
    """The bibliography entries of the original (unscoped) cited sources."""
    refs = next((b for b in blocks if b["t"] == "Div" and b["c"][0][0] == "refs"), None)
    entries = []
    for div in (refs["c"][1] if refs else []):
        ident = div["c"][0][0] if div["t"] == "Div" else ""
        key = ident[4:] if ident.startswith("ref-") else ""
        if key not in keys or key not in book.sources:
            continue
        inlines = to_inlines(_block_inlines(div["c"][1]))
        # A leading "[3]" citation-number means nothing once regrouped and resorted.
        if inlines and isinstance(inlines[0], m.Text):
            inlines[0] = replace(inlines[0], text=re.sub(r"^\[\d+\]\s*", "", inlines[0].text))
        while inlines and (isinstance(inlines[0], m.Space)
                           or isinstance(inlines[0], m.Text) and not inlines[0].text.strip()):
            inlines.pop(0)
        entries.append(BibEntry(key, inlines, book.sources[key].csl))
    return entries
