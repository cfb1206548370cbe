"""Document metadata: /Lang, reading direction, the document info (SOURCE_DATE_EPOCH), the outline."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from pikepdf import Dictionary, Name, Pdf, String

from ....config import EditionConfig
from ....model import Book
from .outline import OutlineEntry, write_outline


@dataclass(frozen=True, slots=True)
class DocInfo:
    title: str
    authors: tuple[str, ...]
    language: str
    subject: str = ""
    publisher: str = ""
    epoch: int | None = None   # SOURCE_DATE_EPOCH; None = now
    direction: str = "R2L"     # /ViewerPreferences /Direction: L2R for a horizontal edition


def pdf_date(epoch: int | None) -> str:
    t = time.gmtime(epoch if epoch is not None else time.time())
    return time.strftime("D:%Y%m%d%H%M%SZ", t)


def doc_info(book: Book, ed: EditionConfig) -> DocInfo:
    """The book's metadata; the dates from SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    cfg = book.config
    return DocInfo(cfg.title, tuple(cfg.authors), ed.language, subject=cfg.subtitle,
                   publisher=cfg.publisher, epoch=int(epoch) if epoch.isdigit() else None,
                   direction="R2L" if ed.vertical else "L2R")


def finish_catalog(pdf: Pdf, info: DocInfo, outline: list[OutlineEntry]) -> None:
    """/Lang, /ViewerPreferences /Direction (merged), outline, document info."""
    root = pdf.Root
    root.Lang = String(info.language)
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        prefs = Dictionary()
    prefs.Direction = Name("/" + info.direction)
    prefs.DisplayDocTitle = True
    root.ViewerPreferences = prefs
    write_outline(pdf, outline)
    date = pdf_date(info.epoch)
    pdf.docinfo = pdf.make_indirect(Dictionary(
        Title=String(info.title), Author=String("、".join(info.authors)),
        Creator=String("bookbuild"), Producer=String("bookbuild (WeasyPrint, pikepdf)"),
        CreationDate=String(date), ModDate=String(date)))
    if info.subject:
        pdf.docinfo.Subject = String(info.subject)
