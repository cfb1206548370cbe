"""Accessibility of the EPUBs: DAISY Ace reports no violation on any of the
sample's (vertical with a print page-list, horizontal, Simplified, the Kobo
kepub) nor on the variant's and the stress book's; language
of parts is marked; the package metadata says only what is true."""
from __future__ import annotations

import re

import pytest

from bookbuild.render.epub.package import CONFORMS_TO
from bookbuild.verify import validators
from helpers.books import copy_sample
from helpers.epub import NS, Epub, epubcheck_problems
from helpers.outputs import build_book

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
try:
    validators.ace_command()
    HAVE_ACE = True
except validators.Missing:
    HAVE_ACE = False


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_ACE, reason="DAISY Ace not installed (scripts/setup.sh)")
@pytest.mark.parametrize("name", ["epub-horizontal", "epub-zh-hans"])
def test_ace_finds_no_violation(sample, name):
    epub, _, _ = sample[name]
    assert validators.run_ace(epub.path) == []


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_ACE, reason="DAISY Ace not installed (scripts/setup.sh)")
def test_ace_finds_no_violation_with_a_print_page_list(tmp_path, epoch):
    """The vertical edition and the Kobo edition take their page-list from the print edition: Ace's
    page-list rules (every marker listed, pageBreakSource) hold, and in the kepub Kobo's spans and
    wrapper divs break none of Ace's rules."""
    built = build_book(copy_sample(tmp_path / "book"), ["epub", "kepub"])
    assert built.code == 0, built.stdout
    epub, kepub = Epub(built.out / "epub.epub"), Epub(built.out / "kepub.kepub.epub")
    for opf in (epub.opf, kepub.opf):
        assert opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS) == [
            "衡陽四十七日（初版印刷版 print）"]
    # it is a kepub, with page markers inside Kobo's wrapper
    chapter = kepub.xml("EPUB/text/ch03.xhtml")
    assert chapter.xpath("//h:div[@id='book-inner']//h:span[@class='koboSpan']", namespaces=NS)
    assert chapter.xpath("//h:div[@id='book-inner']//h:span[@role='doc-pagebreak']", namespaces=NS)
    for path in (epub.path, kepub.path):
        assert validators.run_ace(path) == [], path.name
        assert epubcheck_problems(path) == [], path.name


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_ACE, reason="DAISY Ace not installed (scripts/setup.sh)")
@pytest.mark.parametrize("name", ["epub-book", "epub-chinese", "epub"])
def test_ace_finds_no_violation_in_the_variant_book(variant, name):
    """The variant: a cover image, a figure, notes = "book", 專名號 and wavy 書名號, an embedded font,
    Chinese numerals, a style sheet of the author's."""
    epub, _, _ = variant[name]
    assert validators.run_ace(epub.path) == []


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_ACE, reason="DAISY Ace not installed (scripts/setup.sh)")
def test_ace_finds_no_violation_in_the_stress_book(stress):
    """The generated stress book (scale 0.25: 5 long chapters, 500 notes, 50 sources, 75 glossary terms),
    vertical and horizontal: ≈ 20 s of Ace per EPUB."""
    assert [(path.name, validators.run_ace(path)) for path in stress] == [(path.name, []) for path in stress]


def test_latin_and_japanese_passages_carry_their_language(sample):
    epub, _, _ = sample["epub-horizontal"]
    marked: dict[str, set[str]] = {}
    for doc in epub.xhtml.values():
        for el in doc.iter():
            if el.get(XML_LANG) and el.get("lang") == el.get(XML_LANG) and el.tag != f"{{{NS['h']}}}html":
                marked.setdefault(el.get("lang"), set()).add("".join(el.itertext()))
    assert {"Claire Lee Chennault", "The Ichigō Offensive", "van de Ven"} <= marked["en"]
    assert "Ichi-Go" in marked["ja-Latn"]            # the author's own {lang=ja-Latn}
    assert "《一号作戦（2）湖南の会戦》" in marked["ja"]   # a Japanese title, as a whole
    # no Latin word is left in a Chinese context (a designation like B-29 may stay)
    for name, doc in epub.xhtml.items():
        for el in doc.iter(f"{{{NS['h']}}}p"):
            for text in [el.text or ""] + [kid.tail or "" for kid in el]:
                assert not re.search("[A-Za-z]{2,}", text), (name, text)


def test_package_declares_what_is_true(sample):
    for name in ("epub-horizontal", "epub-zh-hans"):
        epub, _, _ = sample[name]
        opf = epub.opf
        assert opf.get(XML_LANG) == opf.xpath("//dc:language/text()", namespaces=NS)[0]
        assert opf.xpath("//opf:meta[@property='dcterms:conformsTo']/text()", namespaces=NS) == [CONFORMS_TO]
        assert not opf.xpath("//opf:meta[@property='a11y:certifiedBy']", namespaces=NS)
        # every edition has a cover (the print cover's front, or one generated from the title), an image with its
        # alt text: visual content, and the text alone suffices
        assert opf.xpath("//opf:meta[@property='schema:accessMode']/text()", namespaces=NS) == ["textual", "visual"]
        assert "textual" in opf.xpath("//opf:meta[@property='schema:accessModeSufficient']/text()", namespaces=NS)
        imgs = [img for doc in epub.xhtml.values() for img in doc.iter(f"{{{NS['h']}}}img")]
        assert imgs and all(img.get("alt", "").strip() for img in imgs)
        summary = opf.xpath("//opf:meta[@property='schema:accessibilitySummary']", namespaces=NS)[0]
        assert summary.get(XML_LANG) == "zh-Hant" and "詞彙表" in summary.text and "索引" in summary.text
        assert not opf.xpath("//opf:meta[@property='pageBreakSource']", namespaces=NS)   # no page-list here
    for doc in sample["epub-horizontal"][0].xhtml.values():
        for th in doc.iter(f"{{{NS['h']}}}th"):
            assert th.get("scope") == "col"
