"""Language of parts (WCAG 3.1.2): Latin-script and Japanese passages of a
finished document get their own `lang`/`xml:lang`, so a screen reader
switches voice instead of reading "Chennault" letter by letter in Chinese.

A pass over the finished tree rather than a step of the Writer: Pandoc
splits "Claire Lee Chennault" into three words and two spaces, which the
Writer appends to one text node; only there is the passage whole.

- Latin: two or more Latin letters in a row start a passage; it runs on
  over spaces, digits, hyphens and Latin punctuation while more Latin words
  follow (`B-29` alone, one letter, stays Chinese). Its language is English
  (`LATIN_LANG`) unless the author marked the span (`[Ichi-Go]{lang=ja-Latn}`).
- Japanese: a run of kana and kanji holding at least one kana is `ja`;
  a `<cite>` (a title) with kana is `ja` as a whole (一号作戦（2）湖南の会戦).
- Left alone: any element with a `lang` of its own (citations, readings,
  the author's spans) and everything inside it, `code`, `pre`, `head`.
"""
from __future__ import annotations

import re

# (the namespaces again rather than from elements.py, whose serialize() calls this module)
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LATIN_LANG = "en"
JAPANESE = "ja"
_LETTER = r"A-Za-z\u00C0-\u024F\u1E00-\u1EFF"
_LATIN = re.compile(rf"[{_LETTER}]{{2,}}(?:[\s\d\-–.,:;'’!?&/()]*[{_LETTER}][{_LETTER}\d'’\-]*)*")
_KANA = "\u3040-\u309F\u30A0-\u30FF\u31F0-\u31FF"
# kanji of every block, and the variation selectors that ride on them (an IVS is
# common in Japanese names): a passage never ends between a kanji and its selector
_KANJI = "\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U000323AF\u3005\uFE00-\uFE0F\U000E0100-\U000E01EF"
_JAPANESE = re.compile(rf"[{_KANJI}{_KANA}]*[{_KANA}][{_KANJI}{_KANA}]*")
_ANY_KANA = re.compile(f"[{_KANA}]")
_SKIP = {f"{{{XHTML_NS}}}{tag}" for tag in ("head", "code", "pre", "script", "style")}
_CITE = f"{{{XHTML_NS}}}cite"
_SPAN = f"{{{XHTML_NS}}}span"
_BODY = f"{{{XHTML_NS}}}body"


def mark_language_parts(html) -> None:
    """Give every Latin and Japanese passage of `html` (an XHTML root) its language."""
    body = html.find(_BODY)
    if body is not None:
        _walk(body)


def _walk(el) -> None:
    if el.tag in _SKIP or not isinstance(el.tag, str):
        return
    if el.tag == _CITE and _has_kana("".join(el.itertext())):
        _set_lang(el, JAPANESE)
        return
    whole = _passages(el.text or "") if len(el) == 0 and el.tag != _BODY else []
    if len(whole) == 1 and whole[0][:2] == (0, len(el.text)):
        _set_lang(el, whole[0][2])       # an element that is one passage (an upright acronym)
        return
    if el.text:
        el.text = _split_into(el, el.text, at=0)
    for child in list(el):
        if child.get("lang") is None:
            _walk(child)
        if child.tail:
            child.tail = _split_into(el, child.tail, at=el.index(child) + 1)


def _split_into(parent, text: str, at: int) -> str:
    """Wrap the passages of `text` (which sits at child position `at` of
    `parent`) in lang spans; returns the text left before the first one."""
    parts = _passages(text)
    if not parts:
        return text
    head = text[:parts[0][0]]
    for i, (start, end, lang) in enumerate(parts):
        span = parent.makeelement(_SPAN, {})
        _set_lang(span, lang)
        span.text = text[start:end]
        span.tail = text[end:parts[i + 1][0]] if i + 1 < len(parts) else text[end:]
        parent.insert(at + i, span)
    return head


def _passages(text: str) -> list[tuple[int, int, str]]:
    found = [(m.start(), m.end(), LATIN_LANG) for m in _LATIN.finditer(text)]
    if _ANY_KANA.search(text):    # a passage needs a kana; without one the search is quadratic in a Han run
        found += [(m.start(), m.end(), JAPANESE) for m in _JAPANESE.finditer(text)]
    return sorted(found)


def _has_kana(text: str) -> bool:
    return any(0x3040 <= ord(c) <= 0x30FF or 0x31F0 <= ord(c) <= 0x31FF for c in text)


def _set_lang(el, lang: str) -> None:
    el.set("lang", lang)
    el.set(XML_LANG, lang)
