"""nav.xhtml (toc, landmarks, 圖目次/表目次, page-list), the title page and the cover page."""
from __future__ import annotations

from ... import model as m
from ...transform.figures import FIGURE, TABLE
from .context import Context
from .document import Doc, new_document
from .elements import E, serialize
from .figures import anchor
from .pagelist import PAGE_ID
from .xhtml import Writer

NAV_FILE = "nav.xhtml"
TOC_TITLE = "目次"
PAGE_LIST_TITLE = "紙本頁碼"
LOI_TITLE, LOT_TITLE = "圖目次", "表目次"


def nav_doc(ctx: Context, docs: list[Doc]) -> Doc:
    html, body = new_document(ctx, NAV_FILE, TOC_TITLE, "frontmatter")
    if ctx.pages:      # the print 目次 pages (reserved for this document by render_epub)
        ctx.pages.emit(ctx.pages.sections.get("toc", []), NAV_FILE, body)
    toc = E("nav", {"epub:type": "toc", "role": "doc-toc", "id": "toc",
                    "aria-labelledby": "toc-title"}, parent=body)
    E("h1", {"id": "toc-title"}, parent=toc, text=TOC_TITLE)
    ol = E("ol", parent=toc)
    writer = Writer(ctx, NAV_FILE, None)
    for doc in docs:
        if doc.uid in ("cover", "nav"):
            continue
        li = E("li", parent=ol)
        writer.runs(doc.title, E("a", {"href": doc.file}, parent=li))
        if doc.sections:
            sub = E("ol", parent=li)
            for ident, title in doc.sections:
                writer.runs(title, E("a", {"href": f"{doc.file}#{ident}"},
                                     parent=E("li", parent=sub)))
    landmarks = E("nav", {"epub:type": "landmarks", "hidden": "hidden",
                          "aria-labelledby": "landmarks-title"}, parent=body)
    E("h2", {"id": "landmarks-title"}, parent=landmarks, text="導覽")
    lol = E("ol", parent=landmarks)
    E("a", {"epub:type": "toc", "href": "#toc"}, parent=E("li", parent=lol), text=TOC_TITLE)
    seen = {"toc"}
    for doc in docs:
        if doc.landmark and doc.landmark not in seen:
            seen.add(doc.landmark)
            E("a", {"epub:type": doc.landmark, "href": doc.file},
              parent=E("li", parent=lol), text=doc.title)
    for kind, ident, title in ((FIGURE, "loi", LOI_TITLE), (TABLE, "lot", LOT_TITLE)):
        if list_nav(ctx, writer, body, kind, ident, title):
            E("a", {"epub:type": ident, "href": f"{NAV_FILE}#{ident}"}, parent=E("li", parent=lol), text=title)
    if ctx.pages:
        page_list_nav(ctx, body)
    return Doc(NAV_FILE, TOC_TITLE, serialize(html), [], "", "nav")


def list_nav(ctx: Context, writer: Writer, body, kind: str, ident: str, title: str) -> bool:
    """圖目次 / 表目次 (`epub:type` loi / lot): each figure's label and caption,
    linked to it; nothing when the book has none."""
    items = ctx.figures.ordered(kind) if ctx.figures else []
    if not items:
        return False
    nav = E("nav", {"epub:type": ident, "id": ident, "aria-labelledby": f"{ident}-title"}, parent=body)
    E("h2", {"id": f"{ident}-title"}, parent=nav, text=title)
    ol = E("ol", parent=nav)
    for num in items:
        href = ctx.href(NAV_FILE, ctx.chapter_file(ctx.book.chapters[num.chapter]), anchor(num))
        text = ctx.text.numbers(num.label, positional=True) + "\u3000" + ctx.text.normalize(num.caption)
        writer.runs(text, E("a", {"href": href}, parent=E("li", parent=ol)))
    return True


def page_list_nav(ctx: Context, body) -> None:
    """`nav epub:type="page-list"`: every print page, linked to its marker."""
    nav = E("nav", {"epub:type": "page-list", "role": "doc-pagelist", "hidden": "hidden",
                    "aria-labelledby": "page-list-title"}, parent=body)
    E("h2", {"id": "page-list-title"}, parent=nav, text=PAGE_LIST_TITLE)
    ol = E("ol", parent=nav)
    for n, file in ctx.pages.page_list():
        # The file named even for the nav's own markers: Ace reads a bare
        # "#page-3" as a link to nothing (epub-pagelist-broken).
        href = (NAV_FILE + "#" + PAGE_ID.format(n) if file == NAV_FILE
                else ctx.href(NAV_FILE, file, PAGE_ID.format(n)))
        E("a", {"href": href}, parent=E("li", parent=ol), text=str(n))


def title_doc(ctx: Context) -> Doc:
    cfg = ctx.book.config
    file = "text/title.xhtml"
    html, body = new_document(ctx, file, cfg.title, "frontmatter")
    section = E("section", {"epub:type": "titlepage", "class": "titlepage",
                            "aria-label": cfg.title}, parent=body)
    writer = Writer(ctx, file, None)
    if ctx.pages:
        ctx.pages.emit(ctx.pages.section("title"), file, section)
    writer.para([m.Text(cfg.title)], E("h1", {"class": "book-title"}, parent=section))
    if cfg.subtitle:
        writer.para([m.Text(cfg.subtitle)], E("p", {"class": "subtitle"}, parent=section))
    writer.para([m.Text("、".join(cfg.authors))], E("p", {"class": "authors"}, parent=section))
    if cfg.publisher:
        writer.para([m.Text(cfg.publisher)], E("p", {"class": "publisher"}, parent=section))
    if ctx.pages:      # the print 版權頁 follows the title page; this EPUB has none
        ctx.pages.emit(ctx.pages.section("colophon"), file, section)
    return Doc(file, cfg.title, serialize(html), [], "titlepage", "titlepage")


def cover_doc(ctx: Context, image_path: str) -> Doc:
    file = "text/cover.xhtml"
    html, body = new_document(ctx, file, "封面", "cover")
    section = E("section", {"epub:type": "cover", "class": "cover", "aria-label": "封面"},
                parent=body)
    E("img", {"src": "../" + image_path, "alt": ctx.book.config.title, "role": "doc-cover"},
      parent=section)
    return Doc(file, "封面", serialize(html), [], "cover", "cover")
