"""BB201–BB203 (sources) and BB301–BB303 (glossary): cross references."""
from __future__ import annotations

import difflib

from .. import model as m
from ..diagnostics import Diagnostic, diag
from ..transform.bookindex import named_terms


def _all_inlines(book: m.Book):
    for ch in book.chapters:
        yield from m.walk_inlines(ch.title)
        yield from m.walk_blocks_inlines(ch.blocks)
    for note in book.notes.values():
        yield from m.walk_blocks_inlines(note.blocks)


def check_sources(book: m.Book) -> list[Diagnostic]:
    out = []
    cited: set[str] = set()
    for node in _all_inlines(book):
        if not isinstance(node, m.Citation):
            continue
        for item in node.items:
            cited.add(item.key)
            if not item.key:
                out.append(diag("BB203", node.pos, "citation with an empty key",
                                "write the source id after @"))
            elif item.key not in book.sources:
                out.append(diag("BB201", node.pos, f"citation key @{item.key} is not in footnotes/sources.yaml",
                                _close_hint(item.key, book.sources)))
    for src in book.sources.values():
        if src.id not in cited:
            out.append(diag("BB202", src.pos, f"source '{src.id}' is never cited",
                            f"cite it with [@{src.id}] or remove it from sources.yaml"))
    return out


def _close_hint(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1)
    return f"did you mean @{near[0]}?" if near else "add the source to footnotes/sources.yaml"


def _see_hint(key: str, terms) -> str:
    near = difflib.get_close_matches(key, list(terms), n=1)
    if near:
        return f"did you mean {near[0]}?"
    return f"add an entry {key}: to footnotes/glossary.yaml or remove it from see"


def resolve_term(book: m.Book, span: m.Span) -> tuple[m.Term | None, str]:
    """The glossary entry a .term span names, or (None, reason)."""
    text = m.plain_text(span.children)
    key = span.attrs.get("key")
    if key is not None:
        return book.terms.get(key), f"no glossary key '{key}'"
    if text in book.terms:
        return book.terms[text], ""
    matches = named_terms(book, text)
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"'{text}' is the term of {len(matches)} entries ({', '.join(t.key for t in matches)})"
    return None, f"no glossary key or term '{text}'"


def check_glossary(book: m.Book) -> list[Diagnostic]:
    out = []
    used: set[str] = set()
    for node in _all_inlines(book):
        if isinstance(node, m.Span) and node.kind == "term":
            term, reason = resolve_term(book, node)
            if term is None:
                out.append(diag("BB301", node.pos, f"glossary term not found: {reason}",
                                "add the entry to footnotes/glossary.yaml or name it with key=…"))
            else:
                used.add(term.key)
    for term in book.terms.values():
        for target, pos in zip(term.see, term.see_pos):
            if target not in book.terms:
                out.append(diag("BB303", pos, f"glossary entry '{term.key}' sees '{target}', which does not exist",
                                _see_hint(target, book.terms)))
        if term.key not in used:
            out.append(diag("BB302", term.pos, f"glossary entry '{term.key}' is never used",
                            f"mark it in the text with [{term.term}]{{.term}} or remove it"))
    return out
