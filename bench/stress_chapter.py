"""One manuscript file and its notes file of the stress book.

A part is written in two passes: first the plain prose (sentences as token
lists, until the part's CJK budget is spent), then the planned events (note
references, `.again` references, body citations, glossary terms) are
dropped into random sentences.  Notes are placed in sentence order, so note
numbers run in the order of the definitions.
"""
from __future__ import annotations

from dataclasses import dataclass

from stress_refs import Source, Term
from stress_text import TextMaker, cjk_count

HEADING_SUFFIX = ("之役", "始末", "前後", "紀事", "經過", "考", "述略")


@dataclass
class Block:
    kind: str                       # h1, h2, p, quote
    text: str = ""
    sentences: list[list[str]] | None = None
    wrap: bool = False              # one sentence per source line


def cite_markup(tm: TextMaker, src: Source) -> str:
    loc = src.locator(tm)
    if tm.rng.random() < 0.3 and src.lang != "en":
        return f"[見 @{src.id}, {loc}]"
    return f"[@{src.id}, {loc}]"


# ----------------------------------------------------------------- notes

def notes_file(tm: TextMaker, ids: list[str], cites: dict[str, Source],
               terms: list[Term]) -> tuple[str, int]:
    """The footnotes/*.md text and its CJK count."""
    out = []
    for nid in ids:
        sents = [tm.sentence_tokens() for _ in range(tm.rng.choice((1, 1, 2, 2, 3)))]
        if tm.rng.random() < 0.15:
            _insert(tm, sents[0], tm.rng.choice(terms).markup(tm))
        if nid in cites:
            _insert(tm, sents[-1], cite_markup(tm, cites[nid]))
        text = "".join(sents[0]) + "".join("".join(s) for s in sents[1:])
        if tm.rng.random() < 0.10:
            text += "\n\n    " + tm.plain_sentence() + tm.plain_sentence()
        out.append(f"[^{nid}]: {text}")
    body = "\n\n".join(out) + "\n"
    return body, cjk_count(body)


# ------------------------------------------------------------------ prose

def decorate(tm: TextMaker, tokens: list[str]) -> list[str]:
    """Sprinkle names, titles, asides, Latin and emphasis into a sentence."""
    rng = tm.rng
    if rng.random() < 0.08:
        _insert(tm, tokens, f"[{tm.person()}]{{.name}}")
    if rng.random() < 0.03:
        kind = " kind=article" if rng.random() < 0.3 else ""
        _insert(tm, tokens, f"[{tm.work_title()}]{{.title{kind}}}")
    if rng.random() < 0.02:
        _insert(tm, tokens, f"[南按：{tm.clause()}]{{.aside}}")
    if rng.random() < 0.03:
        _insert(tm, tokens, tm.latin_phrase())
    if rng.random() < 0.02:
        _insert(tm, tokens, f"*{tm.word()}*")
    return tokens


def prose(tm: TextMaker, budget: int) -> list[Block]:
    title = tm.word() + tm.word() + tm.rng.choice(HEADING_SUFFIX)
    blocks = [Block("h1", title)]
    used = cjk_count(title)
    until_section = 0
    while used < budget:
        if until_section <= 0:
            head = tm.word() + tm.word()
            blocks.append(Block("h2", head))
            used += cjk_count(head)
            until_section = tm.rng.randint(6, 10)
        until_section -= 1
        quote = tm.rng.random() < 0.08
        n = tm.rng.randint(1, 3) if quote else tm.rng.randint(2, 7)
        sents = [decorate(tm, tm.sentence_tokens()) for _ in range(n)]
        if quote:
            sents[0].insert(0, tm.date() + "，" + tm.rng.choice("晴陰雨") + "。")
        used += sum(cjk_count("".join(s)) for s in sents)
        blocks.append(Block("quote" if quote else "p", sentences=sents,
                            wrap=tm.rng.random() < 0.3))
    return blocks


def _insert(tm: TextMaker, tokens: list[str], markup: str) -> None:
    """Insert markup between two tokens, never after the end punctuation.

    A function word separates it from neighbouring markup, so `[@a, 頁1]`
    and `[x]{.term}` are never glued into something a Markdown reader
    could take for a reference link.
    """
    i = tm.rng.randint(0, max(0, len(tokens) - 1))
    if i > 0 and _is_markup(tokens[i - 1]):
        markup = tm.function_word() + markup
    if i < len(tokens) and _is_markup(tokens[i]):
        markup += tm.function_word()
    tokens.insert(i, markup)


def _is_markup(tok: str) -> bool:
    return tok.endswith(("]", "}", "*"))


# ----------------------------------------------------------------- events

def place_events(tm: TextMaker, blocks: list[Block], notes: list[str], again_n: int,
                 earlier: list[str], cites: list[Source], terms: list[Term]) -> None:
    """Put every planned reference into the prose (in place)."""
    rng = tm.rng
    sents = [s for b in blocks if b.sentences for s in b.sentences]
    n = len(sents)
    pick = rng.sample(range(n), len(notes)) if n >= len(notes) else rng.choices(range(n), k=len(notes))
    at = {}                                   # note id -> sentence index
    for nid, i in zip(notes, sorted(pick)):
        at[nid] = i
        _end_ref(tm, sents[i], f"[^{nid}]")
    for src in cites:
        _insert(tm, sents[rng.randrange(n)], cite_markup(tm, src))
    for term in terms:
        _insert(tm, sents[rng.randrange(n)], term.markup(tm))
    for _ in range(again_n):
        i = rng.randrange(n)
        before = [nid for nid, j in at.items() if j < i]
        pool = before if before and (rng.random() < 0.7 or not earlier) else earlier
        if pool:
            _end_ref(tm, sents[i], f"[^{rng.choice(pool)}]{{.again}}")


def _end_ref(tm: TextMaker, tokens: list[str], ref: str) -> None:
    """A note call at the sentence end: before the 。 mostly, after it sometimes."""
    if _is_markup(tokens[-1]) or (len(tokens) > 1 and _is_markup(tokens[-2])):
        tokens.append(tm.word() + "。" + ref)
    elif tm.rng.random() < 0.7:
        tokens.insert(len(tokens) - 1, ref)
    else:
        tokens.append(ref)


# ----------------------------------------------------------------- output

def render(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"# {b.text}")
        elif b.kind == "h2":
            out.append(f"## {b.text}")
        else:
            lines = ["".join(s) for s in b.sentences]
            text = "\n".join(lines) if b.wrap else "".join(lines)
            if b.kind == "quote":
                text = "\n".join("> " + line for line in text.split("\n"))
            out.append(text)
    return "\n\n".join(out) + "\n"
