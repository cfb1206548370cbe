"""Pandoc's parts back into the model: each part converted with positions
(pandoc_ast.py) and appended to its file's parse (reuse.FileParse).

    convert_parts(ast, jobs, texts, done, parts, origins) -> None

A part with a soft line break that eastasian.py cannot decide (a character of
uncertain width beside it) is read again by Pandoc with east_asian_line_breaks
and converted from that answer.
"""
from __future__ import annotations

from .. import model as m
from ..diagnostics import Diagnostic
from ..lines import LineIndex
from .eastasian import Uncertain
from .pandoc_ast import MAX_NESTING, Converter, FileContext
from .pandoc_parts import parse_parts
from .reuse import FileParse, Part, depends_across


def _raw_html(raw: list[tuple[m.Pos, bool, str]]) -> list[Diagnostic]:
    """BB406 once per line: Pandoc splits `<div>…</div>` into an opening and a closing raw node."""
    out, lines = [], set()
    for pos, block, fmt in raw:
        if (pos.file, pos.line) in lines:
            continue
        lines.add((pos.file, pos.line))
        kind = {"html": "HTML", "tex": "TeX", "latex": "TeX"}.get(fmt, fmt)
        inline = "tag" if kind == "HTML" else "command"
        what = f"raw {kind} block is left out of every edition" if block else f"raw {kind} {inline} is printed as text"
        out.append(Diagnostic("BB406", what, pos.file, pos.line, pos.col,
                              "write it in Markdown (a ::: div, a [span]{.class}, a table); "
                              "bookbuild never renders raw HTML"))
    return out


def convert_parts(ast, jobs, texts, done: dict[str, FileParse], parts: list[str], origins) -> None:
    """Each part Pandoc returned, converted into the model, appended to its file's parse
    (`parts`, `origins`: Pandoc's input, for the parts read again)."""
    indexes: dict[str, LineIndex] = {}
    converted: list[tuple[int, dict, Part | None]] = []
    for block in ast["blocks"]:
        if block["t"] != "Div" or "bbpart" not in block["c"][0][1]:
            continue
        n = int(dict(block["c"][0][2])["n"])
        try:
            converted.append((n, block, _convert_part(block, jobs[n], texts, indexes, True)))
        except Uncertain:
            converted.append((n, block, None))
    redo = [n for n, _, part in converted if part is None]
    again = _read_again(redo, parts, origins) if redo else {}
    for n, block, part in converted:
        if part is None:    # (Pandoc failed the second time: its first answer, uncertain breaks kept)
            part = _convert_part(again.get(n, block), jobs[n], texts, indexes, False)
        done[jobs[n][1]].parts.append(part)


def _read_again(redo: list[int], parts: list[str], origins) -> dict[int, dict]:
    """{n: block} of parts `redo` read again by Pandoc with east_asian_line_breaks; alone,
    unless a part holds what Pandoc shares across its input (reuse.depends_across): then all."""
    ast, _ = parse_parts(parts if depends_across(parts) else [parts[n] for n in redo], origins, filtered=True)
    return {int(dict(b["c"][0][2])["n"]): b for b in ast["blocks"]
            if b["t"] == "Div" and "bbpart" in b["c"][0][1]}


def _convert_part(block, job, texts, indexes: dict[str, LineIndex], strict: bool) -> Part:
    """One part into the model (raises eastasian.Uncertain, when strict)."""
    kind, rel, start, payload = job
    if rel not in indexes:
        indexes[rel] = LineIndex(texts[rel])
    conv = Converter(FileContext(rel, texts[rel], start, indexes[rel]), strict)
    note_id, pos = (payload.id, conv.ctx.pos_at(payload.marker)) if kind == "note" else ("", None)
    diags: list[Diagnostic] = []
    blocks = None
    if not _nested_too_deep(block, conv, kind, rel, payload, diags):
        blocks = conv.blocks(block["c"][1], pos or m.Pos(rel, 1, 1))
        if _nested_too_deep(block, conv, kind, rel, payload, diags):
            blocks = None
    if blocks is None:
        return Part(None, [], note_id, pos, diags)
    return Part(blocks, conv.inline_notes, note_id, pos, _raw_html(conv.raw))


def _nested_too_deep(block, conv, kind, rel, payload, diags) -> bool:
    """BB510 for a part whose Markdown nests too deep: its JSON did not decode
    (marked bbdeep by pandoc_parts.parse_parts), or the converter met more than MAX_NESTING
    levels (it stops descending and sets too_deep); the part is left out."""
    if "bbdeep" in dict(block["c"][0][2]):
        pos = m.Pos(rel, 1, 1) if kind == "chapter" else conv.ctx.pos_at(payload.marker)
    elif conv.too_deep:
        pos = conv.ctx.pos_at(conv.ctx.cursor)
    else:
        return False
    diags.append(Diagnostic("BB510", f"Markdown nested more than {MAX_NESTING} levels deep (emphasis, spans, "
                            "quotes or lists inside one another)", pos.file, pos.line, pos.col,
                            "flatten the nesting (no book needs more than a few levels)"))
    return True


