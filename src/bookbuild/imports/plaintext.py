"""Plain text (.txt/.md) with legacy endnotes -> chapters and note definitions.

Recognises: chapter headings (`# …`, `第N章…`), note markers in the text
(`[3]`, `〔16〕`, `［3］`, superscript digits), an endnote list at the end of
each chapter or of the book (after a heading such as 注釋/註釋/注, or a
trailing run of lines that start with markers), and author's asides
`(南按:…)` → `[南按：…]{.aside}`.  A marker without a note text or a note
without a marker is reported, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
MARKER_RE = re.compile(rf"\[(\d{{1,4}})\]|〔(\d{{1,4}})〕|［(\d{{1,4}})］|([{_SUP}]{{1,4}})")
NOTE_LINE_RE = re.compile(rf"^\s*(?:\[(\d{{1,4}})\]|〔(\d{{1,4}})〕|［(\d{{1,4}})］|([{_SUP}]{{1,4}})"
                          rf"|(\d{{1,4}})[.、．)）])\s*(.*)$")
NOTES_HEADING_RE = re.compile(r"^\s*#*\s*[【〔\[]?\s*(注釋|註釋|注解|註解|附注|附註|尾注|尾註|注|註)\s*[】〕\]]?\s*$")
CHAPTER_RE = re.compile(r"^\s*(#{1,2}\s+.+|第[一二三四五六七八九十百〇零\d]+[章篇]\S*.*)$")
ASIDE_RE = re.compile(r"[(（]([^()（）\n]{1,6}按[:：][^()（）\n]*)[)）]")


@dataclass
class ImportedChapter:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)   # number -> text


@dataclass
class ImportResult:
    chapters: list[ImportedChapter]
    problems: list[str]                                    # human-readable reports
    book_notes: dict[str, str] = field(default_factory=dict)  # one note list for the whole book
    title: str = ""                                        # a title line found before the first chapter
    book_keys: dict[str, object] = field(default_factory=dict)  # more [book] keys (a Pandoc book's metadata)
    sources: list[dict] = field(default_factory=list)      # CSL entries for footnotes/sources.yaml


def _number(m: re.Match) -> str:
    for g in m.groups():
        if g and g.strip():
            return g.translate(SUPERSCRIPT) if g[0] in _SUP else g
    return ""


def split_chapters(lines: list[str]) -> list[tuple[str, list[str]]]:
    chapters: list[tuple[str, list[str]]] = []
    title, body = "", []
    for line in lines:
        if CHAPTER_RE.match(line) and len(line.strip()) <= 40:
            if title or any(x.strip() for x in body):
                chapters.append((title, body))
            title, body = line.strip().lstrip("#").strip(), []
        else:
            body.append(line)
    chapters.append((title, body))
    return chapters


def split_notes(body: list[str]) -> tuple[list[str], dict[str, str]]:
    """Separate the endnote list from the text."""
    start = next((i for i, line in enumerate(body) if NOTES_HEADING_RE.match(line)), None)
    if start is None:  # a trailing run of marker lines
        i = len(body)
        while i > 0 and (not body[i - 1].strip() or NOTE_LINE_RE.match(body[i - 1])):
            i -= 1
        if any(NOTE_LINE_RE.match(line) for line in body[i:]):
            start = i - 1
    if start is None:
        return body, {}
    notes: dict[str, str] = {}
    current = None
    for line in body[start + 1:]:
        m = NOTE_LINE_RE.match(line)
        if m:
            current = _number(m)
            notes[current] = m.group(6).strip()
        elif line.strip() and current:
            notes[current] += line.strip()
    return body[:max(start, 0)], notes


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs if the text has them, else one per line."""
    blank_separated = sum(1 for line in lines if not line.strip()) * 3 >= sum(1 for line in lines if line.strip())
    out, cur = [], []
    for line in lines:
        s = line.strip().lstrip("\u3000")
        if not s:
            if cur:
                out.append("".join(cur))
                cur = []
            continue
        if blank_separated:
            cur.append(s)
        else:
            out.append(s)
    if cur:
        out.append("".join(cur))
    return out


def parse_text(text: str) -> ImportResult:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    chapters = []
    for title, body in split_chapters(lines):
        text_lines, notes = split_notes(body)
        chapters.append(ImportedChapter(title, paragraphs(text_lines), notes))
    book_title = ""
    first = chapters[0]
    if len(chapters) > 1 and not first.title and len(first.paragraphs) == 1 and len(first.paragraphs[0]) <= 30 \
            and not first.notes:
        book_title = chapters.pop(0).paragraphs[0]
    if len(chapters) > 1 and not chapters[-1].paragraphs and chapters[-1].notes:
        chapters[-2].notes.update(chapters.pop().notes)  # a book-level note list
    shared = _book_level_notes(chapters)
    if shared is not None:
        chapters[-1].notes = {}
    problems, used = [], set()
    for n, ch in enumerate(chapters, 1):
        problems += _link_markers(ch, n, shared, used)
    for num in (shared or {}):
        if num not in used:
            problems.append(f"note {num} has no marker in the text; kept as an unreferenced note (BB103)")
    return ImportResult(chapters, problems, shared or {}, book_title)


def _book_level_notes(chapters):
    """If only the last chapter has a note list but earlier chapters have markers, share it."""
    with_notes = [c for c in chapters if c.notes]
    earlier_markers = any(MARKER_RE.search(p) for c in chapters[:-1] for p in c.paragraphs)
    if len(with_notes) == 1 and with_notes[0] is chapters[-1] and earlier_markers:
        return chapters[-1].notes
    return None


def note_id(chapter_no: int, number: str) -> str:
    return f"c{chapter_no}-{number}"


def _link_markers(ch: ImportedChapter, chapter_no: int, shared, used: set[str]) -> list[str]:
    """Turn markers into note references; `used` collects the numbers referenced."""
    notes = shared if shared is not None else ch.notes
    owner = "the book's" if shared is not None else f"chapter {chapter_no}'s"
    if shared is None:
        used = set()
    problems = []

    def repl(m: re.Match) -> str:
        num = _number(m)
        if num not in notes:
            problems.append(f"chapter {chapter_no}: marker {m.group(0)} has no note text in {owner} note list; "
                            "left in the text (BB107)")
            return m.group(0)
        if num in used:
            return f"[^{note_id(chapter_no if shared is None else 0, num)}]{{.again}}"
        used.add(num)
        return f"[^{note_id(chapter_no if shared is None else 0, num)}]"

    ch.paragraphs = [ASIDE_RE.sub(lambda m: f"[{m.group(1)}]{{.aside}}", MARKER_RE.sub(repl, p))
                     for p in ch.paragraphs]
    if shared is None:
        for num in ch.notes:
            if num not in used:
                problems.append(f"chapter {chapter_no}: note {num} has no marker in the text; "
                                "kept as an unreferenced note (BB103)")
    return problems
