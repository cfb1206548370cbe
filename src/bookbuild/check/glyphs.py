"""BB402: characters the edition's font cannot draw (on the normalized text)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from .. import model as m
from ..charclass import VARIATION_SELECTORS
from ..config import PDF_FORMATS
from ..diagnostics import Diagnostic, diag
from ..fonts import FontNotFound, coverage, find_font
from ..transform.normalize import normalize_for_render

# Generated text (chapter labels, brackets, numbers) and layout whitespace;
# variation selectors, which have no glyph of their own: they pick a glyph of
# the character before it (cmap format 14), which is what the font must have.
_ALWAYS_OK = set(" \n\t\u00a0") | {chr(cp) for lo, hi in VARIATION_SELECTORS for cp in range(lo, hi + 1)}


def _normalizer(book: m.Book, edition):
    return lambda s: normalize_for_render(s, pdf=edition.format == "pdf",
                                          range_mark=book.config.range, interpunct=book.config.interpunct)


def _texts(book: m.Book):
    """(text, pos) of everything an edition draws from the sources."""
    for ch in book.chapters:
        for node in m.walk_inlines(ch.title):
            if isinstance(node, (m.Text, m.Code)):
                yield node.text, node.pos
        for node in m.walk_blocks_inlines(ch.blocks):
            if isinstance(node, (m.Text, m.Code)):
                yield node.text, node.pos
            elif isinstance(node, m.Citation):
                for it in node.items:
                    yield it.prefix + it.locator, node.pos
    for note in book.notes.values():
        for node in m.walk_blocks_inlines(note.blocks):
            if isinstance(node, (m.Text, m.Code)):
                yield node.text, node.pos or note.pos
            elif isinstance(node, m.Citation):
                for it in node.items:
                    yield it.prefix + it.locator, node.pos
    yield from _yaml_texts(book, [(t.pos, (t.term, t.definition, t.reading)) for t in book.terms.values()])
    yield from _yaml_texts(book, [(s.pos, s.csl) for s in book.sources.values()])


def _strings(value):
    """Every string inside a YAML value (CSL names are lists of mappings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _yaml_texts(book: m.Book, entries):
    """(string, pos) of each string of each YAML entry, at the string itself in
    the file (a BB402 column is an offset into the text it is reported on); a
    string over several lines (a block scalar) comes as its lines."""
    entries = sorted(entries, key=lambda e: (e[0].file, e[0].line))
    for i, (pos, value) in enumerate(entries):
        nxt = entries[i + 1][0] if i + 1 < len(entries) else None
        end = nxt.line if nxt is not None and nxt.file == pos.file else None
        lines = book.texts.get(pos.file, "").split("\n")[pos.line - 1:end and end - 1]
        for text in _strings(value):
            yield from _locate(text, lines, pos)


def _locate(text: str, lines: list[str], pos: m.Pos):
    for n, line in enumerate(lines):
        if text in line:
            yield text, m.Pos(pos.file, pos.line + n, line.index(text) + 1)
            return
    for n, line in enumerate(lines):
        piece = line.strip()
        if piece and piece in text:
            yield piece, m.Pos(pos.file, pos.line + n, line.index(piece) + 1)


# book.toml values a pdf edition draws on its title page and colophon (frontmatter.py)
_DRAWN_KEYS = ("title", "subtitle", "authors", "publisher", "date", "edition_statement", "isbn", "identifier",
               "rights")


def _metadata_texts(book: m.Book):
    """(value, pos) of each drawn book.toml value, at the value in book.toml (the
    build would otherwise meet a character its font lacks only on the colophon)."""
    cfg, toml = book.config, book.texts.get(book.config.path, "")
    lines = toml.split("\n")
    for key in _DRAWN_KEYS:
        values = getattr(cfg, key, "")
        for value in (values if isinstance(values, tuple) else (values,)):
            if value:
                yield value, _value_pos(cfg.path, lines, key, value)


def _value_pos(file: str, lines: list[str], key: str, value: str) -> m.Pos:
    """The first line that sets `key` and holds `value` (an escaped value: the key)."""
    for n, line in enumerate(lines, 1):
        if line.lstrip().startswith(key):
            i = line.find(value)
            return m.Pos(file, n, i + 1 if i >= 0 else len(line) - len(line.lstrip()) + 1)
    return m.Pos(file, 1, 1)


def check_glyphs(book: m.Book, cache_dir: Path | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    cmaps: dict[str, frozenset[int] | None] = {}
    seen_by_font: dict[str, set[str]] = {}  # report each character once per font
    # The raw files hold every drawn character (plus Markdown syntax, all ASCII):
    # their character set decides cheaply whether the model must be walked at all.
    chars = set().union(*(set(t) for f, t in book.texts.items() if f != book.config.path))
    meta = list(_metadata_texts(book))
    texts = None
    for edition in book.config.editions:
        if edition.font not in cmaps:
            try:
                cmaps[edition.font] = coverage(find_font(edition.font), cache_dir)
            except FontNotFound as e:
                cmaps[edition.font] = None
                out.append(Diagnostic("BB402", f"font '{edition.font}' of edition '{edition.name}' is not installed",
                                      book.config.path, 1, 1, e.hint))
        cmap = cmaps[edition.font]
        drawn = chars | set("".join(t for t, _ in meta)) if edition.format in PDF_FORMATS else chars
        if cmap is not None and any(ord(c) not in cmap and c not in _ALWAYS_OK for c in drawn):
            texts = texts if texts is not None else [(t, p) for t, p in _texts(book) if p is not None]
            edition_texts = texts + meta if edition.format in PDF_FORMATS else texts
            found = set("".join(t for t, _ in edition_texts))
            out += _missing(book, edition, edition_texts, found, cmap, seen_by_font.setdefault(edition.font, set()))
    return out


def _char_pos(book, pos: m.Pos, text: str, ch: str) -> m.Pos:
    """Where ch is in the author's file: pos plus its offset in text, when the
    file really holds ch there (a text whose own place was not found carries its
    block's place, and an offset from that pointed past the end of the line)."""
    where = text.find(ch)
    src = book.texts.get(pos.file)
    if where < 0 or "\n" in text[:where] or src is None:
        return pos
    lines = src.split("\n", pos.line)
    line = lines[pos.line - 1] if len(lines) >= pos.line else ""
    col = pos.col + where
    return m.Pos(pos.file, pos.line, col) if line[col - 1:col] == ch else pos


def _missing(book, edition, texts, chars: set[str], cmap, seen: set[str]) -> list[Diagnostic]:
    # Fast path: normalization only maps to common punctuation and unified
    # ideographs, so only texts holding a character the font lacks need it.
    lacking = {c for c in chars if ord(c) not in cmap and c not in _ALWAYS_OK}
    if not lacking:
        return []
    norm = _normalizer(book, edition)
    out = []
    for text, pos in texts:
        if lacking.isdisjoint(text):
            continue
        for ch in norm(text):
            if ch in seen or ch in _ALWAYS_OK or ord(ch) in cmap:
                continue
            seen.add(ch)
            at = _char_pos(book, pos, text, ch)
            if unicodedata.category(ch) == "Cc":   # NUL, BEL…: never print the raw byte into the terminal
                out.append(diag("BB402", at, f"invisible control character U+{ord(ch):04X} in the text",
                                "delete it (it often comes from a damaged or binary file)"))
                continue
            out.append(diag("BB402", at, f"the font '{edition.font}' (edition '{edition.name}') has no glyph for "
                            f"'{ch}' U+{ord(ch):04X}",
                            "replace the character, or choose an edition font that has it"))
    return out
