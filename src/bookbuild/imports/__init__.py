"""`bookbuild import`: .docx (through Pandoc), .txt/.md with legacy endnotes or with Pandoc's notes
(one file or a folder of chapter files) -> a book folder."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from ..atomic import write_text
from ..diagnostics import BookError
from ..load.footnotes import dedent_body, split_definitions
from ..pandoc import PandocError, run_pandoc
from .encoding import EncodingError, decode
from .metadata import sources_yaml
from .pandocbook import SourceFile, import_pandoc
from .pandocnotes import uses_pandoc_notes
from .plaintext import ImportedChapter, ImportResult, note_id, parse_text

__all__ = ["import_source", "EncodingError", "DocxError", "TEXT_SUFFIXES", "NOTE_STYLES"]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
NOTE_STYLES = ("auto", "pandoc", "legacy")


class DocxError(EncodingError):
    """A .docx Pandoc cannot open (a subclass so the command reports it like an undecodable text)."""


DOCX_TIMEOUT_HINT = ("Pandoc's docx reader ran far longer than a book needs; open the file in Word, "
                     "save it again as .docx, and report it if it persists")


def import_source(source: Path, out_dir: Path, encoding: str | None = None,
                  notes: str = "auto") -> tuple[str, list[str]]:
    """Write a book into out_dir (which must not exist or be empty). Returns (what was read, problems).
    `notes`: "pandoc" (`[^n]` and `^[…]`), "legacy" (`[3]`, 〔16〕 and a note list) or "auto" (Pandoc's
    notes if any file has one, else legacy)."""
    if source.suffix.lower() == ".docx":
        result, enc = _from_docx(source, out_dir), "docx"
    else:
        files, enc = _read_texts(source, encoding)
        if notes == "pandoc" or (notes == "auto" and any(uses_pandoc_notes(f.text) for f in files)):
            result, enc = import_pandoc(files, source if source.is_dir() else source.parent), enc + ", Pandoc notes"
        else:
            result = parse_text("\n\n".join(f.text for f in files))
    _write_book(result, out_dir, title=_title(result, source))
    return enc, result.problems


def chapter_files(folder: Path) -> list[Path]:
    """A folder's chapter files, in name order (01-…, 02-…, 10-… sort right when numbered with zeros)."""
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES),
                  key=lambda p: p.name)


def _read_texts(source: Path, encoding: str | None) -> tuple[list[SourceFile], str]:
    paths = chapter_files(source) if source.is_dir() else [source]
    files, encs = [], []
    for path in paths:
        text, enc = decode(path.read_bytes(), encoding)
        files.append(SourceFile(path.name, text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")))
        encs.append(enc)
    return files, "/".join(dict.fromkeys(encs))


def _title(result: ImportResult, source: Path) -> str:
    return result.title or source.stem


def _from_docx(source: Path, out_dir: Path) -> ImportResult:
    try:
        md, _ = run_pandoc(source, "docx", "markdown-smart-simple_tables-grid_tables-multiline_tables",
                           ["--wrap=none", f"--extract-media={out_dir / 'assets'}"])
    except PandocError as err:
        if err.timed_out:
            raise BookError([err.diagnostic(source.name, hint=DOCX_TIMEOUT_HINT)]) from None
        # pypandoc's message is "Pandoc died with exitcode …: <pandoc's message>"
        reason = err.detail.split(": ", 1)[-1].strip() or "Pandoc could not read it"
        raise DocxError(f"not a readable .docx file ({reason}); save it again from Word as .docx") from None
    defs = split_definitions(md)
    notes = {d.id: dedent_body(md[d.body_start:d.body_end]).strip() for d in defs}
    body = md
    for d in sorted(defs, key=lambda d: d.marker, reverse=True):
        body = body[:d.marker] + body[d.body_end:]
    chapters: list[ImportedChapter] = []
    for part in re.split(r"(?m)^(?=# )", body):
        lines = part.strip("\n").split("\n")
        title = lines[0][2:].strip() if lines and lines[0].startswith("# ") else ""
        text = "\n".join(lines[1:] if title else lines).strip()
        if not title and not text:
            continue
        ch = ImportedChapter(title, [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()])
        chapters.append(ch)
    problems = []
    for n, ch in enumerate(chapters, 1):
        def repl(m, n=n, ch=ch):
            ch.notes[m.group(1)] = notes.get(m.group(1), "")
            return f"[^{note_id(n, m.group(1))}]"
        ch.paragraphs = [re.sub(r"\[\^([^\]\s]+)\]", repl, p) for p in ch.paragraphs]
    return ImportResult(chapters, problems)


def _write_book(result: ImportResult, out: Path, title: str) -> None:
    files: dict[str, str] = {}
    chapter_paths = []
    for n, ch in enumerate(result.chapters, 1):
        rel = f"manuscript/{n:02d}.md"
        chapter_paths.append(rel)
        head = ch.title or (title if n == 1 else f"第{n}章")
        files[rel] = f"# {head}\n\n" + "\n\n".join(ch.paragraphs) + "\n"
        if ch.notes:
            files[f"footnotes/{n:02d}.md"] = _note_file(ch.notes, n)
    if result.book_notes:
        files["footnotes/notes.md"] = _note_file(result.book_notes, 0)
    files["footnotes/sources.yaml"] = sources_yaml(result.sources)
    files["footnotes/glossary.yaml"] = "{}\n"
    files["book.toml"] = _book_toml(title, chapter_paths, result.book_keys)
    for rel, text in files.items():
        write_text(out / rel, text)


def _note_file(notes: dict[str, str], chapter_no: int) -> str:
    parts = []
    for num, text in notes.items():
        body = "\n".join(("    " + line if i and line.strip() else line) for i, line in enumerate(text.split("\n")))
        parts.append(f"[^{note_id(chapter_no, num)}]: {body}\n")
    return "\n".join(parts)


def _book_toml(title: str, chapters: list[str], keys: dict[str, object]) -> str:
    ident = uuid.uuid5(uuid.NAMESPACE_URL, "bookbuild-import:" + title + ":" + ",".join(chapters))
    listing = "".join(f'  "{c}",\n' for c in chapters)
    keys = {"authors": ["（作者）"], "language": "zh-Hant-TW", **{k: v for k, v in keys.items() if v}}
    # a JSON string or list of strings is a valid TOML value (the same escapes)
    more = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in keys.items())
    return (f'[book]\ntitle = {json.dumps(title, ensure_ascii=False)}\n{more}'
            f'identifier = "urn:uuid:{ident}"\nchapters = [\n{listing}]\n\n'
            '[editions.epub]\nformat = "epub"\nwriting = "vertical"\n\n'
            '[editions.print]\nformat = "pdf"\nwriting = "vertical"\n')
