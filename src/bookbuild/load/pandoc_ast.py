"""Pandoc JSON AST -> model blocks/inlines, with source positions.

Constructs tagged before Pandoc (pandoc_input.py) carry `bbo` (offset into the author's
file).  Plain Str tokens get their position by aligning them, in order,
with the original text from a moving cursor; a token that cannot be found
nearby (e.g. an escaped character) keeps no position of its own and its
block falls back to the nearest known one.

Nothing Pandoc reads is dropped without a word: an inline note `^[…]` becomes
a note of its own, a definition list, a caption or a list in a table cell
keeps its text, raw HTML/TeX is recorded for BB406 (tests/check/test_construct_audit.py).
"""
from __future__ import annotations

import hashlib
import re

from .. import model as m
from ..lines import LineIndex
from .eastasian import drop_breaks, drop_breaks_in

SPAN_KINDS = ("term", "aside", "name", "title", "noconv", "index")
_WINDOW = 4000  # how far ahead a Str may be found
_SOFT_BREAK = {"t": "SoftBreak"}
MAX_NESTING = 100  # blocks and inlines inside one another (BB510 past it)


class FileContext:
    def __init__(self, file: str, text: str, start: int = 0, index: LineIndex | None = None):
        self.file = file
        self.text = text
        # one note file holds thousands of parts: share its index (built per part, 100,000 notes took minutes)
        self.index = index or LineIndex(text)
        self.cursor = start

    def pos_at(self, offset: int) -> m.Pos:
        line, col = self.index.pos(offset)
        return m.Pos(self.file, line, col)

    def align(self, s: str) -> m.Pos | None:
        i = self.text.find(s, self.cursor, self.cursor + _WINDOW + len(s))
        if i < 0:
            return None
        self.cursor = i + len(s)
        return self.pos_at(i)

    def jump(self, offset: int) -> m.Pos:
        self.cursor = max(self.cursor, offset)
        return self.pos_at(offset)


def _attr(attr) -> tuple[str, list[str], dict[str, str]]:
    ident, classes, kvs = attr
    return ident, classes, dict(kvs)


def stringify(inlines: list, strict: bool = True) -> str:
    out = []
    for node in drop_breaks(inlines, strict):
        t = node["t"]
        c = node.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "Math", "RawInline"):
            out.append(c[-1])
        elif t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(stringify(c, strict))
        elif t in ("Span", "Link", "Image", "Quoted", "Cite"):
            out.append(stringify(c[1], strict))
    return "".join(out)


class Converter:
    def __init__(self, ctx: FileContext, strict: bool = True):
        self.ctx = ctx
        # east_asian_line_breaks (eastasian.py): strict on Pandoc's output without it (an
        # uncertain width raises Uncertain), not strict on Pandoc's output with it
        self.strict = strict
        self.cites: list[m.Citation] = []
        self.raw: list[tuple[m.Pos, bool, str]] = []   # (where, is a block, format): raw HTML/TeX, never rendered
        self.depth = 0
        self.too_deep = False
        self.inline_notes: list[m.Note] = []      # `^[…]` notes, in the order they were read

    # --------------------------------------------------------------- inlines
    def inlines(self, nodes: list) -> list[m.Inline]:
        out: list[m.Inline] = []
        if self._deeper():
            return out
        for node in drop_breaks(nodes, self.strict):
            _append(out, self.inline(node))
        self.depth -= 1
        return out

    def _deeper(self) -> bool:
        """One level down; past MAX_NESTING stop (the caller reports BB510): this
        converter and every walker of the model recurse once per level."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.depth -= 1
            self.too_deep = True
        return self.too_deep

    def inline(self, node):
        t, c = node["t"], node.get("c")
        if t == "Str":
            return m.Text(c, self.ctx.align(c))
        if t in ("Space", "SoftBreak"):
            return m.Space()
        if t == "LineBreak":
            return m.LineBreak()
        if t in ("Emph", "Strong"):
            kids = self.inlines(c)
            cls = m.Emph if t == "Emph" else m.Strong
            return cls(kids, _first_pos(kids))
        if t in ("Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            return self.inlines(c)
        if t == "Quoted":
            q = "“”" if c[0]["t"] == "DoubleQuote" else "‘’"
            return [m.Text(q[0])] + self.inlines(c[1]) + [m.Text(q[1])]
        if t == "Code":
            return m.Code(c[1], self.ctx.align(c[1]))
        if t == "Math":
            return m.Text(c[1], self.ctx.align(c[1]))
        if t == "RawInline":
            pos = self.ctx.align(c[1])
            if pos is not None:
                self.raw.append((pos, False, c[0]))
            return m.Text(c[1], pos)
        if t == "Link":
            return self.link(c)
        if t == "Image":
            kids = self.inlines(c[1])
            return m.Image(c[2][0], kids, self.ctx.align(c[2][0]))
        if t == "Cite":
            return self.citation(c, None)
        if t == "Span":
            return self.span(c)
        if t == "Note":
            return self.inline_note(c)
        return None

    def link(self, c):
        """A link; an empty one to `#id` is a cross-reference (pandoc_input.py tagged its offset)."""
        _, classes, kv = _attr(c[0])
        bbo = kv.pop("bbo", None)
        url = c[2][0]
        if not c[1] and url.startswith("#") and len(url) > 1:
            pos = self.ctx.jump(int(bbo)) if bbo is not None else self.ctx.align("](" + url)
            return m.XRef(url[1:], "page" in classes, pos or self.ctx.pos_at(self.ctx.cursor))
        kids = self.inlines(c[1])
        return m.Link(url, kids, _first_pos(kids))

    def inline_note(self, blocks: list) -> m.NoteRef:
        """A Pandoc inline note `^[…]` becomes a note of its own, called where it
        was written, so it is numbered with the others and reaches every edition."""
        pos = self.ctx.align("^[") or self.ctx.pos_at(self.ctx.cursor)
        nid = inline_note_id(self.ctx.file, len(self.inline_notes) + 1)
        self.inline_notes.append(m.Note(nid, self.blocks(blocks, pos), pos, generated=True))
        return m.NoteRef(nid, False, pos)

    def span(self, c):
        _, classes, kv = _attr(c[0])
        bbo = kv.pop("bbo", None)
        pos = self.ctx.jump(int(bbo)) if bbo is not None else None
        if "bbref" in classes:
            return m.NoteRef(kv.get("ref", ""), kv.get("again") == "1", pos)
        if "bbcite" in classes:
            inner = [n for n in c[1] if n["t"] == "Cite"]
            if inner:
                return self.citation(inner[0]["c"], pos)
            return self.inlines(c[1])
        kids = self.inlines(c[1])
        kind = next((k for k in classes if k in SPAN_KINDS), "span")
        return m.Span(kind, kids, kv, tuple(classes), pos or _first_pos(kids) or m.Pos(self.ctx.file, 1, 1))

    def citation(self, c, pos):
        if _SOFT_BREAK in c[1]:     # kept as JSON for citeproc: as Pandoc's filter leaves it
            drop_breaks_in(c, self.strict)      # (c[1], the citation's text, breaks where any part does)
        items = []
        for cit in c[0]:
            # Pandoc counts citations across its whole input (and per chunk when split):
            # a number that depends on the other files would make a reused parse differ
            # (load/reuse.py); transform/citeproc.py gives each citation its own number.
            cit["citationNoteNum"] = 0
            prefix = stringify(cit["citationPrefix"], self.strict)
            locator = stringify(cit["citationSuffix"], self.strict).strip()
            if locator.startswith(","):
                locator = locator[1:].strip()
            items.append(m.CiteItem(cit["citationId"], prefix, locator))
        if pos is None:
            pos = self.ctx.align("@" + items[0].key) if items else None
            pos = pos or m.Pos(self.ctx.file, 1, 1)
        else:
            for it in items:  # move the cursor past the citation's text
                self.ctx.align(it.key)
        cite = m.Citation(items, pos, {"t": "Cite", "c": c})
        self.cites.append(cite)
        return cite

    # ---------------------------------------------------------------- blocks
    def blocks(self, nodes: list, fallback: m.Pos) -> list[m.Block]:
        out: list[m.Block] = []
        if self._deeper():
            return out
        for node in nodes:
            _append(out, self.block(node, fallback))
            if out:
                fallback = _block_pos(out[-1]) or fallback
        self.depth -= 1
        return out

    def block(self, node, fallback: m.Pos):
        t, c = node["t"], node.get("c")
        if t in ("Para", "Plain"):
            kids = self.inlines(c)
            return m.Para(kids, _first_pos(kids) or fallback)
        if t == "Header":
            kids = self.inlines(c[2])
            pos = _first_pos(kids) or fallback
            return m.Heading(c[0], kids, m.Pos(pos.file, pos.line, 1))
        if t == "BlockQuote":
            kids = self.blocks(c, fallback)
            return m.BlockQuote(kids, _block_pos(kids[0]) if kids else fallback)
        if t in ("BulletList", "OrderedList"):
            items_src = c if t == "BulletList" else c[1]
            items = [self.blocks(item, fallback) for item in items_src]
            first = next((b for it in items for b in it), None)
            return m.ListBlock(t == "OrderedList", items, _block_pos(first) if first else fallback)
        if t == "CodeBlock":
            self.ctx.align(c[1][:40])
            return m.CodeBlock(c[1], fallback)
        if t == "HorizontalRule":
            return m.Rule(fallback)
        if t == "Div":
            return self.blocks(c[1], fallback)
        if t == "Figure":
            return self.figure(c, fallback)
        if t == "Table":
            return self.table(c, fallback)
        if t == "DefinitionList":
            return self.definitions(c, fallback)
        if t == "LineBlock":
            return [m.Para(self.inlines(line), fallback) for line in c]
        if t == "RawBlock":
            self.raw.append((self.ctx.align(c[1].split("\n", 1)[0]) or fallback, True, c[0]))
        return None

    def caption(self, caption, fallback) -> list[m.Block]:
        """A caption ([short, blocks]) as blocks: for a figure Pandoc made of anything
        but one image (the model's Figure holds one)."""
        return self.blocks(caption[1], fallback)

    def caption_inlines(self, caption) -> list[m.Inline]:
        """A caption ([short, blocks]) as one run of inlines (its paragraphs a space apart)."""
        return self.inlines(_cell_inlines([None, None, None, None, caption[1]]))

    def figure(self, c, fallback):
        """`![caption](src){#id .class k=v}` alone in its paragraph.  Pandoc moves the id
        to the Figure and leaves classes and attributes on the Image; without `alt=` it
        copies the caption into the image's description, so equal text means no alt."""
        body = [b for b in c[2] if b["t"] in ("Plain", "Para")]
        img = body[0]["c"] if len(body) == 1 == len(c[2]) else []
        if len(img) != 1 or img[0]["t"] != "Image":
            return self.blocks(c[2], fallback) + self.caption(c[1], fallback)
        ident, classes, kv = _attr(c[0])
        i_ident, i_classes, i_kv = _attr(img[0]["c"][0])
        pos = self.ctx.align("![") or fallback
        caption = self.caption_inlines(c[1])
        src = img[0]["c"][2][0]
        desc = stringify(img[0]["c"][1], self.strict)
        alt = [m.Text(desc)] if desc != stringify(_cell_inlines([None] * 4 + [c[1][1]]), self.strict) else []
        image = m.Image(src, alt, self.ctx.align(src) or pos)
        return m.Figure(image, caption, ident or i_ident, tuple(classes + i_classes), {**kv, **i_kv}, pos)

    def definitions(self, items, fallback) -> list[m.Block]:
        """A definition list as the model has no such block: each term a
        paragraph in bold, its definitions indented under it (a block quote)."""
        out: list[m.Block] = []
        for term, definitions in items:
            kids = self.inlines(term)
            pos = _first_pos(kids) or fallback
            out.append(m.Para([m.Strong(kids, pos)], pos))
            for d in definitions:
                blocks = self.blocks(d, pos)
                if blocks:
                    out.append(m.BlockQuote(blocks, _block_pos(blocks[0]) or pos))
        return out

    def table(self, c, fallback):
        def rows_of(rows):
            return [[self.inlines(_cell_inlines(cell)) for cell in row[1]] for row in rows]
        head = rows_of(c[3][1])
        body = []
        for tb in c[4]:
            body.extend(rows_of(tb[2]) + rows_of(tb[3]))
        first = next((p for row in head + body for cell in row if (p := _first_pos(cell))), None)
        after_table = self.ctx.cursor
        # `: caption {#id}` may stand before the table or after it: align it from the table's start
        self.ctx.cursor = _line_start(self.ctx, first) if first else self.ctx.cursor
        caption = self.caption_inlines(c[1])
        self.ctx.cursor = max(self.ctx.cursor, after_table)
        ident, classes, kv = _attr(c[0])
        kv.pop("bbo", None)
        return m.Table(head, body, first or fallback, caption, ident, tuple(classes), kv)


def inline_note_id(file: str, n: int) -> str:
    """`bbinline-<file path>-<n>` (manuscript/01-a.md -> bbinline-manuscript-01-a-1):
    stable while the file's earlier inline notes stay; a path with characters a
    note id cannot hold gets a short hash instead."""
    stem = file.rsplit(".", 1)[0].replace("/", "-")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", stem):
        stem = hashlib.sha1(file.encode()).hexdigest()[:8]
    return f"bbinline-{stem}-{n}"


def _append(out: list, conv) -> None:
    """Converters return a node, a list of nodes, or None (dropped)."""
    if isinstance(conv, list):
        out.extend(conv)
    elif conv is not None:
        out.append(conv)


def _cell_inlines(cell) -> list:
    """A cell's text as one run of inlines: the model's cells hold inlines, so a
    list or a second paragraph in a grid-table cell joins the first, a space apart."""
    out: list = []
    for inlines in _block_texts(cell[4]):
        if out and inlines:
            out.append({"t": "Space"})
        out.extend(inlines)
    return out


def _block_texts(blocks: list):
    """The inline lists of Pandoc blocks, containers included, in order."""
    for b in blocks:
        t, c = b["t"], b.get("c")
        if t in ("Plain", "Para", "Header"):
            yield c[2] if t == "Header" else c
        elif t == "LineBlock":
            yield from c
        elif t in ("CodeBlock", "RawBlock"):
            yield [{"t": "Str", "c": c[1]}] if t == "CodeBlock" else []
        elif t in ("BlockQuote", "Div", "Figure"):
            yield from _block_texts(c if t == "BlockQuote" else c[-1])
        elif t in ("BulletList", "OrderedList"):
            for item in (c if t == "BulletList" else c[1]):
                yield from _block_texts(item)
        elif t == "DefinitionList":
            for term, defs in c:
                yield term
                for d in defs:
                    yield from _block_texts(d)


def _line_start(ctx: FileContext, pos: m.Pos) -> int:
    """Where the line two above `pos` begins: a caption written just above the
    table (`Table: …`, a blank line) is looked for from there."""
    starts = ctx.index.starts
    return starts[min(len(starts), max(1, pos.line - 2)) - 1]


def _first_pos(inlines) -> m.Pos | None:
    for node in m.walk_inlines(inlines):
        p = getattr(node, "pos", None)
        if p is not None:
            return p
    return None


def _block_pos(block) -> m.Pos | None:
    return getattr(block, "pos", None)
