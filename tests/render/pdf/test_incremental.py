"""The edit loop of the print PDF (issue 9): what a rebuild draws again, and
that what it reuses is right.

Every test builds the small print book (helpers.books.PRINT_BASE) with a cache folder that
survives between builds, records which pages WeasyPrint drew (the page
ranges handed to pool.start_tasks) and compares the rebuilt PDF with a cold
build of the same sources: same text on every page, same pixels.
"""
from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest

from bookbuild.verify.pdf import page_texts, pdffonts
from helpers.books import BOOK_TOML, EDIT_BOOK_TOML, EDIT_GLOSSARY, EDIT_SOURCE, make_book
from helpers.pdf import EPOCH, LONG, assert_same_as_cold, cached_text_pages


def pages_of(pdf: Path) -> int:
    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


# ------------------------------------------------------------------ tests

def test_second_build_draws_no_page(builder):
    first = builder.build("a")
    total = pages_of(first)
    assert sorted(builder.drawn) == list(range(total))
    again = builder.build("b")
    assert builder.drawn == []
    assert page_texts(again) == page_texts(first)
    rows = pdffonts(again)
    assert len(rows) == 3 and all(r.emb and r.sub for r in rows)


def test_note_edit_draws_only_the_pages_it_changes(builder):
    first = builder.build("a")
    before = page_texts(first)
    builder.edit("footnotes/01.md", "見當時重慶各報的報導。", "見當時重慶與桂林各報的報導，另見校勘記。")
    warm = builder.build("b")
    after = page_texts(warm)
    assert any("校勘記" in t for t in after) and len(after) == len(before)
    changed = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
    # the note belongs to chapter 2: only its pages are drawn again, at least those that changed
    assert changed and changed <= set(builder.drawn)
    assert set(builder.drawn) <= set(_chapter_pages(builder.root / "b", 1))
    assert_same_as_cold(builder, warm, "cold")


def _chapter_pages(out: Path, chapter: int) -> list[int]:
    import json
    layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
    return [p["number"] - 1 for p in layout["pages"] if p.get("chapter") == chapter]


@pytest.mark.parametrize("kind", ["note", "glossary", "source", "style", "book.toml"])
def test_every_kind_of_change_reaches_the_pdf(builder, kind):
    builder.build("a")
    marker = {"note": "以上據校勘記", "glossary": "湘江與耒水交匯處", "source": "一號作戰全史",
              "style": None, "book.toml": "衡陽四十七日新本"}[kind]
    if kind == "note":
        builder.edit("footnotes/01.md", "學者對其真偽意見不一。", "學者對其真偽意見不一，以上據校勘記。")
    elif kind == "glossary":
        builder.edit(*EDIT_GLOSSARY)
    elif kind == "source":
        builder.edit(*EDIT_SOURCE)
    elif kind == "style":
        builder.write({"styles/print.css": "p { color: rgb(0, 0, 200) }\n"})
    else:
        builder.edit(*EDIT_BOOK_TOML)
    warm = builder.build("b")
    if marker:
        assert any(marker in t for t in page_texts(warm))
    else:   # a style changes every page with text: all are drawn again, in the new colour
        import pdfplumber
        with pdfplumber.open(warm) as pdf:
            colours = {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in pdf.pages[4].chars
                       if c["size"] > 10}
        assert colours == {(0.0, 0.0, 0.78)}
    assert builder.drawn
    assert_same_as_cold(builder, warm, "cold")


def test_moved_page_breaks_redraw_every_moved_page(builder):
    """A long paragraph in chapter 1 moves chapter 2 on by whole leaves: every
    page with new content is drawn again; chapter 2's pages, whose only change
    is their folio, are reused (folios are stamped after the merge)."""
    first = builder.build("a")
    before = page_texts(first)
    builder.edit("manuscript/01.md", "## 城內\n", f"## 城內\n\n{LONG}\n")
    warm = builder.build("b")
    after = page_texts(warm)
    shift = len(after) - len(before)
    assert shift > 0 and shift % 2 == 0          # chapters open on odd pages
    assert_same_as_cold(builder, warm, "cold")
    old = {_strip_folio(t) for t in before}
    assert all(i in builder.drawn for i, t in enumerate(after) if _strip_folio(t) not in old)
    # chapter 2's text pages moved unchanged: reused, not drawn
    moved = [i + shift for i in _chapter_pages(builder.root / "a", 1)
             if before[i].strip() and _strip_folio(after[i + shift]) == _strip_folio(before[i])]
    assert moved and not set(moved) & set(builder.drawn)
    assert after[moved[0]] != before[moved[0] - shift]       # the folio differs


def _links(pdf_path: Path) -> list[tuple]:
    with pikepdf.open(pdf_path) as pdf:
        return [(i, [round(float(v), 3) for v in a.Rect], pdf.pages.index(pikepdf.Page(a.Dest[0])))
                for i, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", [])]


def test_reused_pages_link_as_in_a_cold_build(builder):
    """A text page keeps its link areas in the cache (they follow from its layout);
    where they lead is found at every build: chapter 2's pages move on, are
    reused, and their calls reach the notes' new pages, as a cold build's do."""
    builder.build("a")
    builder.edit("manuscript/01.md", "## 城內\n", f"## 城內\n\n{LONG}\n")
    warm = builder.build("b")
    reused = set(range(pages_of(warm))) - set(builder.drawn)
    links = _links(warm)
    assert any(i in reused for i, _, _ in links)
    assert links == _links(builder.cold("cold"))


def _strip_folio(text: str) -> str:
    """A page's text without its folio (the last line holding only digits)."""
    lines = text.rstrip("\n").split("\n")
    return "\n".join(ln for ln in lines if not ln.strip().isdigit())


def test_two_workers_draw_into_the_same_cache(builder):
    first = builder.build("a", jobs=2)
    assert builder.drawn
    builder.build("b", jobs=2)
    assert builder.drawn == []
    assert page_texts(builder.root / "b" / "print.pdf") == page_texts(first)


@pytest.mark.parametrize("broken", [("index.json",), ("text.bin",), ("index.json", "text.bin")])
def test_unreadable_cache_index_draws_again(builder, broken):
    """index.json lists the WeasyPrint pages, text.bin holds the text pages:
    each unreadable file costs its own pages, and only those."""
    first = builder.build("a")
    folder = builder.cache / "pages" / "print"
    text_pages = set(cached_text_pages(folder))
    keys = json.loads((folder / "index.json").read_text(encoding="utf-8"))["pages"]
    assert text_pages and keys, "the sample has both kinds of page"
    for name in broken:
        (folder / name).write_text("{not json", encoding="utf-8")
    again = builder.build("b")
    if len(broken) == 2:
        assert sorted(builder.drawn) == list(range(pages_of(first)))
    else:
        assert builder.drawn and len(builder.drawn) < pages_of(first)
    assert page_texts(again) == page_texts(first)


def test_stale_chunks_are_removed(builder):
    builder.build("a")
    folder = builder.cache / "pages" / "print"
    chunks = set(folder.glob("*.pdf"))
    assert chunks
    builder.write({"styles/print.css": "p { color: rgb(0, 0, 200) }\n"})
    builder.build("b")
    # a stylesheet change makes every page new: no old chunk holds a page of this build
    assert chunks.isdisjoint(folder.glob("*.pdf"))


# ------------------------------------------------------------------ EPUB

def test_editions_of_one_build_share_the_book_data(tmp_path, monkeypatch):
    """`bookbuild build` formats the citations once per script for all its
    editions (EPUB, horizontal EPUB and the print layout), and each output is
    the same as when its edition is built alone."""
    import io

    from bookbuild.commands.build import run_build
    from bookbuild.transform import build_data

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    toml = BOOK_TOML + '\n[editions.flat]\nformat = "epub"\nwriting = "horizontal"\n'
    root = make_book(tmp_path / "book", {"book.toml": toml})
    calls = []
    real = build_data.format_citations
    monkeypatch.setattr(build_data, "format_citations", lambda b, *rest: calls.append(b) or real(b, *rest))
    out = io.StringIO()
    assert run_build(root, out_dir=tmp_path / "together", stdout=out, stderr=out) == 0, out.getvalue()
    names = sorted(p.name for p in (tmp_path / "together").iterdir())
    assert {"epub.epub", "flat.epub", "print.pdf"} <= set(names) and len(calls) == 1
    for name in ("epub", "flat", "print"):
        assert run_build(root, editions=[name], out_dir=tmp_path / name, stdout=out, stderr=out) == 0
    assert len(calls) == 4
    for name in ("epub.epub", "flat.epub"):
        assert (tmp_path / "together" / name).read_bytes() == (tmp_path / name.split(".")[0] / name).read_bytes()
    assert page_texts(tmp_path / "together" / "print.pdf") == page_texts(tmp_path / "print" / "print.pdf")


def test_a_refused_build_leaves_no_page_in_the_cache(builder, monkeypatch):
    """A PDF refused for a fallback font (BB402) keeps none of the chunks drawn for it:
    their pages may share the font's resources, and a later build must not merge them in."""
    import bookbuild.render.pdf as pdf_module
    from bookbuild.commands.check import load_prepared
    from bookbuild.diagnostics import Diagnostic
    from bookbuild.transform.build_data import prepare

    with monkeypatch.context() as mp:
        mp.setattr(pdf_module, "fallback_fonts",
                   lambda *args: [Diagnostic("BB402", "planted fallback font", "book.toml", 1, 1)])
        book, _ = load_prepared(builder.book)
        diags = pdf_module.build(book, book.config.edition("print"), builder.root / "refused", prepare(book),
                                 builder.cache, jobs=1)
        assert [d.code for d in diags if d.severity == "error"] == ["BB402"]
    again = builder.build("after")
    assert sorted(builder.drawn) == list(range(pages_of(again))), "every page drawn again"
