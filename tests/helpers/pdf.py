"""Building the two-chapter print book (helpers.books.PRINT_BASE) and reading its PDF: char boxes, ink."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bookbuild.commands.check import load_prepared
from bookbuild.render.pdf import build as build_pdf
from bookbuild.render.pdf.drawing import pool, textpages
from bookbuild.transform.build_data import prepare
from helpers.books import PRINT_BASE, make_book

EPOCH = "1700000000"


def build_small_book(root: Path, *, jobs: int | None = None, extra: dict | None = None,
                     edition: str = "print") -> tuple[Path, list]:
    """Write the small book under root/book and build its pdf into root/out."""
    book_dir = make_book(root / "book", extra, base=PRINT_BASE)
    book, diags = load_prepared(book_dir)
    assert book is not None and not [d for d in diags if d.severity == "error"], diags
    diags = build_pdf(book, book.config.edition(edition), root / "out", prepare(book), root / "cache", jobs=jobs)
    return root / "out", diags


# ~1,400 characters: more than two pages, so the second chapter moves on by two pages.
LONG = "守軍在城南的高地之間挖掘交通壕，把民房的牆壁打通，使各據點可以互相支援。" * 40


def assert_same_as_cold(builder: Builder, warm: Path, name: str) -> None:
    """The warm PDF has the text and pixels of a cold build of the same sources."""
    from bookbuild.verify.pdf import page_texts
    drawn = builder.drawn
    cold = builder.cold(name)
    builder.drawn = drawn
    assert page_texts(warm) == page_texts(cold)
    assert images(warm, builder.root / f"img-{name}-warm") == images(cold, builder.root / f"img-{name}-cold")


class Builder:
    """One book folder and one cache folder; build() records the pages drawn."""

    def __init__(self, root: Path, monkeypatch):
        self.root, self.book, self.cache = root, root / "book", root / "cache"
        self.drawn: list[int] = []          # pages made in the last build (not taken from the cache)
        self.weasy: list[int] = []          # those of them WeasyPrint drew (the others: text pages)
        # A book style on the chapter openers: WeasyPrint draws those (page-cache
        # chunks), the other pages are text pages (text.bin): both kinds are reused.
        self.write({**PRINT_BASE, "styles/print.css": ".pg-chapter-open p { color: #111; }"})
        real = pool.start_tasks

        def recording(tasks, *args, **kwargs):
            self.weasy += [i for t in tasks for i in range(t.first, t.stop)]
            self.drawn += [i for t in tasks for i in range(t.first, t.stop)]
            return real(tasks, *args, **kwargs)

        monkeypatch.setattr(pool, "start_tasks", recording)
        real_paint = textpages.Painter.paint

        def painting(painter, page, html):
            # a text page written now (not taken from the cache) counts as drawn too
            made = real_paint(painter, page, html)
            if made is not None:
                self.drawn.append(page.number - 1)
            return made

        monkeypatch.setattr(textpages.Painter, "paint", painting)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = self.book / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.book / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def build(self, out: str, cache: Path | None = None, jobs: int = 1) -> Path:
        """Build into root/out; returns the PDF.  self.drawn: the pages drawn."""
        self.drawn, self.weasy = [], []
        book, diags = load_prepared(self.book)
        assert book is not None and not [d for d in diags if d.severity == "error"], diags
        diags = build_pdf(book, book.config.edition("print"), self.root / out, prepare(book), cache or self.cache,
                          jobs=jobs)
        assert not [d for d in diags if d.severity == "error"], diags
        return self.root / out / "print.pdf"

    def cold(self, out: str) -> Path:
        """The same sources built with an empty cache: no drawn pages, and no kept
        parse of the Markdown either (the book's own .bookbuild/, load/reuse.py)."""
        fresh = self.root / f"cache-{out}"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(self.book / ".bookbuild", ignore_errors=True)
        return self.build(out, fresh)


def images(pdf: Path, folder: Path) -> list[bytes]:
    """Every page as a 40 dpi grey image (pdftoppm), in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / "p")], check=True)
    return [p.read_bytes() for p in sorted(folder.glob("p-*.pgm"))]


def han_only(text: str, *, allow_empty: bool = False) -> bool:
    """Every character a Han character or a full-width form (an empty text counts only with allow_empty)."""
    return (allow_empty or bool(text)) and all("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
                                               for ch in text)


def find_chars(chars: list[dict], needle: str) -> list[dict]:
    """The chars whose texts make `needle`, first occurrence (a ——/…… glyph is one
    char with a two-character text)."""
    starts, pos = [], 0
    for c in chars:
        starts.append(pos)
        pos += len(c["text"])
    text = "".join(c["text"] for c in chars)
    i = text.find(needle)
    assert i >= 0 and i in starts, needle
    a = starts.index(i)
    b = a
    while b < len(chars) and starts[b] < i + len(needle):
        b += 1
    return chars[a:b]


def ink_box(pdf_path: Path, number: int, box: tuple[float, float, float, float], dpi: int = 600):
    """Bounding box (x0, top, x1, bottom in pt, P frame) of dark pixels inside box."""
    import pypdfium2 as pdfium  # deferred: only the ink tests render pages

    doc = pdfium.PdfDocument(str(pdf_path))
    page = doc[number - 1]
    w, h = page.get_size()
    x0, top, x1, bottom = box
    scale = dpi / 72
    img = page.render(scale=scale, crop=(x0, h - bottom, w - x1, top)).to_pil().convert("L")
    doc.close()
    dark = img.point(lambda v: 255 if v < 128 else 0).getbbox()
    if dark is None:
        return None
    a, b, c, d = dark
    return x0 + a / scale, top + b / scale, x0 + c / scale, top + d / scale


def cached_text_pages(folder: Path) -> dict[str, tuple]:
    """The text pages a page-cache folder keeps: {page key: (content, glyphs, fonts)}."""
    from bookbuild.render.pdf.drawing.pagecache import stored_text_pages
    return {k: (t.content, t.glyphs, t.fonts) for k, t in stored_text_pages(folder).items()}
