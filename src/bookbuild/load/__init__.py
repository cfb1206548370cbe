"""Read a book folder into the model: book.toml, chapters, notes, sources, glossary.

All Markdown (every chapter and every note body) goes through ONE Pandoc
process per book; see pandoc_input.py for how positions survive it.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import model as m
from ..booktoml import book_toml_path, find_book_toml, parse_toml
from ..config import BookConfig, parse_config
from ..diagnostics import Diagnostic
from ..lines import LineIndex
from .convert import convert_parts
from .files import inside_root, read_book_file, relpath
from .footnotes import dedent_body, split_definitions
from .pandoc_input import MAX_BLOCK_NESTING, Edits, apply_edits, block_nesting_fault, scan
from .pandoc_parts import parse_parts
from .reuse import FileParse, ParseCache, depends_across
from .yamlfiles import load_glossary, load_sources

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
MAX_NOTES = 1_000_000


def read_config(root: Path, toml_path: Path) -> tuple[BookConfig | None, str | None, list[Diagnostic]]:
    """Read book.toml as every book file is read (load/files.py), then parse it:
    (config or None, its text or None, diagnostics)."""
    rel = relpath(root, toml_path)
    text, diags = read_book_file(root, rel)
    if text is None:
        return None, None, diags
    config, more = parse_config(text, rel)
    return config, text, diags + more


def declared_editions(book_dir: Path) -> dict[str, dict]:
    """book.toml's [editions.NAME] tables as written, unchecked; {} when it cannot be read
    or parsed.  For those that want the editions while the author is still fixing other
    keys: serve's edition list, the fonts in the check cache's key."""
    toml = book_toml_path(book_dir)
    text = read_book_file(book_dir, relpath(book_dir, toml))[0] if toml else None
    data = parse_toml(text)[0] if text is not None else None
    editions = (data or {}).get("editions")
    return {n: e for n, e in editions.items() if isinstance(e, dict)} if isinstance(editions, dict) else {}


def load_book(book_dir: Path, meanwhile=None) -> tuple[m.Book | None, list[Diagnostic]]:
    """The book and its load diagnostics.  `meanwhile(config, texts)`, if given, is
    called while Pandoc runs (texts: every file read, as Book.texts): work that
    needs only the raw texts uses the time this process would spend waiting."""
    root, toml_path, diags = find_book_toml(Path(book_dir))
    config, text, d = read_config(root, toml_path)
    diags += d
    if config is None:
        return None, diags
    texts: dict[str, str] = {config.path: text}
    diags += _read_chapters(root, config, texts)
    diags += _unlisted_chapters(root, config)
    diags += _check_cover(root, config)
    note_files = sorted(relpath(root, p) for p in (root / "footnotes").glob("*.md"))
    for rel in note_files:
        t, d = read_book_file(root, rel)
        diags += d
        if t is not None:
            texts[rel] = t
    yaml = _YamlFiles(root, texts)
    reuse = ParseCache(root / ".bookbuild" / "cache")

    def while_pandoc():
        yaml.parse(reuse)           # the YAML files are not Pandoc's input
        if meanwhile is not None:
            meanwhile(config, texts)
    chapters, notes, d = _parse_markdown(config, texts, note_files, reuse, while_pandoc)
    reuse.save()
    diags += yaml.diags + d
    book = m.Book(root=root, config=config, chapters=chapters, notes=notes,
                  sources=yaml.sources, terms=yaml.terms, texts=texts)
    return book, diags


class _YamlFiles:
    """sources.yaml and glossary.yaml: read first (their texts join Book.texts), parsed
    while Pandoc runs."""

    FILES = (("footnotes/sources.yaml", load_sources), ("footnotes/glossary.yaml", load_glossary))

    def __init__(self, root: Path, texts: dict[str, str]):
        self.sources, self.terms = {}, {}
        self._read: list[tuple[str, object, str | None, list[Diagnostic]]] = []
        for rel, loader in self.FILES:
            if (root / rel).exists():
                t, d = read_book_file(root, rel)
                if t is not None:
                    texts[rel] = t
                self._read.append((rel, loader, t, d))

    def parse(self, reuse: ParseCache) -> None:
        for i, (rel, loader, t, d) in enumerate(self._read):
            if t is None:
                continue
            key = reuse.key("yaml", rel, t)
            kept = reuse.get_yaml(key)
            result, more = kept if kept is not None else loader(t, rel)
            if kept is None:
                reuse.put_yaml(key, (result, more))
            self._read[i] = (rel, loader, t, d + more)
            if rel.endswith("sources.yaml"):
                self.sources = result
            else:
                self.terms = result

    @property
    def diags(self) -> list[Diagnostic]:
        """Each file's read diagnostics, then its parse's, in the files' order."""
        return [x for *_, d in self._read for x in d]


def _read_chapters(root: Path, config, texts: dict[str, str]) -> list[Diagnostic]:
    diags = []
    for entry in config.chapters:
        where = (config.path, entry.line, entry.col)
        t, d = read_book_file(root, entry.file, where)
        diags += d
        if t is None:
            continue
        texts[entry.file] = t
        if not t.strip():
            diags.append(Diagnostic("BB505", f"chapter {entry.file} is empty", entry.file, 1, 1,
                                    "write the chapter or remove it from chapters in book.toml"))
    return diags


def _unlisted_chapters(root: Path, config) -> list[Diagnostic]:
    listed = {Path(e.file).as_posix() for e in config.chapters}
    diags = []
    for p in sorted((root / "manuscript").glob("*.md")):
        rel = relpath(root, p)
        if p.is_symlink() and inside_root(root, rel) is None:
            # a loop or a link out of the book: an error whether listed or not (never read)
            if rel not in listed:
                diags.append(Diagnostic("BB508", f"{rel} is a symlink loop or points outside the book root",
                                        rel, 1, 1, "remove the link, or replace it with the file itself"))
            continue
        if rel not in listed:
            diags.append(Diagnostic("BB507", f"{rel} is not listed in chapters in book.toml", rel, 1, 1,
                                    f'add "{rel}" to chapters, or move the file out of manuscript/'))
    return diags


def _check_cover(root: Path, config) -> list[Diagnostic]:
    if not config.cover:
        return []
    full = inside_root(root, config.cover)
    where = (config.path, config.cover_line or 1, 1)
    if full is None:
        return [Diagnostic("BB508", f"cover {config.cover} is outside the book root", *where,
                           "put the cover in assets/")]
    if not full.is_file() or full.suffix.lower() not in IMAGE_SUFFIXES or full.stat().st_size == 0:
        return [Diagnostic("BB509", f"cover {config.cover} is missing or not an image", *where,
                           "give a .png, .jpg or .svg file inside the book folder")]
    return []


def _parse_markdown(config, texts, note_files, reuse: ParseCache, meanwhile=None):
    """Scan every file, run Pandoc once on the files whose parse is not kept (reuse.py),
    convert back with positions, and assemble chapters and notes.  `meanwhile()` runs
    in this thread while Pandoc does (its threads only wait for the child processes)."""
    files = [("chapter", e.file, e) for e in config.chapters if texts.get(e.file) is not None]
    files += [("note", rel, None) for rel in note_files if texts.get(rel) is not None]
    done, fresh, parts, jobs, origins = _plan(files, texts, reuse)
    if reuse.enabled and depends_across(parts):
        reuse.enabled = False       # a changed file may change how the others parse: parse all
        done, fresh, parts, jobs, origins = _plan(files, texts, reuse)
    # Pandoc's own warnings come back as BB604 at the author's line, a failed Pandoc as BB605
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(parse_parts, parts, origins) if parts else None
        if meanwhile is not None:
            meanwhile()
        ast, pandoc_diags = running.result() if running is not None else ({"blocks": []}, [])
    meta_keys = ast.get("meta_keys", [])
    meta = _metadata_blocks(meta_keys, texts, [file for _, file, _, _ in jobs])
    convert_parts(ast, jobs, texts, done, parts, origins)
    warned = {d.file for d in pandoc_diags}
    for rel, key in fresh.items():
        if not meta_keys and rel not in warned:
            reuse.put(key, done[rel])
    diags = [d for _, rel, _ in files for d in done[rel].scan_diags]
    return _assemble(files, done, texts, config, diags + meta + pandoc_diags)


def _plan(files, texts, reuse: ParseCache):
    """Each file's kept parse, or its parts for the Pandoc run."""
    parts: list[str] = []
    jobs: list[tuple[str, str, int, object]] = []  # (kind, file, start offset, payload)
    origins: list[tuple[str, int]] = []            # (file, line) of each part's first line
    done: dict[str, FileParse] = {}
    fresh: dict[str, str] = {}                     # file -> its key, for the files parsed now
    for kind, rel, _ in files:
        key = reuse.key(kind, rel, texts[rel])
        found = reuse.get(key)
        if found is None:
            fresh[rel], found = key, FileParse()
            _add_parts(kind, rel, texts[rel], found, parts, jobs, origins)
        done[rel] = found
    return done, fresh, parts, jobs, origins


def _add_parts(kind: str, rel: str, text: str, into: FileParse, parts: list[str], jobs: list, origins: list) -> None:
    """One file's parts for the Pandoc run (a chapter is one part, a notes file one per
    definition), and its scan's diagnostics."""
    fence = ":" * 12
    idx = LineIndex(text)
    if _too_deep(text, rel, idx, into.scan_diags):
        return
    sc = scan(text, chapter=kind == "chapter")
    for off, ident in sc.chapter_defs:
        line, col = idx.pos(off)
        into.scan_diags.append(Diagnostic("BB109", f"note [^{ident}] is defined in a chapter file", rel, line, col,
                                          "move the definition to a file in footnotes/"))
    into.scan_diags.extend(_empty_cites(sc, rel, idx))
    if kind == "chapter":
        into.expected = 1
        parts.append(f"{fence} {{.bbpart n=\"{len(jobs)}\"}}\n{apply_edits(text, sc.edits)}\n{fence}\n")
        jobs.append(("chapter", rel, 0, None))
        origins.append((rel, 1))
        return
    edits = Edits(sc.edits)
    for d in split_definitions(text):
        body = dedent_body(apply_edits(text, edits, d.body_start, d.body_end))
        into.expected += 1
        parts.append(f"{fence} {{.bbpart n=\"{len(jobs)}\"}}\n{body}\n{fence}\n")
        jobs.append(("note", rel, d.body_start, d))
        origins.append((rel, idx.pos(d.body_start)[0]))


_YAML_BLOCK = re.compile(r"^---[ \t]*\n[ \t]*([A-Za-z0-9_-]+)[ \t]*:", re.M)


def _metadata_blocks(keys: list[str], texts: dict[str, str], files: list[str]) -> list[Diagnostic]:
    """BB407 at each YAML metadata block (`---` / key: value / `---`) in a chapter
    or note file: Pandoc takes it as the document's metadata, no edition shows it."""
    if not keys:
        return []
    out, seen = [], set()
    for rel in dict.fromkeys(files):
        for mt in _YAML_BLOCK.finditer(texts[rel]):
            if mt.group(1) in keys:
                seen.add(mt.group(1))
                line, col = LineIndex(texts[rel]).pos(mt.start())
                out.append(Diagnostic("BB407", f"YAML metadata block ({mt.group(1)}: …) is left out of every "
                                      "edition", rel, line, col,
                                      "book metadata goes in book.toml; for text, write it as a paragraph"))
    if not seen and files:      # found by Pandoc only: say so at the first file
        out.append(Diagnostic("BB407", f"a YAML metadata block ({', '.join(keys)}) is left out of every edition",
                              files[0], 1, 1, "book metadata goes in book.toml"))
    return out


def _too_deep(text: str, rel: str, idx: LineIndex, diags: list[Diagnostic]) -> bool:
    """BB510 for quotes/lists nested past the limit; the file is then not parsed at all."""
    off = block_nesting_fault(text)
    if off is None:
        return False
    line, col = idx.pos(off)
    diags.append(Diagnostic("BB510", f"block quotes and lists nested more than {MAX_BLOCK_NESTING} deep; "
                            f"{rel} is not read further", rel, line, col,
                            "flatten the nesting (no book needs more than a few levels)"))
    return True


def _empty_cites(sc, rel, idx) -> list[Diagnostic]:
    out = []
    for off in sc.empty_cites:
        line, col = idx.pos(off)
        out.append(Diagnostic("BB203", "citation with an empty key", rel, line, col,
                              "write the source id after @, e.g. [@chiang-diary-1944, 7月20日]"))
    return out


def _assemble(files, done: dict[str, FileParse], texts, config, diags):
    """Chapters (numbered, titled) and notes (one definition per id) from the files' parses."""
    chapters: list[m.Chapter] = []
    notes: dict[str, m.Note] = {}
    body_number = 0
    for kind, rel, entry in files:
        for part in done[rel].parts:
            if part.blocks is None:
                diags.extend(part.diags)
                continue
            if kind == "chapter":
                title, rest = _split_title(part.blocks)
                if title is None and texts[rel].strip():
                    diags.append(Diagnostic("BB506", f"chapter {rel} has no # title heading", rel, 1, 1,
                                            "start the chapter with a line like: # 第一章　圍城"))
                number = None
                if entry.kind == "body":
                    body_number += 1
                    number = body_number
                chapters.append(m.Chapter(rel, entry.kind, len(chapters), number, title or [], rest,
                                          m.Pos(config.path, entry.line, entry.col)))
            elif part.note_id in notes:
                first, pos = notes[part.note_id].pos, part.pos
                diags.append(Diagnostic("BB102", f"note [^{part.note_id}] is defined in {first.file}:{first.line} "
                                        f"and {pos.file}:{pos.line}", pos.file, pos.line, pos.col,
                                        "remove one definition or give it a new id"))
                continue
            else:
                notes[part.note_id] = m.Note(part.note_id, part.blocks, part.pos)
            notes.update((n.id, n) for n in part.inline_notes)
            diags.extend(part.diags)
    if len(notes) > MAX_NOTES:
        diags.append(Diagnostic("BB510", f"{len(notes)} notes exceed the limit of {MAX_NOTES}",
                                config.path, 1, 1, "split the book"))
    return chapters, notes, diags


def _split_title(blocks):
    for i, b in enumerate(blocks):
        if isinstance(b, m.Heading) and b.level == 1:
            return b.inlines, blocks[:i] + blocks[i + 1:]
    return None, blocks
