"""EPUB editions (issue 4, VT-32..35) checked on the real output of the sample
book, a variant of it (cover, image, book notes, embedded font, type-A
titles, 專名號, Chinese numerals), and the stress book."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import tinycss2

from bookbuild.charclass import TCY_RE, is_han_context
from helpers.epub import NS, Epub, epubcheck_problems

# ------------------------------------------------------------------ validity

def test_epubcheck_clean_everywhere(sample, variant, stress):
    """Issue 4 item 1: 0 fatals, 0 errors, 0 warnings on every EPUB."""
    paths = [e.path for e, _, _ in sample.values()] + [e.path for e, _, _ in variant.values()] + stress
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = dict(zip(paths, pool.map(epubcheck_problems, paths)))
    assert {p.name: r for p, r in reports.items() if r} == {}


# ---------------------------------------------------------------- VT-32 / 33

@pytest.mark.parametrize("name,direction", [("epub", "rtl"), ("epub-horizontal", "ltr")])
def test_package_language_and_spine_direction(sample, name, direction):
    epub, book, ed = sample[name]
    assert epub.opf.xpath("//dc:language/text()", namespaces=NS) == [ed.language]
    assert epub.opf.xpath("//opf:spine/@page-progression-direction", namespaces=NS) == [direction]
    for doc_name, doc in epub.xhtml.items():
        assert doc.get("lang") == ed.language == doc.get("{http://www.w3.org/XML/1998/namespace}lang"), doc_name


def test_simplified_edition_language(sample):
    if "epub-zh-hans" not in sample:
        pytest.skip("the sample book has no zh-Hans epub edition")
    epub, book, ed = sample["epub-zh-hans"]
    assert epub.opf.xpath("//dc:language/text()", namespaces=NS) == ["zh-Hans-CN"]
    assert "衡阳" in epub.text("EPUB/text/ch03.xhtml") and "衡陽" not in epub.text("EPUB/text/ch03.xhtml")


def _rules(css: str):
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            decls = [d for d in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                                skip_whitespace=True)
                     if d.type == "declaration"]
            yield tinycss2.serialize(rule.prelude).strip(), decls


def _decl_text(decls) -> dict[str, str]:
    return {d.lower_name: tinycss2.serialize(d.value).strip() for d in decls}


def test_writing_mode_css(sample):
    """VT-33: the three declarations, in this order, on html; horizontal differs."""
    for name, mode in (("epub", "vertical-rl"), ("epub-horizontal", "horizontal-tb")):
        epub = sample[name][0]
        sheets = epub.css()
        roots = [decls for css in sheets.values() for sel, decls in _rules(css) if sel == "html"
                 and any(d.lower_name.endswith("writing-mode") for d in decls)]
        assert len(roots) == 1, name
        names = [d.lower_name for d in roots[0] if d.lower_name.endswith("writing-mode")]
        assert names == ["-epub-writing-mode", "-webkit-writing-mode", "writing-mode"]
        assert {_decl_text(roots[0]).get(n) for n in names} == {mode}
        for doc_name, doc in epub.xhtml.items():   # every document links that stylesheet
            links = doc.xpath("//h:link/@href", namespaces=NS)
            assert any(h.endswith(f"epub-{sample[name][2].writing}.css") for h in links), doc_name


def test_no_direction_or_bidi_and_no_vertical_forms(sample, variant):
    """VT-33: not in bookbuild's CSS, not in the book's own CSS (the variant
    has direction/unicode-bidi in styles/all.css), not in style attributes."""
    for epub, _, _ in list(sample.values()) + list(variant.values()):
        for name, css in epub.css().items():
            for _, decls in _rules(css):
                assert not {"direction", "unicode-bidi"} & {d.lower_name for d in decls}, name
        for name, doc in epub.xhtml.items():
            for style in doc.xpath("//@style"):
                assert not re.search(r"(direction|unicode-bidi)\s*:", style), name
            text = "".join(doc.itertext())
            assert not re.search("[\ufe10-\ufe1f\ufe30-\ufe4f]", text), name
    assert "color: #111" in variant["epub"][0].css()["EPUB/css/book-all.css"]


# ----------------------------------------------------------------------- VT-34

def _body_docs(epub: Epub):
    return {n: d for n, d in epub.xhtml.items() if re.search(r"/ch\d+\.xhtml$", n)}


def test_tcy_spans_and_rule(sample):
    epub = sample["epub"][0]
    tcy = [s for d in _body_docs(epub).values() for s in d.xpath("//h:span[@class='tcy']", namespaces=NS)]
    assert len(tcy) > 50
    assert all(re.fullmatch(r"[0-9]{1,3}", s.text or "") and len(s) == 0 for s in tcy)
    rules = {sel: _decl_text(decls) for css in epub.css().values() for sel, decls in _rules(css)}
    assert rules[".tcy"] == {"-webkit-text-combine": "horizontal", "-epub-text-combine": "horizontal",
                             "-epub-text-combine-horizontal": "all", "text-combine-upright": "all"}
    assert {"-webkit-text-orientation", "-epub-text-orientation", "text-orientation"} <= set(rules[".upright"])
    horizontal = sample["epub-horizontal"][0]
    assert not any(d.xpath("//h:span[@class='tcy']", namespaces=NS) for d in horizontal.xhtml.values())


def _bare_tcy_in_cjk(doc) -> list[str]:
    """Digits of a tcy run in CJK context that are not inside a tcy span."""
    found = []
    for el in doc.iter():
        if el.tag.endswith("}span") and el.get("class") == "tcy":
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if not text or owner is None or any(
                    (a.get("class") or "") in ("tcy", "citation") or a.get("lang", "zh").startswith("en")
                    for a in [owner] + list(owner.iterancestors())):
                continue
            for mt in TCY_RE.finditer(text):
                left = text[:mt.start()].rstrip()[-1:]
                right = text[mt.end():].lstrip()[:1]
                if (left and is_han_context(left)) or (right and is_han_context(right)):
                    found.append(text[max(0, mt.start() - 5):mt.end() + 5])
    return found


def test_no_bare_tcy_run_in_cjk_context(sample):
    epub = sample["epub"][0]
    for name, doc in _body_docs(epub).items():
        assert _bare_tcy_in_cjk(doc.find("h:body", NS)) == [], name


def test_mark_rules(sample):
    rules = {sel: _decl_text(decls) for css in sample["epub"][0].css().values() for sel, decls in _rules(css)}
    pn, em, wavy = rules[".pn"], rules["em.em-dot"], rules[".title-a"]
    assert pn["text-decoration"] == "underline" and pn["text-underline-position"] == "left"
    for prefix in ("-webkit-", "-epub-", ""):
        assert em[f"{prefix}text-emphasis"] == "filled dot"
        assert em[f"{prefix}text-emphasis-position"] == "under right"
    assert "wavy" in wavy["text-decoration"] and wavy["text-underline-position"] == "left"
    assert float(rules[".aside"]["font-size"].rstrip("em")) < 1


def test_inline_marks_in_the_text(sample, variant):
    epub, book, ed = sample["epub"]
    docs = _body_docs(epub)
    asides = [s for d in docs.values() for s in d.xpath("//h:span[@class='aside']", namespaces=NS)]
    assert asides and all("".join(a.itertext()).startswith("（") and "".join(a.itertext()).endswith("）")
                          for a in asides)
    titles = [c for d in docs.values() for c in d.xpath("//h:cite[@class='title']", namespaces=NS)]
    texts = ["".join(c.itertext()) for c in titles]
    assert titles and all(t[0] in "《〈" and t[-1] in "》〉" for t in texts)
    assert not any("《《" in t or "〈〈" in t or "》》" in t for t in texts)
    assert any(t.startswith("〈") for t in texts), "kind=article titles take 〈〉"
    names = [s for d in docs.values() for s in d.xpath("//h:span[contains(@class,'name')]", namespaces=NS)]
    assert names and all(s.get("class") == "name" for s in names)     # name_marks off by default
    assert any(d.xpath("//h:em[@class='em-dot']", namespaces=NS) for d in docs.values())
    vdocs = _body_docs(variant["epub-book"][0])
    vnames = [s for d in vdocs.values() for s in d.xpath("//h:span[contains(@class,'name')]", namespaces=NS)]
    assert vnames and all(s.get("class") == "name pn" for s in vnames)
    wavy = [c for d in vdocs.values() for c in d.xpath("//h:cite", namespaces=NS)]
    assert wavy and all(c.get("class") == "title title-a" and "".join(c.itertext())[:1] not in "《〈"
                        for c in wavy)
    vasides = [s for d in vdocs.values() for s in d.xpath("//h:span[@class='aside']", namespaces=NS)]
    assert vasides and all("".join(a.itertext())[0] == "〔" for a in vasides)


def test_chinese_numerals_edition(variant):
    epub = variant["epub-chinese"][0]
    docs = _body_docs(epub)
    assert not any(d.xpath("//h:span[@class='tcy']", namespaces=NS) for d in docs.values())
    text = "".join("".join(d.find("h:body/h:section", NS).itertext()) for d in docs.values())
    assert "一九四四年" in text and "1944年" not in text
    calls = [a for d in docs.values() for a in d.xpath("//h:a[@epub:type='noteref']", namespaces=NS)]
    assert calls and all(re.fullmatch("[〇零一二三四五六七八九十百千]+", "".join(a.itertext())) for a in calls)


# ------------------------------------------------------------ vertical runs

def _runs(text, **kw):
    from bookbuild.render.epub.text import runs
    from bookbuild.transform.edition_text import EditionText
    edition = EditionText(**{"vertical": True, "numerals": "tcy", "long_numbers": "sideways", **kw})
    return [(r.text, r.kind) for r in runs(text, edition) if r.kind]


@pytest.mark.parametrize("text,kw,expected", [
    ("1944年8月7日", {}, [("8", "tcy"), ("7", "tcy")]),
    ("約1.7萬人、B-29、10:30、1/12", {}, []),
    ("第10軍3個師", {}, [("10", "tcy"), ("3", "tcy")]),
    ("1944年8月", {"long_numbers": "upright"}, [("1944", "upright"), ("8", "tcy")]),
    ("1944年8月", {"numerals": "upright"}, [("1944", "upright"), ("8", "upright")]),
    ("1944年8月", {"numerals": "sideways"}, []),
    ("美國 USA 與 AB 軍，U.S. Army", {}, [("USA", "upright"), ("AB", "upright")]),
    ("Smith 2001, p. 45.", {}, []),
    ("7", {}, [("7", "tcy")]),            # a note number: no neighbours, CJK context
    ("1944年8月", {"vertical": False}, []),
])
def test_vertical_runs(text, kw, expected):
    assert _runs(text, **kw) == expected
