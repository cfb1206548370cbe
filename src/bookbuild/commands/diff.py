"""`bookbuild diff OLD_DIR NEW_DIR`: what changed between two revisions, for proofreaders.

Lists changed, added and removed notes (by id), changed citations (source and
locator, in the text and in notes) and text changes per chapter (by file),
each with the position in the new revision.
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from .. import model as m
from ..booktoml import NoBook
from ..charclass import cells, is_compatibility_ideograph, is_variation_selector
from ..diagnostics import format_report
from .check import load_prepared


def _note_text(note: m.Note) -> str:
    return "\n".join(m.plain_text(inl) for b in note.blocks for inl in m.block_inlines(b))


def _citations(book: m.Book) -> dict[str, list[tuple[str, str]]]:
    """Note id -> [(key, locator)] of the citations it holds (body citations live in generated notes)."""
    out = {}
    for note in book.notes.values():
        cites = [(it.key, it.locator) for n in m.walk_blocks_inlines(note.blocks) if isinstance(n, m.Citation)
                 for it in n.items]
        if cites:
            out[note.id] = cites
    return out


def _paragraphs(ch: m.Chapter) -> list[tuple[str, m.Pos]]:
    out = [(m.plain_text(ch.title), m.Pos(ch.file, 1, 1))]
    for b in ch.blocks:
        for inl in m.block_inlines(b):
            out.append((m.plain_text(inl), getattr(b, "pos", m.Pos(ch.file, 1, 1))))
    return out


def diff_books(old: m.Book, new: m.Book) -> list[str]:
    lines: list[str] = []
    authored_old = {k: v for k, v in old.notes.items() if not v.generated}
    authored_new = {k: v for k, v in new.notes.items() if not v.generated}
    lines += _section("Notes", _diff_notes(authored_old, authored_new))
    lines += _section("Citations", _diff_citations(old, new))
    for ch in new.chapters:
        before = next((c for c in old.chapters if c.file == ch.file), None)
        lines += _section(f"Text: {ch.file}", _diff_chapter(before, ch))
    for ch in old.chapters:
        if not any(c.file == ch.file for c in new.chapters):
            lines += _section(f"Text: {ch.file}", ["  chapter removed"])
    return lines


def _section(title: str, body: list[str]) -> list[str]:
    return [f"## {title}", *body, ""] if body else []


def _diff_notes(old: dict, new: dict) -> list[str]:
    out = []
    for nid, note in new.items():
        if nid not in old:
            out.append(f"  + [^{nid}] added at {note.pos}: {_note_text(note)}")
        elif _note_text(old[nid]) != _note_text(note):
            out.append(f"  ~ [^{nid}] changed at {note.pos}:")
            out += [f"      {line}" for line in _inline_diff(_note_text(old[nid]), _note_text(note))]
    for nid, note in old.items():
        if nid not in new:
            out.append(f"  - [^{nid}] removed (was {note.pos}): {_note_text(note)}")
    return out


def _diff_citations(old: m.Book, new: m.Book) -> list[str]:
    def flat(book):
        return sorted((pos_key, key, loc) for nid, cites in _citations(book).items()
                      for key, loc in cites for pos_key in [str(book.notes[nid].pos)])
    before = {(k, loc) for _, k, loc in flat(old)}
    after = {(k, loc) for _, k, loc in flat(new)}
    out = [f"  + @{k}, {loc}  ({p})" for p, k, loc in flat(new) if (k, loc) not in before]
    out += [f"  - @{k}, {loc}  (was {p})" for p, k, loc in flat(old) if (k, loc) not in after]
    return out


def _diff_chapter(old: m.Chapter | None, new: m.Chapter) -> list[str]:
    if old is None:
        return ["  chapter added"]
    a, b = _paragraphs(old), _paragraphs(new)
    out = []
    sm = difflib.SequenceMatcher(a=[t for t, _ in a], b=[t for t, _ in b], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        where = b[j1][1] if j1 < len(b) else new.toml_pos
        out.append(f"  {where}:")
        before, after = "\n".join(t for t, _ in a[i1:i2]), "\n".join(t for t, _ in b[j1:j2])
        out += [f"      {line}" for line in _inline_diff(before, after)]
    return out


def _inline_diff(a: str, b: str) -> list[str]:
    """Character-level diff of CJK text as [-old-]{+new+} marks.  It compares
    cells (a base with its variation selector), so a selector never stands
    alone in a mark, and names the code points a reader cannot see."""
    ca, cb = cells(a), cells(b)
    sm = difflib.SequenceMatcher(a=ca, b=cb, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            seg = ca[i1:i2]
            parts.append("".join(seg if len(seg) <= 20 else seg[:8] + ["…"] + seg[-8:]))
        else:
            if i2 > i1:
                parts.append(f"[-{_shown(ca[i1:i2])}-]")
            if j2 > j1:
                parts.append(f"{{+{_shown(cb[j1:j2])}+}}")
    return "".join(parts).split("\n")


def _shown(seg: list[str]) -> str:
    """Changed text with each variation selector and compatibility ideograph
    named after it (葛 and 葛 + VS17, 豈 U+8C48 and U+F900 look the same)."""
    return "".join(ch + (f"<U+{ord(ch):04X}>" if is_variation_selector(ch) or is_compatibility_ideograph(ch)
                         else "") for cell in seg for ch in cell)


def run_diff(old_dir: Path, new_dir: Path, *, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    books = []
    for d in (old_dir, new_dir):
        try:
            book, diags = load_prepared(d)
        except NoBook as e:
            print(f"bookbuild: {e}", file=stderr)
            return 2
        if book is None:
            stdout.write(format_report(diags, "text", d))
            return 1
        books.append(book)
    lines = diff_books(*books)
    stdout.write("\n".join(lines) + "\n" if lines else "no changes\n")
    return 0
