"""Model inlines and blocks -> XHTML elements (lxml), for one document.

Generated text (note numbers, brackets of asides and titles, 見第N章注M) is
added here and never normalized; author text goes through the edition's
normalizer per paragraph (text.py), then through `runs()` for tcy spans.
"""
from __future__ import annotations

import re

from ... import model as m
from ...charclass import is_han_context, without_variation_selectors
from ...transform.edition_text import ANY_DIGIT_RUN
from ...transform.sortkeys import source_group
from . import figures
from .context import Context, image_href, safe_class
from .elements import XHTML_NS, XML_LANG, E, add_text
from .pagelist import text_index
from .text import normalize_inlines, runs

_URL = re.compile(r"^(https?|mailto|ftp):", re.I)
_TITLE_OPEN, _TITLE_CLOSE = "《〈", "》〉"
INDEX_KINDS = ("name", "term", "index")      # spans that are 索引 occurrences (transform/bookindex.py)


def last_char(parent) -> str:
    if len(parent):
        tail = parent[-1].tail or ""
        return tail[-1:] if tail else "x"
    return (parent.text or "")[-1:]


class Writer:
    """Renders into one document `doc_file`, for chapter `chapter` (or None)."""

    def __init__(self, ctx: Context, doc_file: str, chapter: int | None):
        self.ctx = ctx
        self.doc = doc_file
        self.chapter = chapter
        self.norm: dict[int, tuple[str, str, str]] = {}
        self.raw: dict[int, tuple[str, str, str]] = {}    # protected text: neighbours only
        self.sections = 0
        self.headings: list[tuple[str, str]] = []   # (id, text) of h2 sections

    # ------------------------------------------------------------ blocks
    def blocks(self, blocks: list[m.Block], parent) -> None:
        for b in blocks:
            self.block(b, parent)

    def block(self, b: m.Block, parent) -> None:
        if isinstance(b, m.Para):
            self.para(b.inlines, E("p", parent=parent))
        elif isinstance(b, m.Heading):
            level = min(6, max(2, b.level))
            h = E(f"h{level}", parent=parent)
            if level == 2:
                self.sections += 1
                h.set("id", f"sec-{self.sections}")
                self.ctx.remember(self.doc, h.get("id"), b.pos)
                self.headings.append((h.get("id"), m.plain_text(b.inlines).strip()))
            self.para(b.inlines, h)
        elif isinstance(b, m.BlockQuote):
            self.blocks(b.blocks, E("blockquote", parent=parent))
        elif isinstance(b, m.ListBlock):
            lst = E("ol" if b.ordered else "ul", parent=parent)
            for item in b.items:
                self.blocks(item, E("li", parent=lst))
        elif isinstance(b, m.Table):
            figures.table(self, b, parent)
        elif isinstance(b, m.Figure):
            figures.figure(self, b, parent)
        elif isinstance(b, m.CodeBlock):
            E("pre", parent=parent, text=b.text)
        elif isinstance(b, m.Rule):
            E("hr", parent=parent)

    # ----------------------------------------------------------- inlines
    def para(self, inlines: list[m.Inline], parent) -> None:
        """A paragraph's inlines, normalized together."""
        self.norm = normalize_inlines(inlines, self.ctx.text)
        self.inlines(inlines, parent, protect=False)

    def inlines(self, nodes: list[m.Inline], parent, protect: bool) -> None:
        for i, node in enumerate(nodes):
            nxt = nodes[i + 1] if i + 1 < len(nodes) else None
            self.inline(node, parent, protect, nxt)

    def inline(self, node, parent, protect: bool, nxt=None) -> None:
        if isinstance(node, (m.Text, m.Space)):
            self.text(node, parent, protect)
        elif isinstance(node, m.NoteRef):
            self.noteref(node, parent)
        elif isinstance(node, m.Citation):
            self.citation(node, parent)
        elif isinstance(node, m.Span):
            self.span(node, parent, protect, nxt)
        elif isinstance(node, m.Emph):
            cls = {"class": "em-dot"} if _has_han(node.children) else {}
            self.inlines(node.children, E("em", cls, parent=parent), protect)
        elif isinstance(node, m.Strong):
            self.inlines(node.children, E("strong", parent=parent), protect)
        elif isinstance(node, m.Code):
            if self.ctx.pages:     # a print page that begins inside the code
                self.ctx.pages.emit([n for _, n in self.ctx.pages.in_text(node.pos, len(node.text))],
                                    self.doc, parent)
            E("code", parent=parent, text=node.text)
        elif isinstance(node, m.LineBreak):
            E("br", parent=parent)
        elif isinstance(node, m.Link):
            target = (E("a", {"href": node.url}, parent=parent) if _URL.match(node.url)
                      else E("span", {"class": "link"}, parent=parent))
            self.inlines(node.children, target, protect)
        elif isinstance(node, m.Image):
            self.image(node, parent)
        elif isinstance(node, m.XRef):
            figures.xref(self, node, parent)

    def text(self, node, parent, protect: bool) -> None:
        raw = node.text if isinstance(node, m.Text) else " "
        text, before, after = (self.raw if protect else self.norm).get(id(node), (raw, "", ""))
        if protect:
            text = raw
        pages = self.ctx.pages
        cuts = pages.in_text(node.pos, len(raw)) if pages and isinstance(node, m.Text) else []
        start = 0
        for i, n in cuts:      # a print page begins inside this text: its marker, then the rest
            at = text_index(raw, text, i)
            self.runs(text[start:at], parent, text[start - 1] if start else before, text[at:at + 1] or after)
            pages.emit([n], self.doc, parent)
            start = at
        self.runs(text[start:], parent, text[start - 1] if start else before, after)

    def runs(self, text: str, parent, before: str = "", after: str = "") -> None:
        for run in runs(text, self.ctx.text, before, after):
            if run.kind:
                E("span", {"class": run.kind}, parent=parent, text=run.text)
            else:
                add_text(parent, run.text)

    def span(self, node: m.Span, parent, protect: bool, nxt) -> None:
        kind, ed = node.kind, self.ctx.edition
        if self.ctx.pages:     # a print page that begins with a bracket bookbuild adds
            self.ctx.pages.emit(self.ctx.pages.span(node.pos), self.doc, parent)
        start = len(parent)
        if kind == "term":
            key = self.ctx.term_key(node)
            el = (E("a", {"class": "term", "epub:type": "glossref", "role": "doc-glossref",
                          "href": self.ctx.href(self.doc, "text/glossary.xhtml",
                                                self.ctx.term_ids[key])}, parent=parent)
                  if key else E("span", {"class": "term"}, parent=parent))
            self.inlines(node.children, el, protect)
        elif kind == "aside":
            el = E("span", {"class": "aside"}, parent=parent, text=ed.aside_brackets[0])
            self.inlines(node.children, el, protect)
            add_text(el, ed.aside_brackets[1])
        elif kind == "name":
            el = E("span", {"class": "name pn" if ed.name_marks else "name"}, parent=parent)
            self.inlines(node.children, el, protect)
        elif kind == "title":
            self.title(node, parent, protect, nxt)
        else:
            classes = " ".join(safe_class(c) for c in node.classes if c != "noconv")
            el = E("span", {"class": classes} if classes else {}, parent=parent)
            _author_lang(node, el)
            self.inlines(node.children, el, protect)
        if kind in INDEX_KINDS and len(parent) > start:
            self.index_target(node, parent[start])

    def index_target(self, node: m.Span, el) -> None:
        """The id the 索引 links to, on the element the span became."""
        index = self.ctx.index
        occ = index.by_pos.get(node.pos) if index else None
        if occ is not None and occ.id not in self.ctx.index_files and el.get("id") is None:
            el.set("id", occ.id)
            self.ctx.index_files[occ.id] = self.doc
            self.ctx.remember(self.doc, occ.id, node.pos)

    def title(self, node: m.Span, parent, protect: bool, nxt) -> None:
        wavy = self.ctx.edition.title_marks == "wavy"
        el = E("cite", {"class": "title title-a" if wavy else "title"}, parent=parent)
        if wavy:
            self.inlines(node.children, el, protect)
            return
        article = node.attrs.get("kind") == "article" or _inside_title(parent)
        opening, closing = ("〈", "〉") if article else ("《", "》")
        inner = m.plain_text(node.children).strip()
        typed = (inner[:1] in _TITLE_OPEN and inner[-1:] in _TITLE_CLOSE) or (
            last_char(parent) in _TITLE_OPEN)
        if typed:
            self.inlines(node.children, el, protect)
            return
        el.text = opening
        self.inlines(node.children, el, protect)
        add_text(el, closing)

    def citation(self, cite: m.Citation, parent) -> None:
        """The CSL style's text: never normalized (its punctuation is the
        style's); Western and Japanese works carry their own lang (VT-32)."""
        rendered = [kid for node in self.ctx.cites.formatted(cite)
                    for kid in (node.children if isinstance(node, m.Span) else [node])]
        text = m.plain_text(rendered)
        _trim_space_before(parent, text)
        el = E("span", {"class": "citation"}, parent=parent)
        lang = _cite_lang(self.ctx.book, cite, text)
        if lang:
            el.set("lang", lang)
            el.set(XML_LANG, lang)
        self.protected(rendered, el)

    def protected(self, inlines: list[m.Inline], parent) -> None:
        """Inlines that are not normalized (CSL output); tcy still applies."""
        saved = self.raw
        self.raw = normalize_inlines(inlines, self.ctx.text, normalize=False)
        self.inlines(inlines, parent, True)
        self.raw = saved

    # ------------------------------------------------------------- notes
    def number_text(self, n: int) -> str:
        return self.ctx.text.number(n)

    def noteref(self, ref: m.NoteRef, parent) -> None:
        ctx = self.ctx
        if ctx.pages:          # a print page that begins with 見第N章注M
            ctx.pages.emit(ctx.pages.span(ref.pos), self.doc, parent)
        if ref.id not in ctx.numbers.numbers:
            return                       # unknown note: check has reported it
        href = ctx.href(self.doc, ctx.note_file(ref.id), ctx.fn_id(ref.id))
        home = ctx.numbers.chapter_of(ref.id)
        call_id = ctx.call_ids.get(id(ref))     # every call has one: the note links back to each
        if ref.again and home != self.chapter and not ctx.numbers.book_numbering:
            label = ctx.numbers.label(ref.id, self.chapter, ctx.chapter_label)
            label = ctx.text.numbers(label, positional=True, digits=ANY_DIGIT_RUN)
            a = E("a", {"class": "again", "href": href}, parent=parent)
            if call_id:
                a.set("id", call_id)
                ctx.remember(self.doc, call_id, ref.pos)
            self.runs(label, a)
            return
        sup = E("sup", {"class": "noteref"}, parent=parent)
        attrs = {"epub:type": "noteref", "role": "doc-noteref", "href": href}
        if ref.again:
            attrs["class"] = "again"
        if call_id:
            attrs["id"] = call_id
            ctx.remember(self.doc, call_id, ref.pos)
        a = E("a", attrs, parent=sup)
        self.runs(self.number_text(ctx.numbers.number(ref.id)), a)

    def image_href(self, src: str) -> str | None:
        return image_href(self.ctx, src, self.ctx.book.chapters[self.chapter].file if self.chapter is not None else "")

    def image(self, node: m.Image, parent) -> None:
        href = self.image_href(node.src)
        alt = m.plain_text(node.alt).strip()
        if href is None:
            add_text(parent, alt)
        else:
            E("img", {"src": href, "alt": alt}, parent=parent)


def _trim_space_before(parent, text: str) -> None:
    """Drop a space between CJK text and a citation that opens with CJK
    (`…會戰。 [@k]` renders as `…會戰。（…）`)."""
    if not text or not is_han_context(text[0]):
        return
    if len(parent):
        owner, attr = parent[-1], "tail"
    else:
        owner, attr = parent, "text"
    current = getattr(owner, attr) or ""
    stripped = current.rstrip()
    base = without_variation_selectors(stripped)
    if stripped != current and base and is_han_context(base[-1]):
        setattr(owner, attr, stripped)


def _cite_lang(book: m.Book, cite: m.Citation, text: str) -> str:
    """Western / Japanese works get their lang, unless the citation reads as
    Chinese (同上, 見…): its first letter, or kana, decides."""
    groups = {source_group(book.sources[it.key].csl) for it in cite.items if it.key in book.sources}
    first = next((c for c in text if c.isalpha()), "")
    if groups == {"西文"} and first.isascii() and first:
        langs = {str(book.sources[it.key].csl.get("language") or "en") for it in cite.items}
        return langs.pop() if len(langs) == 1 else "en"
    if groups == {"日文"} and _is_kana(text):
        return "ja"
    return ""


_LANG_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def _author_lang(node: m.Span, el) -> None:
    """`[Ichi-Go]{lang=ja-Latn}`: the author's language of a passage (Pandoc's
    own attribute for it), which langparts.py then leaves alone."""
    lang = node.attrs.get("lang", "")
    if _LANG_TAG.match(lang):
        el.set("lang", lang)
        el.set(XML_LANG, lang)


def _is_kana(text: str) -> bool:
    return any(0x3040 <= ord(c) <= 0x30FF for c in text)


def _has_han(inlines: list[m.Inline]) -> bool:
    return any(is_han_context(ch) for ch in m.plain_text(inlines))


def _inside_title(el) -> bool:
    while el is not None:
        if el.tag == f"{{{XHTML_NS}}}cite":
            return True
        el = el.getparent()
    return False
