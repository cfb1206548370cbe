"""Books built by hand as model objects (no files, no Pandoc), for the layout-level tests of
render/pdf (breaker, paginator): `model_book` — not helpers.books.make_book, which writes a book folder."""
from __future__ import annotations

import random
from pathlib import Path

from bookbuild import model as m
from bookbuild.config import parse_config

TOML = '''[book]
title = "測試之書"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
note_numbering = "{numbering}"
chapters = [{chapters}]

[editions.print]
format = "pdf"
{extra}
'''


def model_book(chapters: list[list[m.Block]], note_texts: dict[str, str] | None = None,
               numbering: str = "chapter", titles: list[str] | None = None, **edition) -> m.Book:
    """A Book built by hand: chapters of blocks, notes as plain text."""
    files = [f"manuscript/{i + 1:02d}.md" for i in range(len(chapters))]
    extra = "\n".join(f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else
                      f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in edition.items())
    cfg, diags = parse_config(TOML.format(numbering=numbering, chapters=", ".join(f'"{f}"' for f in files),
                                          extra=extra))
    assert cfg is not None, diags
    chs = []
    for i, (f, blocks) in enumerate(zip(files, chapters)):
        title = (titles or [f"第{i + 1}章"] * len(chapters))[i]
        chs.append(m.Chapter(f, "body", i, i + 1, [m.Text(title, m.Pos(f, 1, 3))], blocks, m.Pos("book.toml", 6, 1)))
    nmap = {nid: m.Note(nid, [m.Para([m.Text(t, m.Pos("footnotes/n.md", k + 1, 8))],
                                     m.Pos("footnotes/n.md", k + 1, 8))],
                        m.Pos("footnotes/n.md", k + 1, 1))
            for k, (nid, t) in enumerate((note_texts or {}).items())}
    return m.Book(Path("/nonexistent"), cfg, chs, nmap, {}, {})


def para(*parts, line=3, file="manuscript/01.md") -> m.Para:
    """Inlines from strings (Text), or model inlines as given."""
    inl = [m.Text(p, m.Pos(file, line, 1)) if isinstance(p, str) else p for p in parts]
    return m.Para(inl, m.Pos(file, line, 1))


def ref(nid: str, again: bool = False) -> m.NoteRef:
    return m.NoteRef(nid, again, m.Pos("manuscript/01.md", 3, 1))


HAN = "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種面而方後多定行學法所民得經十三之進著等部度家電力裡如水化高自二理起小物現實加量都兩體制機當使點從業本去把性好應開它合還因由其些然前外天政四日那社義事平形相全表間樣與關各重新線內數正心反你明看原又麼利比或但質氣第向道命此變條只沒結解問意建月公無系軍很情者最立代想已通並提直題黨程展五果料象員革位入常文總次品式活設及管特件長求老頭基資邊流路級少圖山統接知較將組見計別她手角期根論運農指幾九區強放決西被幹做必戰先回則任取據處"
PUNCT = "，。、：；！？「」『』（）《》〈〉·～"


def random_text(rnd: random.Random, n: int) -> str:
    """n pieces of Han text with punctuation, dashes, leaders and a little Latin, drawn from rnd."""
    out = []
    while len(out) < n:
        r = rnd.random()
        if r < 0.75:
            out.append(rnd.choice(HAN))
        elif r < 0.93:
            out.append(rnd.choice(PUNCT))
        elif r < 0.97:
            out.append(rnd.choice(["——", "……", "！？"]))
        else:
            out.append(rnd.choice(["1944", "B-29", "8", "47", "Chennault"]))
    return "".join(out)
