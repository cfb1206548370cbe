"""The Kobo edition (format = "kepub"): the sample book built as epub and as
kepub; the kepub is the same text with Kobo's span markup, EPUBCheck 0/0."""
from __future__ import annotations

import copy
import re
import shutil

import pytest
from lxml import etree

from bookbuild.config import parse_config
from bookbuild.render.epub.kobo import kobo_document, sentences
from helpers.epub import NS, build_sample_with, epubcheck_problems

H = "{http://www.w3.org/1999/xhtml}"
KOBO_EDITIONS = '''
[editions.kobo]
format = "kepub"
writing = "vertical"
embed_font = "fallback"

[editions.kobo-horizontal]
format = "kepub"
writing = "horizontal"
embed_font = "fallback"
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """name -> Epub for the sample's epub and epub-horizontal and their kepub twins."""
    return build_sample_with(tmp_path_factory.mktemp("kepub"), KOBO_EDITIONS,
                             ("epub", "kobo", "epub-horizontal", "kobo-horizontal"))


def test_kepub_is_written_as_name_kepub_epub(built):
    assert built["kobo"].path.name == "kobo.kepub.epub"
    assert built["epub"].path.name == "epub.epub"
    assert not (built["kobo"].path.parent / "kobo.epub").exists()


def _without_kobo_markup(root: etree._Element) -> etree._Element:
    """The document with the koboSpans and the two wrapper divs taken out."""
    root = copy.deepcopy(root)
    for span in root.xpath("//h:span[@class='koboSpan']", namespaces=NS):
        assert set(span.attrib.keys()) == {"class", "id"}
    for el in root.xpath("//h:span[@class='koboSpan'] | //h:div[@id='book-columns' or @id='book-inner']",
                         namespaces=NS):
        _unwrap(el)
    return root


def _unwrap(el: etree._Element) -> None:
    parent, index = el.getparent(), el.getparent().index(el)
    text, tail = el.text or "", el.tail or ""
    children = list(el)
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + text
    parent.remove(el)
    for i, child in enumerate(children):
        parent.insert(index + i, child)
    last = parent[index + len(children) - 1] if children else (parent[index - 1] if index else None)
    if last is None:
        parent.text = (parent.text or "") + tail
    else:
        last.tail = (last.tail or "") + tail


@pytest.mark.parametrize("pair", [("epub", "kobo"), ("epub-horizontal", "kobo-horizontal")])
def test_kepub_text_and_markup_equal_the_epub_once_the_spans_are_removed(built, pair):
    epub, kepub = built[pair[0]], built[pair[1]]
    docs = sorted(n for n in epub.files if n.endswith(".xhtml"))
    assert docs == sorted(n for n in kepub.files if n.endswith(".xhtml"))
    assert len(docs) >= 8
    for name in docs:
        plain, kobo = epub.xml(name), kepub.xml(name)
        assert "".join(kobo.itertext()) == "".join(plain.itertext()), name
        # (both through the same copy: lxml's c14n of a copied tree orders namespace nodes its own way)
        assert etree.tostring(_without_kobo_markup(kobo), method="c14n") == \
            etree.tostring(_without_kobo_markup(plain), method="c14n"), name


def test_every_text_of_a_content_document_is_in_a_kobo_span_with_kobos_id_scheme(built):
    kepub = built["kobo"]
    spans_seen = 0
    for name, root in kepub.xhtml.items():
        if name.endswith("nav.xhtml"):
            assert not root.xpath("//h:span[@class='koboSpan']", namespaces=NS)   # left as it is
            continue
        body = root.find(H + "body")
        assert [c.get("id") for c in body] == ["book-columns"]
        assert [c.get("id") for c in body[0]] == ["book-inner"]
        ids = [s.get("id") for s in root.xpath("//h:span[@class='koboSpan']", namespaces=NS)]
        spans_seen += len(ids)
        assert ids, name
        numbers = [tuple(map(int, re.fullmatch(r"kobo\.(\d+)\.(\d+)", i).groups())) for i in ids]
        # P counts blocks from 1 without gaps; S restarts at 1 and counts up inside each P
        assert numbers[0] == (1, 1), name
        for (p0, s0), (p1, s1) in zip(numbers, numbers[1:], strict=False):
            assert (p1, s1) in ((p0, s0 + 1), (p0 + 1, 1)), (name, p0, s0, p1, s1)
        # whitespace as Python (and kepubify) count it: U+3000 alone stays outside a span
        for node in (t for t in root.xpath("//h:body//text()", namespaces=NS) if t.strip()):
            owner = node.getparent() if node.is_text else node.getparent().getparent()
            inside = owner.xpath("ancestor-or-self::h:span[@class='koboSpan'] | ancestor-or-self::h:rt"
                                 " | ancestor-or-self::h:rp", namespaces=NS)
            assert inside, (name, str(node))
        for img in root.xpath("//h:img", namespaces=NS):
            parent = img.getparent()
            assert parent.get("class") == "koboSpan" and re.fullmatch(r"kobo\.\d+\.1", parent.get("id"))
    assert spans_seen > 500


def test_a_paragraph_is_cut_into_sentences(built):
    kepub = built["kobo"]
    para = next(p for p in kepub.xml("EPUB/text/ch02.xhtml").iter(H + "p")
                if "".join(p.itertext()).count("。") >= 3)
    spans = para.xpath(".//h:span[@class='koboSpan']", namespaces=NS)
    ends = [s for s in spans if (s.text or "").rstrip().endswith(("。", "！", "？", "」", "』", "）"))]
    assert len(ends) >= "".join(para.itertext()).count("。") - 1
    assert len({s.get("id").split(".")[1] for s in spans}) == 1      # one paragraph, one P


@pytest.mark.parametrize("text, pieces", [
    ("甲乙。丙丁！戊？", ["甲乙。", "丙丁！", "戊？"]),
    ("他說：「走吧。」我們就走了……然後", ["他說：「走吧。」", "我們就走了……", "然後"]),
    ("3.5 公里。Next one? yes", ["3.5 公里。", "Next one? ", "yes"]),
    ("沒有句號", ["沒有句號"]),
])
def test_sentences(text, pieces):
    assert sentences(text) == pieces
    assert "".join(sentences(text)) == text


def test_spans_around_text_tails_images_and_not_ruby_annotations():
    doc = ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
           '<section><h1>第一章</h1><p>甲。乙<a href="#n">1</a>丙。<img src="a.png" alt="圖"/>尾</p>'
           '<p><ruby>漢<rt>hàn</rt></ruby>字。</p></section></body></html>').encode()
    root = etree.fromstring(kobo_document(doc))
    spans = [(s.get("id"), "".join(s.itertext()), s.find(H + "img") is not None)
             for s in root.iter(H + "span")]
    assert spans == [("kobo.1.1", "第一章", False), ("kobo.2.1", "甲。", False), ("kobo.2.2", "乙", False),
                     ("kobo.2.3", "1", False), ("kobo.2.4", "丙。", False), ("kobo.3.1", "", True),
                     ("kobo.4.1", "尾", False), ("kobo.5.1", "漢", False), ("kobo.5.2", "字。", False)]
    assert root.find(f".//{H}rt").text == "hàn"


def test_kepub_passes_epubcheck(built):
    assert shutil.which("java"), "EPUBCheck needs Java"
    for name in ("kobo", "kobo-horizontal"):
        assert epubcheck_problems(built[name].path) == [], name


BASE = '[book]\ntitle = "t"\nauthors = ["a"]\nidentifier = "urn:uuid:x"\nchapters = ["a.md"]\n'


def test_config_accepts_kepub_with_the_epub_keys_only():
    cfg, diags = parse_config(BASE + '[editions.k]\nformat = "kepub"\nembed_font = true\npage_source = "p"\n')
    assert diags == [] and cfg.edition("k").is_epub and cfg.edition("k").output_file == "k.kepub.epub"
    _, diags = parse_config(BASE + '[editions.k]\nformat = "kepub"\nchars_per_column = 30\n')
    assert [(d.code, d.line) for d in diags] == [("BB502", 8)] and "pdf editions" in diags[0].hint
    _, diags = parse_config(BASE + '[editions.k]\nformat = "kepub"\nnotes = "page"\n')
    assert [(d.code, d.line) for d in diags] == [("BB502", 8)]


def test_an_unknown_format_is_still_bb502():
    _, diags = parse_config(BASE + '[editions.k]\nformat = "mobi"\n')
    assert [(d.code, d.line, d.col) for d in diags] == [("BB502", 7, 1)]
    assert '"kepub"' in diags[0].message
