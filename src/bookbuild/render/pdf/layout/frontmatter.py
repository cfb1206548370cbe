"""Generated matter of a pdf edition: title page, 版權頁, 目次, 參考書目, 詞彙表.

Title page and colophon are fixed pages whose columns get their positions
here; the 目次 is a flow of one entry per column with the page number set
flush to the foot (filled in a second pass, once pages are known); the
bibliography and glossary are blocks that the paginator treats like a
chapter.
"""
from __future__ import annotations

from .... import model as m
from ....transform.sortkeys import BibEntry, group_entries, sort_key
from . import layout_types as lt
from .breaker import Rules, break_block
from .units import Block, UnitMaker

TOC_NUMBER_ROOM = 4.0   # body em kept free at the foot of a 目次 column for the page number


def _columns(blocks: list[Block], chars: int, rules: Rules) -> list[lt.Column]:
    out: list[lt.Column] = []
    for b in blocks:
        cols, _ = break_block(b, chars, rules)
        out += cols
    return out


def title_page(book: m.Book, mk: UnitMaker, geo: lt.Geometry, rules: Rules) -> list[lt.Column]:
    """Title (2 em), subtitle, authors, publisher; right to left across the page."""
    cfg = book.config
    items = [(cfg.title, lt.TITLE, 2.0, 4.0, 0.30)]
    if cfg.subtitle:
        items.append((cfg.subtitle, lt.SUBTITLE, 1.2, 8.0, 0.30))
    items.append(("、".join(cfg.authors) + "　著", lt.AUTHOR, 1.1, 14.0, 0.62))
    if cfg.publisher:
        items.append((cfg.publisher, lt.PUBLISHER, 1.0, 24.0, 1.0))
    cols: list[lt.Column] = []
    x_prev = None
    for text, role, size, indent, frac in items:
        blk = mk.generated_block(text, role, size=size, indent=indent)
        if not mk.edition.vertical:     # a horizontal title page is centred, not stepped
            width = sum(u.width_em for line in blk.lines for u in line) * size
            blk.indent_first = blk.indent_rest = max(0.0, (geo.chars - width) / 2)
        for col in _columns([blk], geo.chars, rules):
            x = max(frac * geo.width_em - size / 2, size / 2)
            if x_prev is not None and x < x_prev + geo.pitch_em * size:
                x = x_prev + geo.pitch_em * max(size, 1.0)
            col.x_em = x_prev = min(x, geo.width_em - size / 2)
            cols.append(col)
    return cols


def colophon_page(book: m.Book, mk: UnitMaker, geo: lt.Geometry, rules: Rules) -> list[lt.Column]:
    """版權頁: title, authors, publisher, edition statement, date, ISBN or identifier,
    set at the left end of the page."""
    cfg = book.config
    lines = [f"書名：{cfg.title}" + (f"——{cfg.subtitle}" if cfg.subtitle else ""),
             "作者：" + "、".join(cfg.authors)]
    if cfg.publisher:
        lines.append(f"出版：{cfg.publisher}")
    if cfg.edition_statement or cfg.date:
        lines.append("版次：" + "　".join(x for x in (cfg.date, cfg.edition_statement) if x))
    lines.append(f"ISBN：{cfg.isbn}" if cfg.isbn else f"識別碼：{cfg.identifier}")
    if cfg.rights:
        lines.append(cfg.rights)
    blocks = [mk.generated_block(t, lt.COLOPHON, indent=2.0) for t in lines]
    cols = _columns(blocks, geo.chars, rules)
    for i, col in enumerate(cols):   # the last column sits at the type area's left edge
        col.x_em = geo.body_x(geo.columns - len(cols) + i)
    return cols


def toc_flow(entries: list[tuple[str, int]], mk: UnitMaker, geo: lt.Geometry,
             rules: Rules, title: str = "目次") -> tuple[list[lt.Column], list[list[lt.Column]]]:
    """The 目次 (or 圖目次…) heading and one entry per (title, level); returns
    (flow, columns of each entry)."""
    head = mk.generated_block(title, lt.HEADING[1], size=1.2, indent=2.0, level=1)
    flow = _columns([head], geo.chars, rules)
    per_entry = []
    for title, level in entries:
        blk = mk.generated_block(title, lt.TOC_ENTRY, indent=2.0 * level)
        cols, _ = break_block(blk, int(geo.chars - TOC_NUMBER_ROOM), rules)
        for c in cols:
            c.length_em += TOC_NUMBER_ROOM
            c.justified = False
        per_entry.append(cols)
        flow += cols
    return flow, per_entry


def fill_toc(per_entry: list[list[lt.Column]], pages: list[int], mk: UnitMaker) -> None:
    """Second pass: the page number of each entry at the foot of its last column."""
    for cols, page in zip(per_entry, pages):
        mk._start()
        mk.generated(str(page))
        cols[-1].foot = [u for line in mk._finish() for u in line]


def bibliography_blocks(book: m.Book, citations, mk: UnitMaker) -> list[Block]:
    """參考書目: a heading per group (中文, 日文, 西文), one paragraph per entry."""
    groups = getattr(citations, "bibliography", None)
    if groups is None:
        groups = _fallback_bibliography(book)
    if not groups:
        return []
    out = [mk.generated_block("參考書目", lt.HEADING[1], size=1.2, indent=2.0, level=1)]
    for name, entries in groups:
        if len(groups) > 1:
            out.append(mk.generated_block(name, lt.HEADING[2], size=1.15, indent=4.0, level=2))
        for e in entries:
            src = book.sources.get(e.key)
            out.append(mk.para([m.Span("span", list(e.inlines), {}, ("citation",),
                                       src.pos if src else m.Pos("", 1, 1))],
                               src.pos if src else None, None))
    return out


def _fallback_bibliography(book: m.Book):
    """Without citeproc output: author. title. date, grouped and sorted as the contract says."""
    entries = []
    for key, src in book.sources.items():
        csl = src.csl
        names = "、".join(str(a.get("literal") or (a.get("family", "") + a.get("given", "")))
                         for a in csl.get("author", []) or [])
        year = str((csl.get("issued") or {}).get("date-parts", [[""]])[0][0])
        text = "。".join(x for x in (names, str(csl.get("title", key)), year) if x) + "。"
        entries.append(BibEntry(key, [m.Text(text, src.pos)], csl))
    return group_entries(entries, book.config.bibliography_sort)


def glossary_blocks(book: m.Book, mk: UnitMaker) -> list[Block]:
    """詞彙表: term（reading）：definition　參見：…, ordered by bibliography_sort."""
    if not book.terms:
        return []
    method = book.config.bibliography_sort
    terms = sorted(book.terms.values(), key=lambda t: (sort_key(t.term, method), t.key))
    out = [mk.generated_block("詞彙表", lt.HEADING[1], size=1.2, indent=2.0, level=1)]
    for t in terms:
        inl: list[m.Inline] = [m.Text(t.term, t.pos)]
        if t.reading:
            inl += [m.Text("（"), m.Code(t.reading), m.Text("）")]
        inl.append(m.Text("：" + t.definition))
        see = [book.terms[k].term for k in t.see if k in book.terms]
        if see:
            inl.append(m.Text("參見：" + "、".join(see) + "。"))
        out.append(mk.para(inl, t.pos, None))
    return out
