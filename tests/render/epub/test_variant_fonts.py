"""Variation sequences whose variant only a fallback font has, in the EPUB
(docs/FORMAT.md "Font chains", render/epub/variants.py).

葛+U+E0100: Noto Serif CJK TC (the primary) has the plain 葛 and no such
sequence, HanaMinA lists it in its cmap format 14. A reading system picks a
font per character, so the sequence must sit in a span whose class rule puts
HanaMinA (its embedded subset, or the family by name) first. Checked on a
small book built by `bookbuild build` in three editions — embed_font = true,
a kepub with "fallback", and one that embeds nothing — by following the
span's class to its CSS rule, the rule's first family to its @font-face, and
that file's cmap 14 to the variant glyph; EPUBCheck 0/0.
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from bookbuild.fonts import find_font
from helpers.books import make_book
from helpers.epub import NS, epubcheck_problems
from helpers.outputs import build_book

BASE, VS = 0x845B, 0xE0100
SEQ = chr(BASE) + chr(VS)                     # 葛󠄀: only HanaMinA has the variant
SELECTOR = re.compile(".[\uFE00-\uFE0F\U000E0100-\U000E01EF]")


def _uvs(family: str) -> dict[tuple[int, int], str | None]:
    ref = find_font(family)
    font = TTFont(str(ref.path), fontNumber=ref.index, lazy=True)
    try:
        table = font["cmap"].getcmap(0, 5)
        return {(b, vs): g for vs, entries in table.uvsDict.items() for b, g in entries} if table else {}
    finally:
        font.close()


@pytest.fixture(scope="module")
def own_seq() -> str:
    """A sequence the primary font lists itself: it needs no span."""
    noto = _uvs("Noto Serif CJK TC")
    assert (BASE, VS) not in noto and (BASE, VS) in _uvs("HanaMinA")
    base, vs = min(noto)
    return chr(base) + chr(vs)


TOML = """[book]
title = "異體字測試"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504031617"
chapters = ["manuscript/01.md"]

[editions.epub]
format = "epub"
embed_font = true

[editions.kepub]
format = "kepub"
embed_font = "fallback"

[editions.epub-named]
format = "epub"
writing = "horizontal"
"""


@pytest.fixture(scope="module")
def built(own_seq, tmp_path_factory):
    chapter = (f"# {SEQ}城\n\n國{SEQ}國葛國{own_seq}國{SEQ}{SEQ}國。\n\n"
               f"東京の{SEQ}飾區，舊稱{SEQ}西。\n")
    root = make_book(tmp_path_factory.mktemp("ivs") / "book",
                     {"book.toml": TOML, "manuscript/01.md": chapter}, base={})
    out = build_book(root, ["epub", "kepub", "epub-named"])
    assert out.code == 0, out.stdout
    return out, chapter


def _open(out, name: str):
    path = out.out / (f"{name}.kepub.epub" if name == "kepub" else f"{name}.epub")
    return path, zipfile.ZipFile(path)


def _rule_families(css: str, selector: str) -> list[str]:
    m = re.search(re.escape(selector) + r" \{ font-family: ([^;]+);", css)
    assert m, selector
    return re.findall(r'"([^"]+)"', m.group(1))


def _faces(css: str) -> dict[str, str]:
    """@font-face family -> package file."""
    return {f: "EPUB/" + u for f, u in
            re.findall(r'@font-face \{\s*font-family: "([^"]+)";\s*src: url\("\.\./([^"]+)"\);', css)}


@pytest.mark.parametrize("name", ["epub", "kepub"])
def test_each_sequence_is_in_a_span_drawn_from_the_font_that_has_it(built, own_seq, name):
    out, chapter = built
    path, z = _open(out, name)
    with z:
        doc = etree.fromstring(z.read("EPUB/text/ch01.xhtml"))
        css = z.read("EPUB/css/font.css").decode()
        body = doc.find("h:body", NS)
        spans = body.xpath(".//h:span[starts-with(@class, 'vs-font-')]", namespaces=NS)
        # around exactly the sequence, every one of them in the body (heading, Japanese passage too)
        assert ["".join(s.itertext()) for s in spans] == [SEQ] * chapter.count(SEQ)
        assert "".join(body.itertext()).replace("\n", "").count(SEQ) == chapter.count(SEQ)
        outside = [t for t in body.xpath(".//text()[not(ancestor::h:span[starts-with(@class, 'vs-font-')])]",
                                         namespaces=NS) if SELECTOR.search(t)]
        assert [SELECTOR.search(t).group(0) for t in outside] == [own_seq], "the primary's own is left as it is"
        assert body.xpath(".//h:span[@lang='ja']//h:span[starts-with(@class, 'vs-font-')]", namespaces=NS)
        # the class rule's first family is an embedded face whose cmap 14 maps the sequence to
        # a glyph that is not the base's default one
        first = _rule_families(css, "." + spans[0].get("class"))[0]
        font = TTFont(io.BytesIO(z.read(_faces(css)[first])))
        variant = font["cmap"].getcmap(0, 5).uvsDict[VS]
        glyph = dict(variant)[BASE]
        assert glyph is not None and glyph != font.getBestCmap()[BASE]
        assert font.getGlyphOrder().index(glyph) > 0               # not .notdef
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        links = [a for a in nav.xpath("//h:a", namespaces=NS) if SEQ in "".join(a.itertext())]
        assert links and all([s.text for s in a.xpath("h:span[starts-with(@class, 'vs-font-')]", namespaces=NS)]
                             == [SEQ] for a in links)
    assert epubcheck_problems(path) == []


def test_the_variant_face_does_not_take_the_plain_base(built):
    """The face the sequences' spans name is declared apart from the fallback
    faces of the html stack: a plain 葛 elsewhere still comes from the primary."""
    out, _ = built
    _, z = _open(out, "epub")
    with z:
        css = z.read("EPUB/css/font.css").decode()
    stack = _rule_families(css, "html")
    assert stack[:2] == ["bookbuild-embedded", "Noto Serif CJK TC"]
    variant = next(f for f in _faces(css) if f.startswith("bookbuild-variants-"))
    assert variant not in stack
    assert not re.search(rf'"{variant}";\s*src: url\("[^"]+"\);\s*unicode-range', css)


def test_without_embedding_the_rule_names_the_family_and_build_warns(built):
    out, _ = built
    _, z = _open(out, "epub-named")
    with z:
        css = z.read("EPUB/css/font.css").decode()
        assert not [n for n in z.namelist() if n.startswith("EPUB/fonts/")]
        doc = etree.fromstring(z.read("EPUB/text/ch01.xhtml"))
    cls = doc.xpath("//h:span[starts-with(@class, 'vs-font-')]/@class", namespaces=NS)[0]
    assert _rule_families(css, "." + cls)[:2] == ["HanaMinA", "Noto Serif CJK TC"]
    assert re.search(rf"BB408 .*HanaMinA: {SEQ}", out.stdout), out.stdout


def test_the_sample_books_afterword(sample):
    """The sample's 葛󠄀 (manuscript/99-afterword.md) in each epub edition
    (embed_font = "fallback"): in its span, drawn from an embedded face that maps it."""
    for name, (epub, _, _) in sample.items():
        css = epub.css()["EPUB/css/font.css"]
        found = 0
        for doc_name, doc in epub.xhtml.items():
            for span in doc.xpath("//h:body//h:span[starts-with(@class, 'vs-font-')]", namespaces=NS):
                assert span.text == SEQ, (name, doc_name)
                first = _rule_families(css, "." + span.get("class"))[0]
                font = TTFont(io.BytesIO(epub.files[_faces(css)[first]]))
                assert dict(font["cmap"].getcmap(0, 5).uvsDict[VS])[BASE] not in (None, font.getBestCmap()[BASE])
                found += 1
            text = "".join(doc.xpath("//h:body//text()[not(ancestor::h:span[starts-with(@class, 'vs-font-')])]",
                                     namespaces=NS))
            assert SEQ not in text, (name, doc_name)
        assert found >= 1, name
