"""Page count and page labels: blank pages to the binding's multiple, /PageLabels = the printed folios.

`pad_pages` works on the laid-out pages, before drawing, so layout.json (and
the cover's spine, computed from it) counts the blank pages the printer
will bind.  `page_labels` writes /PageLabels so that a viewer's page box
shows the folio printed on the page: one decimal range when the folios are
the physical page numbers (the usual case), otherwise one label per page (a
hanzi folio 一二三 has no PDF numbering style).
"""
from __future__ import annotations

from pikepdf import Array, Dictionary, Name, Pdf, String

from ....transform.numerals import digit_by_digit
from ..layout import layout_types as lt


def pad_pages(pages: list[lt.Page], multiple: int) -> int:
    """Append blank pages until len(pages) is a multiple of `multiple`; return how many."""
    if multiple <= 1:
        return 0
    added = -len(pages) % multiple
    for _ in range(added):
        pages.append(lt.Page(len(pages) + 1, lt.PAGE_BLANK))
    return added


def folio_labels(pages: list[lt.Page], hanzi: bool) -> list[str]:
    """The folio each page shows or, on a page that prints none, the one it would."""
    return [p.folio or (digit_by_digit(str(p.number)) if hanzi else str(p.number)) for p in pages]


def page_labels(pdf: Pdf, labels: list[str]) -> None:
    """/PageLabels from one label per page (see module doc)."""
    nums: list = []
    expect = None           # the next label a running decimal range would give
    for i, label in enumerate(labels):
        if label.isascii() and label.isdigit() and int(label) > 0:
            if expect != int(label):
                nums += [i, Dictionary(S=Name.D, St=int(label))]
            expect = int(label) + 1
        else:
            nums += [i, Dictionary(P=String(label))]
            expect = None
    if nums:
        pdf.Root.PageLabels = Dictionary(Nums=Array(nums))
