"""The book model: plain dataclasses, no I/O.

Every element keeps the position where the author wrote it (`Pos`, 1-based
line and column in code points, file relative to the book root, POSIX
separators).  Loaders build this model; checks, transforms and renderers
only read it (transforms return new objects).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import BookConfig


@dataclass(frozen=True, slots=True)
class Pos:
    file: str  # relative to the book root, POSIX separators
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# ---------------------------------------------------------------- inlines

@dataclass(slots=True)
class Text:
    """A run of characters as written (no spaces inside unless Latin text)."""
    text: str
    pos: Pos | None = None


@dataclass(slots=True)
class Space:
    """An inter-word space (Pandoc Space / SoftBreak between non-CJK text)."""
    pos: Pos | None = None


@dataclass(slots=True)
class LineBreak:
    pos: Pos | None = None


@dataclass(slots=True)
class NoteRef:
    """`[^id]`, or `[^id]{.again}` when `again` is true."""
    id: str
    again: bool
    pos: Pos


@dataclass(slots=True)
class CiteItem:
    key: str
    prefix: str = ""   # text before @key, e.g. "見"
    locator: str = ""  # text after the comma, e.g. "1944年7月20日"


@dataclass(slots=True)
class Citation:
    """`[@key, locator]` (possibly several items separated by `;`).

    `pandoc` keeps the Pandoc JSON `Cite` node so citeproc can format it.
    """
    items: list[CiteItem]
    pos: Pos
    pandoc: dict = field(default_factory=dict, repr=False)


@dataclass(slots=True)
class Span:
    """A bracketed span with attributes: `[text]{.term key=x}`.

    `kind` is the first bookbuild class found: term, aside, name, title,
    noconv, index; otherwise "span".
    """
    kind: str
    children: list[Inline]
    attrs: dict[str, str]
    classes: tuple[str, ...]
    pos: Pos


@dataclass(slots=True)
class Emph:
    children: list[Inline]
    pos: Pos | None = None


@dataclass(slots=True)
class Strong:
    children: list[Inline]
    pos: Pos | None = None


@dataclass(slots=True)
class Code:
    text: str
    pos: Pos | None = None


@dataclass(slots=True)
class Link:
    url: str
    children: list[Inline]
    pos: Pos | None = None


@dataclass(slots=True)
class Image:
    src: str
    alt: list[Inline]
    pos: Pos | None = None


@dataclass(slots=True)
class XRef:
    """A cross-reference to a figure or table: `[](#fig-siege)` -> 圖三, and with
    `{.page}` (`with_page`) 圖三（第52頁） in print (the EPUBs link, they have no pages).
    An empty internal link: Pandoc-native, and never a citation (`[@key]`)."""
    target: str
    with_page: bool
    pos: Pos


Inline = Text | Space | LineBreak | NoteRef | Citation | Span | Emph | Strong | Code | Link | Image | XRef


# ----------------------------------------------------------------- blocks

@dataclass(slots=True)
class Para:
    inlines: list[Inline]
    pos: Pos


@dataclass(slots=True)
class Heading:
    level: int
    inlines: list[Inline]
    pos: Pos


@dataclass(slots=True)
class BlockQuote:
    blocks: list[Block]
    pos: Pos


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    items: list[list[Block]]
    pos: Pos


@dataclass(slots=True)
class Table:
    """A table; with a caption it is numbered (表一) and `id` is what `[](#id)` names."""
    header: list[list[list[Inline]]]   # header rows -> cells -> inlines (Pandoc's thead)
    rows: list[list[list[Inline]]]     # body and foot rows
    pos: Pos
    caption: list[Inline] = field(default_factory=list)
    id: str = ""
    classes: tuple[str, ...] = ()      # e.g. ("landscape",)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Figure:
    """An image alone in its paragraph with a caption: `![caption](src){#fig-x .plate width=50%}`.

    `image` keeps the Image inline (so every walker of images finds it); its `alt`
    holds the `alt=` attribute's text, empty when the author gave none (Pandoc
    would copy the caption there: the loader tells the two apart).
    `classes`: placement (`plate`, `landscape`); `attrs`: `width`, and any other.
    """
    image: Image
    caption: list[Inline]
    id: str
    classes: tuple[str, ...]
    attrs: dict[str, str]
    pos: Pos                           # the `!` of `![`

    @property
    def src(self) -> str:
        return self.image.src

    @property
    def alt(self) -> str:
        """The text for screen readers: the `alt=` attribute, else the caption."""
        return plain_text(self.image.alt) or plain_text(self.caption)


@dataclass(slots=True)
class CodeBlock:
    text: str
    pos: Pos


@dataclass(slots=True)
class Rule:
    pos: Pos


Block = Para | Heading | BlockQuote | ListBlock | Table | Figure | CodeBlock | Rule


# ------------------------------------------------------------ book parts

@dataclass(slots=True)
class Chapter:
    file: str                 # relative path, e.g. "manuscript/01-siege.md"
    kind: str                 # "front" | "body" | "back"
    index: int                # 0-based position in reading order
    number: int | None        # 第N章 number for body chapters, else None
    title: list[Inline]       # inlines of the first level-1 heading ([] if none)
    blocks: list[Block]       # everything after the title heading
    toml_pos: Pos             # where book.toml lists it

    @property
    def id(self) -> str:
        return f"ch{self.index + 1:02d}"


@dataclass(slots=True)
class Note:
    id: str
    blocks: list[Block]
    pos: Pos                  # position of the `[^id]:` marker
    generated: bool = False   # True for notes made from a body citation or an inline ^[…] note


@dataclass(slots=True)
class Source:
    id: str
    csl: dict                 # the CSL-JSON item as loaded
    pos: Pos

    @property
    def title(self) -> str:
        return str(self.csl.get("title", self.id))


@dataclass(slots=True)
class Term:
    key: str
    term: str
    definition: str
    pos: Pos
    reading: str = ""
    see: tuple[str, ...] = ()
    see_pos: tuple[Pos, ...] = ()
    simplified: str = ""


@dataclass(slots=True)
class Book:
    root: Path
    config: BookConfig
    chapters: list[Chapter]
    notes: dict[str, Note]              # by id, definition order
    sources: dict[str, Source]          # by id
    terms: dict[str, Term]              # by key
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # file -> source text


# ------------------------------------------------------------- helpers

def walk_inlines(inlines: list[Inline]):
    """Yield every inline in document order, descending into containers."""
    for node in inlines:
        yield node
        children = getattr(node, "children", None)
        if children:
            yield from walk_inlines(children)


def block_inlines(block: Block):
    """Yield the top-level inline lists of a block (recursively for containers)."""
    if isinstance(block, (Para, Heading)):
        yield block.inlines
    elif isinstance(block, BlockQuote):
        for b in block.blocks:
            yield from block_inlines(b)
    elif isinstance(block, ListBlock):
        for item in block.items:
            for b in item:
                yield from block_inlines(b)
    elif isinstance(block, Table):
        yield block.caption
        for row in block.header + block.rows:
            yield from row
    elif isinstance(block, Figure):
        yield [block.image]
        yield block.caption


def walk_blocks_inlines(blocks: list[Block]):
    """Every inline of every block, in document order."""
    for b in blocks:
        for inl in block_inlines(b):
            yield from walk_inlines(inl)


# A rewrite for map_inlines: the node's replacement (its subtree is then not
# visited), or None to keep the node and rewrite inside it.
InlineRewrite = Callable[[Inline], "Inline | None"]


def map_inlines(inlines: list[Inline], fn: InlineRewrite) -> list[Inline]:
    """New inlines: `fn` rewrites each node, in document order.

    Where `fn` returns None the node is kept and a container is copied with its
    children rewritten; nothing is modified in place, unchanged leaves are shared.
    """
    out: list[Inline] = []
    for node in inlines:
        new = fn(node)
        if new is None:
            children = getattr(node, "children", None)
            new = replace(node, children=map_inlines(children, fn)) if children else node
        out.append(new)
    return out


def map_blocks(blocks: list[Block], fn: InlineRewrite) -> list[Block]:
    """New blocks with every inline rewritten by `fn` (see map_inlines), in document order."""
    return [_map_block(b, fn) for b in blocks]


def _map_block(block: Block, fn: InlineRewrite) -> Block:
    if isinstance(block, (Para, Heading)):
        return replace(block, inlines=map_inlines(block.inlines, fn))
    if isinstance(block, BlockQuote):
        return replace(block, blocks=map_blocks(block.blocks, fn))
    if isinstance(block, ListBlock):
        return replace(block, items=[map_blocks(item, fn) for item in block.items])
    if isinstance(block, Table):
        return replace(block, header=_map_rows(block.header, fn), rows=_map_rows(block.rows, fn),
                       caption=map_inlines(block.caption, fn))
    if isinstance(block, Figure):
        return replace(block, caption=map_inlines(block.caption, fn))
    return block   # CodeBlock, Rule: no inlines


def _map_rows(rows: list[list[list[Inline]]], fn: InlineRewrite) -> list[list[list[Inline]]]:
    return [[map_inlines(cell, fn) for cell in row] for row in rows]


def plain_text(inlines: list[Inline]) -> str:
    """The visible text of inlines (no generated brackets or numbers)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Space):
            out.append(" ")
        elif isinstance(node, Code):
            out.append(node.text)
        elif hasattr(node, "children"):
            out.append(plain_text(node.children))
    return "".join(out)
