"""Print page numbers in the EPUB (page_source): checked on the real outputs of
`bookbuild build --edition epub` on the sample book — the PDF's text layer
(poppler) against the EPUB's pagebreak markers, the page-list, dc:source,
EPUBCheck."""
from __future__ import annotations

import posixpath

import pytest

from bookbuild.render.epub.pagelist import text_index
from helpers.books import copy_sample
from helpers.epub import NS, epubcheck_problems
from helpers.outputs import build_book, markers, pdf_page_text, squeeze, text_after

FIRST = 8          # characters compared at the start of each page
# Generated pages the EPUB has no copy of: the 版權頁 (the EPUB's metadata
# holds it) and the 目次 (the EPUB's table of contents lists documents).
NO_COPY = {"colophon", "toc"}


def _compare(text: str) -> str:
    """Page text as compared: no whitespace, and no brackets around a glossary
    reading (print sets 唐縱（Táng Zòng）, the EPUB a separate reading span)."""
    return squeeze(text).replace("（", "").replace("）", "")


def _unlabelled(text: str, label: str) -> str:
    return text[len(label):] if label and text.startswith(label) else text


def _assert_page_starts_after_marker(pdf, page: dict, marker) -> None:
    """The first characters of PDF page `page` follow `marker` in the EPUB.
    Generated text the EPUB does not have as text (an ordered list's 4、,
    drawn by CSS there) is skipped: layout.json names it as the page's prefix;
    so is a figure's drawn text (layout.json `figures[].text`)."""
    text = _compare(pdf_page_text(pdf, page["number"]))
    plates = [f for f in page.get("figures", []) if f.get("placement") == "plate"]
    if plates:      # a page of its own for a figure: its caption is all the page says
        # print sets the label (圖1) before the caption; the EPUB may keep it apart
        label = _compare(plates[0].get("label") or "")
        caption = _unlabelled(_compare(plates[0]["caption"]), label)
        after = _compare(text_after(marker))
        assert caption and _unlabelled(text, label).startswith(caption), (page["number"], text[:20])
        assert _unlabelled(after, label).startswith(caption), (page["number"], caption, after[:20])
        return
    for fig in page.get("figures", []):
        # a map's own labels (SVG text, drawn as text in print) are in the image of the EPUB
        text = text.replace(_compare(fig.get("text") or ""), "", 1) if fig.get("text") else text
    after = _compare(text_after(marker))
    prefix = _compare(page["start"].get("prefix", ""))
    if prefix and not after.startswith(prefix):
        assert text.startswith(prefix), (page["number"], prefix, text[:20])
        text = text[len(prefix):]
    k = min(FIRST, len(after))        # the book's last page: the EPUB text ends first
    assert k >= 5 and after[:k] == text[:k], (page["number"], text[:20], after[:20])


def test_pdf_edition_built_first(printed):
    assert printed.pdf.is_file() and (printed.out / "print.layout.json").is_file()
    assert printed.epub.is_file()


def test_epubcheck_clean(printed):
    assert epubcheck_problems(printed.epub) == []


def test_every_page_has_one_marker_listed_in_order(printed):
    layout = printed.layout()
    docs = printed.docs()
    found = markers(docs)
    numbers = [p["number"] for p in layout["pages"]]
    assert sorted(found) == sorted(f"page-{n}" for n in numbers)
    nav = docs["EPUB/nav.xhtml"]
    links = nav.xpath("//h:nav[@epub:type='page-list']//h:a", namespaces=NS)
    assert [a.text for a in links] == [str(n) for n in numbers]
    for a in links:                      # every entry lands on its marker
        file, frag = a.get("href").split("#")
        doc, el = found[frag]
        assert doc == posixpath.normpath(posixpath.join("EPUB", file or "nav.xhtml")), a.get("href")
        assert el.get("aria-label") == a.text and el.get("role") == "doc-pagebreak"
        assert el.get("title") is None and not (el.text or "")


def test_marker_precedes_the_first_characters_of_its_pdf_page(printed):
    """For every PDF page with text: the first characters of the page (PDF
    text layer) are the EPUB text that follows the marker with its number."""
    layout = printed.layout()
    found = markers(printed.docs())
    checked = 0
    for page in layout["pages"]:
        if page["body"]["text"].strip() and page["role"] not in NO_COPY:
            _assert_page_starts_after_marker(printed.pdf, page, found[f"page-{page['number']}"][1])
            checked += 1
    assert checked >= 70


def test_generated_pages_sit_at_their_documents(printed):
    layout = printed.layout()
    found = markers(printed.docs())
    roles = {p["number"]: p["role"] for p in layout["pages"]}
    where = {n: found[f"page-{n}"][0] for n in roles}
    assert where[1] == where[2] == "EPUB/text/title.xhtml"        # title page, 版權頁
    toc = [n for n, r in roles.items() if r == "toc"]
    assert toc and all(where[n] == "EPUB/nav.xhtml" for n in toc)
    for n, role in roles.items():        # a blank page: right before the next page
        if role == "blank" and n + 1 in roles:
            _, el = found[f"page-{n}"]
            assert el.getnext().get("id") == f"page-{n + 1}"


def test_chapter_page_marker_precedes_the_heading(printed):
    """A page that opens a chapter starts with 第N章 in print: so does the EPUB
    text after its marker, which sits before the h1."""
    layout = printed.layout()
    found = markers(printed.docs())
    opened = [p["number"] for p in layout["pages"] if p["start"].get("prefix", "").startswith("第")]
    assert len(opened) == 5
    for n in opened:
        _, el = found[f"page-{n}"]
        assert el.getnext().tag.endswith("h1")


def test_dc_source_and_accessibility(printed):
    opf = printed.opf()
    assert opf.xpath("//dc:source/text()", namespaces=NS) == ["衡陽四十七日（初版印刷版 print）"]
    features = opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"pageBreakMarkers", "pageNavigation", "index"} <= set(features)


def test_epub_without_page_source_has_no_pages(tmp_path, epoch):
    root = copy_sample(tmp_path / "book")
    built = build_book(root, ["epub-horizontal"])
    assert built.code == 0, built.stdout
    assert not (built.out / "print.pdf").exists()
    docs = built.docs()
    assert markers(docs) == {}
    assert not docs["EPUB/nav.xhtml"].xpath("//h:nav[@epub:type='page-list']", namespaces=NS)
    assert not built.opf().xpath("//dc:source", namespaces=NS)


@pytest.mark.parametrize("source", ["epub-horizontal", "print-zh-hans", "nonesuch"])
def test_page_source_must_be_a_pdf_edition_in_the_same_script(tmp_path, epoch, source):
    root = copy_sample(tmp_path / "book")
    toml = (root / "book.toml").read_text("utf-8")
    (root / "book.toml").write_text(toml.replace('page_source = "print"', f'page_source = "{source}"'), "utf-8")
    built = build_book(root, ["epub"])
    assert built.code == 1
    assert "BB502" in built.stdout and f'page_source = "{source}"' in built.stdout


def test_book_notes_and_any_chapter_start(tmp_path, epoch):
    """Notes at the book's end in both editions (注釋 pages, pages of notes
    only) and chapters on any page: every page still has its marker, and the
    pages with body text start where the marker is."""
    root = copy_sample(tmp_path / "book")
    toml = (root / "book.toml").read_text("utf-8")
    toml = toml.replace('page_source = "print"\n', 'page_source = "print"\nnotes = "book"\n')
    toml = toml.replace('notes = "page"\n', 'notes = "book"\nchapter_start = "any"\n')
    (root / "book.toml").write_text(toml, "utf-8")
    built = build_book(root, ["epub"])
    assert built.code == 0, built.stdout
    layout, found = built.layout(), markers(built.docs())
    assert sorted(found) == sorted(f"page-{p['number']}" for p in layout["pages"])
    notes_only = [p["number"] for p in layout["pages"] if p["start"].get("area") == "notes"]
    assert notes_only and all(found[f"page-{n}"][0] == "EPUB/text/notes.xhtml" for n in notes_only)
    for page in layout["pages"]:
        if page["body"]["text"].strip() and page["start"]["kind"] != "section":
            _assert_page_starts_after_marker(built.pdf, page, found[f"page-{page['number']}"][1])
        elif page["start"]["kind"] == "section" and page["start"]["section"] == "notes":
            # the 注釋 opener: the start of notes.xhtml (its chapter headings are
            # the EPUB's own, 序 where print says 〈序〉)
            doc, el = found[f"page-{page['number']}"]
            assert doc == "EPUB/text/notes.xhtml" and el.getnext().tag.endswith("h1")
            notes_only.append("opener")
    assert "opener" in notes_only
    assert epubcheck_problems(built.epub) == []


@pytest.mark.parametrize("orig, norm, i, want", [
    ("長沙在6月", "長沙在6月", 3, 3),
    ("他說, 我們", "他說，我們", 4, 3),     # the space after the comma went
    ("1944-1945年", "1944～1945年", 5, 5),
])
def test_text_index_maps_author_chars_to_rendered_chars(orig, norm, i, want):
    assert text_index(orig, norm, i) == want
    assert norm[want] == orig[i]
