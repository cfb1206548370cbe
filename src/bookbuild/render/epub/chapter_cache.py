"""Each chapter's finished XHTML document kept between builds (issue 19: the edit loop).

Writing the chapters is most of an EPUB edition's own time, and an edit
touches one chapter (or the notes of one).  So the document a chapter
became is kept in `.bookbuild/cache/epub-chapters/<edition>/<key>.pickle`,
with what its writing left in the context (the source positions of its ids,
the 索引 occurrences it holds), and used again when the key is the same.

The key is a hash of everything the writer reads for that chapter:

- bookbuild's code stamp, Python's and lxml's versions, the book root;
- book.toml as parsed (`BookConfig`), the edition, its text settings and
  stylesheets; the glossary's keys and terms with their ids (a `.term`
  link), every chapter's file, kind, number and title (labels, 見第N章注M
  and links to other chapters), the note numbers, figure and table numbers;
- the chapter itself (its model: text, positions, attributes: `repr`, every
  field) and, with `notes = "chapter"`, each of its notes and the calls
  each note links back to;
- for every node the writer looks up elsewhere: a note call's id, a
  citation's formatted text and its sources' CSL data, a 索引 span's
  occurrence id.

Two things a chapter reads depend on the chapters written before it, so they
are checked when an entry is used rather than keyed: the images it uses are
numbered in order of first use (the entry keeps each image's reference and
package path: it is used only when the same references get the same paths
now), and a 索引 occurrence an earlier document already holds is not given
an id again (the entry keeps which were held).  An edition with a page-list
(`page_source`) is never cached: its marks are placed in the order written.
A file that cannot be read is computed again; only our classes are read back
(cache.safe_loads).  After each build the files of keys it did not use are
removed, so the folder holds one entry per chapter.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ... import model as m
from ...atomic import atomic_path
from ...cache import code_stamp, safe_dumps, safe_loads
from ...check.assets import image_path
from .context import Context, next_image
from .document import Doc, DocFacts, Facts, doc_facts
from .xhtml import INDEX_KINDS

FOLDER = "epub-chapters"
VERSION = "1"        # of the entry's layout


@dataclass
class Entry:
    """A chapter's document and what its writing left in the context."""
    doc: Doc
    source_ids: dict[str, m.Pos]            # element id -> source position (its file's)
    index_files: dict[str, str]             # occurrence id -> package file, set by this chapter
    images: list[tuple[str, str, str | None]]   # (src, file it is relative to, package path), in use order
    held: list[str]                         # its occurrence ids already held by an earlier document
    facts: DocFacts                         # its characters and image alts (document.py)


_CLASSES = (Entry, Doc, DocFacts, m.Pos)


class ChapterCache:
    """The chapters' entries of one edition.  When the edition has entries, every
    chapter's key is made before any chapter is written (the forked writer,
    split.py, is given only the chapters to write); in a build that finds none
    (a cold one), each key is made when its chapter is written, by the process
    that writes it."""

    def __init__(self, ctx: Context, cache_dir: Path | None, memo: dict | None = None):
        """`memo`: BuildData.epub_memo, where the editions of one build's book share what
        in the keys does not depend on the edition (the chapters' models and lookups)."""
        usable = cache_dir is not None and ctx.pages is None
        self.folder = (Path(cache_dir) / FOLDER / edition_folder(ctx.edition.name)) if usable else None
        self.facts = Facts()        # of the documents given: the kept ones' are kept with them
        self._ctx, self._memo, self._shared = ctx, {} if memo is None else memo, b""
        self._keys: dict[int, tuple[str, list[str]]] = {}      # chapter index -> (key, its 索引 occurrence ids)
        self.found = self.folder is not None and self.folder.is_dir() and any(self.folder.iterdir())
        if self.found:
            for ch in ctx.book.chapters:
                self._key(ch)

    def _key(self, ch: m.Chapter) -> tuple[str, list[str]]:
        if ch.index not in self._keys:
            ctx = self._ctx
            self._shared = self._shared or _shared_digest(ctx)
            memo_key = ("chapter", id(ctx.book), ch.index, ctx.book_notes)
            content = self._memo.get(memo_key)
            if content is None:
                content = self._memo[memo_key] = _content(ctx, ch)
            self._keys[ch.index] = (_chapter_key(ctx, ch, self._shared, content), content.occurrences)
        return self._keys[ch.index]

    def kept(self, ch: m.Chapter) -> bool:
        """Is there an entry for this chapter (it may still be refused when used)?"""
        return self.found and (self.folder / f"{self._key(ch)[0]}.pickle").is_file()

    def render(self, ctx: Context, ch: m.Chapter, write) -> Doc:
        """The chapter's document: the kept one when it fits, else `write(ctx, ch)` (then kept)."""
        if self.folder is None:
            return write(ctx, ch)
        key, occurrences = self._key(ch)
        path = self.folder / f"{key}.pickle"
        held = sorted(i for i in occurrences if i in ctx.index_files)
        entry = _read(path) if self.found else None
        if entry is not None and entry.held == held and _images_fit(ctx, entry.images):
            self.facts.add(entry.doc, entry.facts)
            return _replay(ctx, entry)
        first_image, first_occ = len(ctx.image_uses), len(ctx.index_files)
        doc = write(ctx, ch)
        # (dicts keep their order: what this chapter added comes last)
        entry = Entry(doc, dict(ctx.source_ids.get(doc.file, {})), dict(list(ctx.index_files.items())[first_occ:]),
                      list(ctx.image_uses[first_image:]), held, doc_facts(doc))
        self.facts.add(doc, entry.facts)
        _write(path, entry)
        return doc

    def prune(self) -> None:
        """Remove the entries of keys this build did not make (a build that found
        none wrote only entries of its own keys)."""
        if not self.found:
            return
        wanted = {f"{key}.pickle" for key, _ in self._keys.values()}
        for p in self.folder.iterdir():
            if p.name not in wanted and p.suffix == ".pickle":
                p.unlink(missing_ok=True)


def edition_folder(edition: str) -> str:
    """A folder name for any edition name."""
    return hashlib.sha256(edition.encode()).hexdigest()[:16]


def _shared_digest(ctx: Context) -> bytes:
    """What every chapter of the edition reads from the whole book."""
    book = ctx.book
    outline = [(c.index, c.file, c.kind, c.number, c.title) for c in book.chapters]
    terms = [(k, t.key, t.term) for k, t in book.terms.items()]
    parts = (VERSION, code_stamp(), sys.version, etree.LXML_VERSION, str(book.root), book.config, ctx.edition,
             ctx.text, ctx.stylesheets, terms, ctx.term_ids, outline, ctx.numbers, ctx.figures,
             ctx.index is None)
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode() + b"\0")
    return h.digest()


@dataclass
class _Content:
    """What a chapter's key reads of the book, the same in every edition of it."""
    digest: bytes             # its model, its notes' (notes = "chapter"), what its citations and 索引 spans find
    refs: list[m.NoteRef]     # its note calls, in order (their ids are the edition's)
    occurrences: list[str]    # the 索引 occurrence ids of its spans


def _content(ctx: Context, ch: m.Chapter) -> _Content:
    h = hashlib.sha256(repr(ch).encode())
    blocks = [ch.blocks]
    notes = [] if ctx.book_notes else ctx.numbers.by_chapter.get(ch.index, [])
    for nid in notes:
        note = ctx.book.notes[nid]
        h.update(b"\0note" + repr(note).encode())
        blocks.append(note.blocks)
    found = _Content(b"", [], [])
    looked_up: list = []
    nodes = [n for bs in blocks for n in m.walk_blocks_inlines(bs)]
    for node in list(m.walk_inlines(ch.title)) + nodes:
        _looked_up(ctx, node, looked_up, found)
    h.update(b"\0looked up" + repr(looked_up).encode())
    found.digest = h.digest()
    return found


def _chapter_key(ctx: Context, ch: m.Chapter, shared: bytes, content: _Content) -> str:
    """The hash of what the chapter's document is made from in this edition."""
    h = hashlib.sha256(shared + content.digest)
    calls = [(ref.id, ctx.call_ids.get(id(ref))) for ref in content.refs]
    backlinks = [] if ctx.book_notes else [ctx.calls.get(nid) for nid in ctx.numbers.by_chapter.get(ch.index, [])]
    h.update(repr((calls, backlinks)).encode())
    return h.hexdigest()


def _looked_up(ctx: Context, node, out: list, found: _Content) -> None:
    """What the writer finds for `node` outside the chapter's own model (a call's id: the edition's)."""
    if isinstance(node, m.NoteRef):
        found.refs.append(node)
    elif isinstance(node, m.Citation):
        rendered = ctx.cites.rendered.get(id(node))
        sources = [(it.key, ctx.book.sources[it.key].csl if it.key in ctx.book.sources else None)
                   for it in node.items]
        out.append(("cite", rendered, sources))
        for inner in m.walk_inlines(rendered or []):    # a span inside the style's text
            _looked_up(ctx, inner, out, found)
    elif isinstance(node, m.Span) and node.kind in INDEX_KINDS and ctx.index is not None:
        occ = ctx.index.by_pos.get(node.pos)
        out.append(("index", occ.id if occ else None))
        if occ is not None:
            found.occurrences.append(occ.id)


def _images_fit(ctx: Context, used: list[tuple[str, str, str | None]]) -> bool:
    """Would the chapter's images get the same package paths now?"""
    trial = dict(ctx.images)
    for src, relative_to, kept in used:
        rel = _image_rel(ctx, src, relative_to)
        now = None if rel is None else trial.setdefault(rel, next_image(trial, rel))
        if now != kept:
            return False
    return True


def _image_rel(ctx: Context, src: str, relative_to: str) -> str | None:
    path, _ = image_path(src, relative_to, ctx.book.root)
    return None if path is None else path.relative_to(ctx.book.root.resolve()).as_posix()


def _replay(ctx: Context, entry: Entry) -> Doc:
    """The entry's document, its additions made to the context as writing it would."""
    for src, relative_to, kept in entry.images:
        rel = _image_rel(ctx, src, relative_to)
        if rel is not None:
            ctx.images.setdefault(rel, kept)
        ctx.image_uses.append((src, relative_to, kept))
    ids = ctx.source_ids.setdefault(entry.doc.file, {})
    for element_id, pos in entry.source_ids.items():
        ids.setdefault(element_id, pos)
    for occ, file in entry.index_files.items():
        ctx.index_files.setdefault(occ, file)
    return entry.doc


def _read(path: Path) -> Entry | None:
    try:
        entry = safe_loads(path.read_bytes(), _CLASSES)
    except Exception:     # absent, torn, foreign: written again
        return None
    return entry if isinstance(entry, Entry) and isinstance(entry.doc, Doc) else None


def _write(path: Path, entry: Entry) -> None:
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(safe_dumps(entry, _CLASSES))
    except (OSError, ValueError, TypeError):
        pass      # a cache that cannot be written only costs the time it would save
