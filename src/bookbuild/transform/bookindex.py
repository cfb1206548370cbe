"""The back-of-book index (索引): which spans are entries, their grouping and order.

Entries come from three marks in chapters and notes:

* `[林森]{.name}`: the span's text;
* `[第十軍]{.term}`, `[方軍長]{.term key=fang-xianjue}`: the glossary term the
  span resolves to (the lookup of docs/FORMAT.md "Glossary"), else the span's text;
* `[委員長]{.index key=蔣中正}`: the key, else the span's text.

Occurrences with the same entry text are one entry.  Entries sort by
`index_sort` (pinyin by default, strokes or zhuyin) with the sort keys of
the bibliography (sortkeys.py), and fall into groups headed by the first
letter of the reading (pinyin A…Z, zhuyin ㄅ…ㄩ, strokes N畫).

A span's source position is unique, and both renderers see the same spans:
the PDF layout records the page each occurrence lands on
(`<edition>.layout.json` "index"), the EPUB gives each span the id
`Occurrence.id` and links to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .. import model as m
from ..charclass import is_han, without_variation_selectors
from .notes import NoteNumbers, number_notes
from .readings import Readings
from .sortkeys import sort_chars, sort_key, stroke_rank, strokes

KINDS = ("name", "term", "index")
ID_PREFIX = "ix-"


@dataclass(frozen=True, slots=True)
class Occurrence:
    entry: str
    pos: m.Pos          # the span's position: its identity in every edition
    chapter: int        # Chapter.index of the chapter (or the note's chapter)
    id: str             # XHTML id of the span in the EPUB


@dataclass(slots=True)
class Entry:
    text: str
    group: str
    occurrences: list[Occurrence] = field(default_factory=list)


@dataclass(slots=True)
class BookIndex:
    entries: list[Entry]                 # sorted
    by_pos: dict[m.Pos, Occurrence]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def groups(self) -> list[tuple[str, list[Entry]]]:
        """Entries under their group headings, in order."""
        out: list[tuple[str, list[Entry]]] = []
        for e in self.entries:
            if not out or out[-1][0] != e.group:
                out.append((e.group, []))
            out[-1][1].append(e)
        return out


def entry_text(book: m.Book, span: m.Span) -> str:
    """The entry a span belongs to ("" when the span is no index entry)."""
    text = m.plain_text(span.children).strip()
    if span.kind == "index":
        return span.attrs.get("key", "").strip() or text
    if span.kind == "term":
        key = span.attrs.get("key")
        if key:
            return book.terms[key].term if key in book.terms else text
        if text in book.terms:
            return book.terms[text].term
        named = named_terms(book, text)
        return named[0].term if len(named) == 1 else text
    return text if span.kind == "name" else ""


def named_terms(book: m.Book, text: str) -> list[m.Term]:
    """The glossary entries whose term is `text`; failing that, whose key or
    term is `text` but for variation selectors (葛󠄀洪, a variant glyph
    chosen, names the entry 葛洪, and the other way round)."""
    named = [t for t in book.terms.values() if t.term == text]
    if named:
        return named
    plain = without_variation_selectors(text)
    return [t for t in book.terms.values()
            if without_variation_selectors(t.key) == plain or without_variation_selectors(t.term) == plain]


def collect(book: m.Book, numbers: NoteNumbers | None = None) -> BookIndex:
    """Every index occurrence of the book, in reading order (chapters, then
    called notes in definition order), grouped into sorted entries."""
    method = book.config.index_sort
    occurrences: list[Occurrence] = []
    seen: set = set()
    for ch in book.chapters:
        _walk(book, m.walk_inlines(ch.title), ch.index, occurrences, seen)
        _walk(book, m.walk_blocks_inlines(ch.blocks), ch.index, occurrences, seen)
    homes = _note_chapters(book, numbers)
    for nid, note in book.notes.items():
        if nid in homes:       # a note nobody calls is printed nowhere
            _walk(book, m.walk_blocks_inlines(note.blocks), homes[nid], occurrences, seen)
    entries: dict[str, Entry] = {}
    known = Readings.open() if occurrences and method in ("pinyin", "zhuyin") else None
    for occ in occurrences:
        if occ.entry not in entries:
            entries[occ.entry] = Entry(occ.entry, group_label(occ.entry, method, known))
        entries[occ.entry].occurrences.append(occ)
    ordered = sorted(entries.values(), key=lambda e: (reading_key(e.text, method, known), e.text))
    if known is not None:
        known.save()
    return BookIndex(ordered, {o.pos: o for o in occurrences})


def _walk(book: m.Book, nodes, chapter: int, out: list[Occurrence], seen: set) -> None:
    """`seen`: the positions in `out`, kept by the caller (rebuilding it on
    every call was quadratic in the book's index occurrences)."""
    for node in nodes:
        if isinstance(node, m.Span) and node.kind in KINDS and node.pos not in seen:
            text = entry_text(book, node)
            if text:
                seen.add(node.pos)
                out.append(Occurrence(text, node.pos, chapter, f"{ID_PREFIX}{len(out) + 1}"))


def _note_chapters(book: m.Book, numbers: NoteNumbers | None = None) -> dict[str, int]:
    """The chapter of each note that is printed (called somewhere); `numbers`:
    number_notes(book) when the caller has it."""
    numbers = number_notes(book) if numbers is None else numbers
    return {nid: numbers.chapter_of(nid) for nid in numbers.numbers}


def reading_key(text: str, method: str, known: Readings | None = None) -> tuple:
    """`sort_key`, but with the readings of the whole word: pypinyin knows
    heteronyms in context (長沙 cháng, 重慶 chóng) from Simplified phrases, so
    the word is looked up in its OpenCC t2s form.  `known`: readings kept on
    this machine (readings.py), else pypinyin is asked."""
    if method not in ("pinyin", "zhuyin"):
        return sort_key(text, method)
    chars = sort_chars(text)
    syllables = _readings_of(chars, method, known)
    if len(syllables) != len(chars):
        return sort_key(text, method)
    key = []
    for ch, syl in zip(chars, syllables):
        if not is_han(ch) or not syl:
            key.append(sort_key(ch, method)[0] if is_han(ch) else (0, ch.casefold(), ord(ch)))
            continue
        key.append((1, 0, *_split_tone(syl, method), stroke_rank(ch), ord(ch)))
    return tuple(key)


_TONE_MARKS = {"ˊ": 2, "ˇ": 3, "ˋ": 4, "˙": 5}


def _split_tone(syl: str, method: str) -> tuple[str, int]:
    if method == "zhuyin":
        tone = next((_TONE_MARKS[c] for c in syl if c in _TONE_MARKS), 1)
        return "".join(c for c in syl if c not in _TONE_MARKS), tone
    return (syl[:-1], int(syl[-1])) if syl[-1:].isdigit() else (syl, 5)


def _readings_of(word: str, method: str, known: Readings | None) -> tuple[str, ...]:
    return known.get(word, method, _computed_readings) if known is not None else _word_readings(word, method)


@lru_cache(maxsize=4096)
def _word_readings(word: str, method: str) -> tuple[str, ...]:
    return _computed_readings(word, method)


def _computed_readings(word: str, method: str) -> tuple[str, ...]:
    """pypinyin's readings of `word` ("pinyin": TONE3, "zhuyin": BOPOMOFO), one per character."""
    from pypinyin import Style, pinyin  # deferred: its dictionaries are large; readings.py keeps the answers
    simplified = _t2s(word)
    if len(simplified) != len(word):
        simplified = word
    style = Style.BOPOMOFO if method == "zhuyin" else Style.TONE3
    out = pinyin(simplified, style=style, heteronym=False, neutral_tone_with_five=True,
                 errors=lambda s: ["" for _ in s])
    return tuple(item[0] if item else "" for item in out)


@lru_cache(maxsize=1)
def _opencc_t2s():
    try:
        import opencc  # deferred: loads its dictionaries; only books sorted by reading need it
        return opencc.OpenCC("t2s")
    except Exception:        # OpenCC missing or broken: readings of the characters as written
        return None


def _t2s(text: str) -> str:
    cc = _opencc_t2s()
    return cc.convert(text) if cc else text


def group_label(text: str, method: str, known: Readings | None = None) -> str:
    """The heading an entry sorts under: a pinyin initial, a zhuyin symbol, N畫
    (`known`: as reading_key's)."""
    chars = sort_chars(text)        # the heading of 豈 U+F900 is that of 豈 U+8C48
    first = chars[:1]
    if not first:
        return "其他"
    if not is_han(first):
        return first.upper() if first.isascii() and first.isalpha() else "其他"
    if method == "strokes":
        n = strokes(first)
        return f"{n}畫" if n else "其他"
    syllables = _readings_of(chars[:8], "zhuyin" if method == "zhuyin" else "pinyin", known)
    reading = syllables[0] if syllables else ""
    return reading[:1].upper() if reading else "其他"


def collapse(pages: list[int], connector: str = "～") -> list[str]:
    """Sorted, unique page numbers with runs of consecutive pages collapsed
    into a range with the book's `range` connector ("12～14")."""
    nums = sorted(set(pages))
    out: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j > i:
            out.append(f"{nums[i]}{connector}{nums[j]}")
        else:
            out.append(str(nums[i]))
        i = j + 1
    return out
