"""BB402: characters no font of the edition's chain can draw; BB403: variation
sequences none of them lists (on the normalized text)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from .. import model as m
from ..booktoml import KeyIndex
from ..config import PDF_FORMATS
from ..diagnostics import Diagnostic, diag
from ..fontchain import FontChain, fallback_families, installed_with, is_selector, resolve
from ..fonts import FontNotFound, find_font
from ..transform.normalize import normalize_for_render
from .reuse import CheckCache

# Generated text (chapter labels, brackets, numbers) and layout whitespace.  A variation
# selector is not here: it has no glyph of its own, and _lacks looks at the sequence it
# ends (cmap format 14) — BB403 when no font of the chain lists it, never BB402.
_ALWAYS_OK = set(" \n\t\u00a0")


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


def check_glyphs(book: m.Book, cache_dir: Path | None = None, reuse: CheckCache | None = None, *,
                 ahead: bool = False) -> list[Diagnostic]:
    """BB402/BB403.  `ahead`: `book` holds the raw texts alone (no chapters yet: check_texts,
    while Pandoc runs); a verdict that needs no text walked is kept in `reuse`, where
    run_checks finds it, and nothing is returned."""
    # The raw files hold every drawn character (plus Markdown syntax, all ASCII):
    # their character set decides cheaply whether the model must be walked at all.
    chars = book_chars(book, reuse)
    key = _verdict_key(book, chars, cache_dir, reuse) if reuse is not None else None
    found = reuse.diagnostics(key) if key is not None else None
    if found is not None:
        return [] if ahead else found
    out, walked = _check_glyphs(book, chars, cache_dir)
    if key is not None and not walked:
        # kept only when no text was looked at: then the result depends on nothing
        # but what the key holds (each position found in the texts is not in it)
        reuse.put_diagnostics(key, out)
    return [] if ahead else out


def _check_glyphs(book: m.Book, chars: set[str], cache_dir: Path | None) -> tuple[list[Diagnostic], bool]:
    """(diagnostics, whether the book's texts were walked)."""
    out: list[Diagnostic] = []
    chains: dict[tuple, FontChain | None] = {}
    lacks: dict[tuple, bool] = {}               # whether the chain lacks one of `chars`: asked once per chain
    seen_by_chain: dict[tuple, set[str]] = {}  # report each character once per chain
    meta = list(_metadata_texts(book))
    meta_only = set("".join(t for t, _ in meta)) - chars     # what a pdf edition draws besides
    texts = None
    for edition in book.config.editions:
        key = (edition.font, edition.font_fallback)
        if key not in chains:
            chains[key] = _chain(book, edition, cache_dir, out)
            lacks[key] = chains[key] is not None and any(_lacks(chains[key], c) for c in chars)
        chain = chains[key]
        if chain is not None and (lacks[key] or edition.format in PDF_FORMATS
                                  and any(_lacks(chain, c) for c in meta_only)):
            texts = texts if texts is not None else [(t, p) for t, p in _texts(book) if p is not None]
            edition_texts = texts + meta if edition.format in PDF_FORMATS else texts
            found = set("".join(t for t, _ in edition_texts))
            out += _missing(book, edition, edition_texts, found, chain, seen_by_chain.setdefault(key, set()))
    return out, texts is not None


def book_chars(book: m.Book, reuse: CheckCache | None = None) -> set[str]:
    """Every character of the book's files but book.toml."""
    out: set[str] = set()
    for file, text in book.texts.items():
        if file != book.config.path:
            out.update(file_chars(file, text, reuse))
    return out


def file_chars(file: str, text: str, reuse: CheckCache | None = None):
    """The characters of one file (a set, or a string of them); kept per file in
    `reuse` (a set of a 1.6 MB book costs 0.07 s)."""
    if reuse is None:
        return set(text)
    key = reuse.key("chars", file, text)
    found = reuse.get(key)
    if not isinstance(found, str):
        found = "".join(sorted(set(text)))
        reuse.put(key, found)
    return found


def _verdict_key(book: m.Book, chars: set[str], cache_dir: Path | None, reuse: CheckCache) -> str | None:
    """The key of check_glyphs's result when it walks no text: book.toml (editions, fonts,
    metadata, key positions), the book's characters, and the identity of every font file
    each chain may use (what coverage and sequences are read from).  None when a font is
    missing (not kept: its hint comes from fontconfig)."""
    parts = [book.texts.get(book.config.path, ""), "".join(sorted(chars))]
    found: dict[str, str] = {}      # editions share their chains: look each family up once
    for edition in book.config.editions:
        parts.append(repr((edition.name, edition.format, edition.font, edition.font_fallback)))
        for family in (edition.font, *fallback_families(edition)[0]):
            if family not in found:
                try:
                    ref = find_font(family, False, cache_dir)
                    st = ref.path.stat()
                except (FontNotFound, OSError):
                    return None
                found[family] = f"{ref.path}|{ref.index}|{st.st_size}|{st.st_mtime_ns}"
            parts.append(found[family])
    return reuse.key("glyphs", *parts)


def _lacks(chain: FontChain, ch: str) -> bool:
    """Whether `ch` needs a closer look: no font has it, or it selects a variant."""
    return ch not in _ALWAYS_OK and (is_selector(ch) or chain.index_of(ch) is None)


def _chain(book: m.Book, edition, cache_dir, out: list[Diagnostic]) -> FontChain | None:
    """The edition's font chain; BB402 for its missing `font` or a named fallback
    that is not installed (at the key in book.toml)."""
    keys = KeyIndex(book.texts.get(book.config.path, ""))
    try:
        chain = resolve(edition, cache_dir)
    except FontNotFound as e:
        out.append(Diagnostic("BB402", f"font '{edition.font}' of edition '{edition.name}' is not installed",
                              book.config.path, 1, 1, e.hint))
        return None
    for family in chain.absent:
        out.append(Diagnostic("BB402", f"fallback font '{family}' of edition '{edition.name}' is not installed",
                              book.config.path, *keys.key(f"editions.{edition.name}", "font_fallback"),
                              "install it or remove it from font_fallback (installed: `fc-list : family`)"))
    return chain


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
    return m.Pos(pos.file, pos.line, col) if line[col - 1:col - 1 + len(ch)] == ch else pos


def _missing(book, edition, texts, chars: set[str], chain: FontChain, seen: set[str]) -> list[Diagnostic]:
    # Fast path: normalization only maps to common punctuation and unified
    # ideographs, so only texts holding a character the chain lacks need it.
    lacking = {c for c in chars if _lacks(chain, c)}
    if not lacking:
        return []
    norm = _normalizer(book, edition)
    out = []
    for text, pos in texts:
        if lacking.isdisjoint(text):
            continue
        normed = norm(text)
        for i, ch in enumerate(normed):
            if is_selector(ch):
                out += _sequence(book, edition, chain, normed[i - 1:i + 1] if i else ch, text, pos, seen)
                continue
            if ch in seen or not _lacks(chain, ch):
                continue
            seen.add(ch)
            out.append(_no_glyph(edition, chain, ch, _char_pos(book, pos, text, ch), ask=len(seen) <= _ASK_FONTCONFIG))
    return out


# fc-list runs once per character (~20 ms): a book of unknown characters would wait
_ASK_FONTCONFIG = 30


def _no_glyph(edition, chain: FontChain, ch: str, at: m.Pos, ask: bool = True) -> Diagnostic:
    if unicodedata.category(ch) == "Cc":   # NUL, BEL…: never print the raw byte into the terminal
        return diag("BB402", at, f"invisible control character U+{ord(ch):04X} in the text",
                    "delete it (it often comes from a damaged or binary file)")
    if not ask:
        return diag("BB402", at, f"no font of edition '{edition.name}' has '{ch}' U+{ord(ch):04X} "
                    f"(tried: {', '.join(chain.names)})",
                    f"fonts that have it: `fc-list ':charset={ord(ch):x}' family`; add one to font_fallback")
    having = installed_with(ch)
    return diag("BB402", at, f"no font of edition '{edition.name}' has '{ch}' U+{ord(ch):04X} "
                f"(tried: {', '.join(chain.names)})",
                (f"installed fonts that have it: {', '.join(having)}; add one to font_fallback"
                 if having else "no installed font has it: install one (e.g. fonts-hanazono) or replace "
                 "the character"))


def _sequence(book, edition, chain: FontChain, seq: str, text: str, pos, seen: set[str]) -> list[Diagnostic]:
    """BB403 for a variation sequence no font of the chain lists (drawn as its base)."""
    if seq in seen or len(seq) != 2 or chain.index_of_sequence(*seq) is not None:
        return []
    seen.add(seq)
    at = _char_pos(book, pos, text, seq)
    return [diag("BB403", at, f"no font of edition '{edition.name}' has the variant "
                 f"U+{ord(seq[0]):04X} U+{ord(seq[1]):04X} of '{seq[0]}' (tried: {', '.join(chain.names)}); "
                 f"the base character is drawn", "add a font with this variation sequence to font_fallback "
                 "(e.g. HanaMinA for Adobe-Japan1/Hanyo-Denshi IVS), or remove the selector")]


def fallback_report(book: m.Book, cache_dir: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """{edition: {fallback family: the characters (and variation sequences) it
    supplies}}, for `check --format json`: what an editor proofreads in a
    fallback face. The primary font's own characters are left out."""
    body = "".join(t for f, t in sorted(book.texts.items()) if f != book.config.path)
    meta = "".join(t for t, _ in _metadata_texts(book))
    out: dict[str, dict[str, list[str]]] = {}
    for edition in book.config.editions:
        try:
            chain = resolve(edition, cache_dir)
        except FontNotFound:
            continue
        text = body + meta if edition.format == "pdf" else body
        used = chain.sources(c for c in set(text) if not is_selector(c))
        for seq in sorted({text[i - 1:i + 1] for i, c in enumerate(text) if i and is_selector(c)}):
            i = chain.index_of_sequence(*seq)
            if i:
                used.setdefault(chain.names[i], []).append(seq)
        out[edition.name] = used
    return out
