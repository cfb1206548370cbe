"""詞彙表: one entry per glossary term, the EPUB Dictionaries & Glossaries
markup (`section epub:type="glossary"` around a `dl`, `dt epub:type="glossterm"` with `dfn`,
`dd epub:type="glossdef"`); `.term` spans link to `#gl-N`."""
from __future__ import annotations

from ... import model as m
from .context import Context
from .document import Doc, backmatter_document
from .elements import XML_LANG, E, add_text, serialize
from .xhtml import Writer

GLOSSARY_TITLE = "詞彙表"
FILE = "text/glossary.xhtml"


def glossary_doc(ctx: Context) -> Doc:
    # epub:type="glossary" on the section, where its ARIA twin doc-glossary is
    # allowed (ARIA in HTML forbids that role on the dl, Ace wants the pair).
    html, section = backmatter_document(ctx, FILE, GLOSSARY_TITLE, "glossary", "doc-glossary", "glossary")
    dl = E("dl", parent=section)
    writer = Writer(ctx, FILE, None)
    for key, gid in sorted(ctx.term_ids.items(), key=lambda kv: int(kv[1][3:])):
        term = ctx.book.terms[key]
        dt = E("dt", {"epub:type": "glossterm", "id": gid}, parent=dl)
        ctx.remember(FILE, gid, term.pos)
        if ctx.pages:  # a print page that begins inside this entry's definition
            ctx.pages.emit([n for n, _ in ctx.pages.block(term.pos)], FILE, dt)
        dfn = E("dfn", parent=dt)
        # The term's position, as in the print glossary: a page that begins
        # with the term gets its marker here.
        writer.para([m.Text(term.term, term.pos)], dfn)
        if term.reading:
            dfn.tail = "\u3000"
            reading = E("span", {"class": "reading", "lang": "zh-Latn-pinyin"}, parent=dt)
            reading.set(XML_LANG, "zh-Latn-pinyin")
            reading.text = term.reading
        dd = E("dd", {"epub:type": "glossdef"}, parent=dl)
        writer.para([m.Text(term.definition)], dd)
        see = [k for k in term.see if k in ctx.term_ids]
        if see:
            add_text(dd, "\u3000")
            span = E("span", {"class": "see"}, parent=dd, text="參見：")
            for i, k in enumerate(see):
                if i:
                    span[-1].tail = "、"
                a = E("a", {"href": "#" + ctx.term_ids[k]}, parent=span)
                writer.runs(ctx.book.terms[k].term, a)
    return Doc(FILE, GLOSSARY_TITLE, serialize(html), [], "glossary", "glossary")
