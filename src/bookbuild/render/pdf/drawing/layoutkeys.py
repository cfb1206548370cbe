"""Page keys made from the layout itself, without the page's HTML (docs/PRINT-ENGINE.md §12).

A page's cache key used to hash its HTML (pagecache.page_keys), which meant
writing the HTML of every page at every build — 0.35 s on the stress book,
where every page is a text page and no HTML is needed once its page is
cached.  The HTML is a function of the page's layout, the edition, the frame
and the geometry, and of the code that writes it; so the key hashes those
instead: every field of the page, its columns and their units that
page_html.py, column_html.py, overlays.py and textpages.py read (all but a
unit's source position and note id, which no drawing shows), the sources of
the modules that turn them into HTML or decide whether the book's CSS
reaches the page, and the settings' reprs.  A page with a figure or a table
keeps its HTML key (their objects hold more than these fields).

The fields are serialised with `marshal` (format 2: no references, so equal
values give equal bytes whatever objects hold them) only to be hashed:
nothing is ever read back from these bytes.
"""
from __future__ import annotations

import hashlib
import inspect
import marshal
import sys
from operator import attrgetter

from ..layout import frame as layout_frame
from ..layout import layout_types as lt
from ..layout import positions
from . import bookrules, column_html, figure_html, overlays, page_html

_COLUMN = attrgetter("role", "indent_em", "length_em", "spacing_em", "space_extra_em", "glue_extra_em", "size",
                     "justified", "first_of_paragraph", "last_of_paragraph", "x_em")


def _html_stamp() -> bytes:
    """The code between a page's layout and its HTML (and the CSS reach test)."""
    h = hashlib.sha256(f"{sys.version}|{marshal.version}".encode())
    for module in (page_html, column_html, figure_html, overlays, bookrules, positions, layout_frame, lt):
        h.update(inspect.getsource(module).encode())
    return h.digest()


def column_digests(pages: list[lt.Page]) -> list[bytes | None]:
    """Each page's columns hashed (their fields and their units'), or None for
    a page with a figure or a table.  Taken before the fonts: the page cache
    keeps a page's characters by it (pagecache.PageChars), and its key adds
    the page's own fields and the build's (layout_keys)."""
    out: list[bytes | None] = []
    for page in pages:
        try:
            if page.figures:
                raise _Unkeyed
            out.append(_page_digest(page))
        except (_Unkeyed, ValueError):      # a figure or a table; a value marshal cannot write
            out.append(None)
    return out


def _page_digest(page: lt.Page) -> bytes:
    """The column fields and each column's units digest (lt.Column.units_digest,
    which a kept chapter's columns have without making their units)."""
    h = hashlib.sha256()
    for cols in (page.columns, page.note_columns):
        h.update(b"\x01")
        for col in cols:
            if col.figure is not None or col.table is not None:
                raise _Unkeyed
            h.update(marshal.dumps(_COLUMN(col), 2))
            h.update(col.units_digest())
    return h.digest()


def layout_keys(pages: list[lt.Page], digests: list[bytes | None], context: str, settings: str) -> list[str | None]:
    """Each page's key from its layout (`pages` as page_html draws them: stamped
    heads left out; `digests`: their column_digests), or None where its HTML
    must make the key (figures, tables).  `settings`: the reprs of what else
    page_html reads (edition, frame, geometry)."""
    base = hashlib.sha256(b"layout\0" + context.encode() + b"\0" + _html_stamp() + settings.encode())
    out: list[str | None] = []
    for page, digest in zip(pages, digests):
        if digest is None:
            out.append(None)
            continue
        h = base.copy()
        h.update(marshal.dumps((page.number % 2, page.role, page.folio, page.running_head, page.rule_x_em), 2))
        h.update(digest)
        out.append(h.hexdigest()[:40])
    return out


class _Unkeyed(Exception):
    """A page whose HTML makes its key."""
