"""EPUB notes (VT-35), glossary, bibliography, nav, metadata, font embedding,
reproducibility and the post-write verification, on the real output."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest

from bookbuild import model as m
from bookbuild.render.epub import build as build_epub
from bookbuild.transform.build_data import prepare
from bookbuild.transform.notes import number_notes
from bookbuild.verify.epub import verify_epub
from helpers.books import REPO
from helpers.epub import EPOCH, EPUB_TYPE, NS, build, load

XML_ID = re.compile(r"/ch\d+\.xhtml$")


def _resolve(name: str, href: str) -> tuple[str, str]:
    import posixpath
    target, _, frag = href.partition("#")
    return (posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name), frag


# ----------------------------------------------------------------------- VT-35

NOTE_ITEM = "//h:section[@epub:type='endnotes' or ancestor::h:section[@epub:type='endnotes']]/h:ol/h:li"


@pytest.mark.parametrize("which", ["sample", "variant"])
def test_noterefs_resolve_and_backlinks_return(which, sample, variant):
    """Every call of a note has an id; each note links back to every call (a b c)."""
    epub, book, ed = (sample["epub"] if which == "sample" else variant["epub-book"])
    notes = {}      # (file, id) -> where its back-links point
    for name, doc in epub.xhtml.items():
        assert not doc.xpath("//h:aside", namespaces=NS), "asides are hidden by Apple Books and Readium"
        for li in doc.xpath(NOTE_ITEM, namespaces=NS):
            assert li.get(EPUB_TYPE) == "endnote"
            back = li.xpath(".//h:a[@role='doc-backlink']", namespaces=NS)
            assert back
            notes[(name, li.get("id"))] = {_resolve(name, a.get("href")) for a in back}
    calls: dict = {}
    for name, doc in epub.xhtml.items():
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        for a in doc.xpath("//h:a[@epub:type='noteref' or contains(@class,'again')]", namespaces=NS):
            if a.get(EPUB_TYPE) == "noteref":
                assert a.getparent().tag.endswith("}sup")
            key = _resolve(name, a.get("href"))
            assert key in notes, (name, a.get("href"))
            assert a.get("id"), (name, a.get("href"))
            calls.setdefault(key, set()).add((name, a.get("id")))
    assert calls == notes
    numbers = number_notes(book)
    assert len(notes) == len(numbers.numbers) > 0
    multi = [k for k, v in notes.items() if len(v) > 1]
    assert multi or which == "variant", "the sample has .again references"
    for key in multi:       # several calls: the number is plain, the links read a b c
        li = epub.xml(key[0]).xpath(f"//h:li[@id='{key[1]}']", namespaces=NS)[0]
        labels = [a.text for a in li.xpath(".//h:span[@class='backlinks']/h:a", namespaces=NS)]
        assert labels == list("abcdefghijklmnopqrstuvwxyz"[:len(notes[key])])


def test_chapter_notes_sit_at_the_chapter_end_and_restart(sample):
    epub, book, _ = sample["epub"]
    numbers = number_notes(book)
    for ch in book.chapters:
        doc = epub.xml(f"EPUB/text/{ch.id}.xhtml")
        items = doc.xpath("//h:body/h:section[@class='notes'][@epub:type='endnotes'][@role='doc-endnotes']"
                          "/h:ol/h:li", namespaces=NS)
        expected = numbers.by_chapter.get(ch.index, [])
        assert [a.get("id") for a in items] == [f"fn-{ch.index + 1}-{n}" for n in range(1, len(expected) + 1)]
        calls = doc.xpath("//h:a[@epub:type='noteref' and not(contains(@class,'again'))]", namespaces=NS)
        assert ["".join(a.itertext()) for a in calls] == [str(n) for n in range(1, len(expected) + 1)]
        assert all(a.get("href") == "#" + a.get("id").replace("nr-", "fn-") for a in calls)
        body = doc.find("h:body", NS)
        assert body[-1].get("class") == "notes" or not expected     # after the text


def test_book_notes_go_to_notes_xhtml(variant):
    epub, book, ed = variant["epub-book"]
    assert ed.notes == "book" and book.config.note_numbering == "book"
    notes = epub.xml("EPUB/text/notes.xhtml")
    ids = notes.xpath("//h:section[@epub:type='endnotes']//h:li[@epub:type='endnote']/@id", namespaces=NS)
    assert ids == [f"fn-{n}" for n in range(1, len(ids) + 1)] and ids
    for name, doc in epub.xhtml.items():
        if XML_ID.search(name):
            assert not doc.xpath("//h:li[@epub:type='endnote']", namespaces=NS)
            for a in doc.xpath("//h:a[@epub:type='noteref']", namespaces=NS):
                assert re.fullmatch(r"notes\.xhtml#fn-\d+", a.get("href"))
    assert "EPUB/text/notes.xhtml" in epub.spine()


def test_again_references(sample):
    epub, book, _ = sample["epub"]
    numbers = number_notes(book)
    same = cross = 0
    for ch in book.chapters:
        doc = epub.xml(f"EPUB/text/{ch.id}.xhtml")
        for ref in (n for n in m.walk_blocks_inlines(ch.blocks) if isinstance(n, m.NoteRef) and n.again):
            home = numbers.chapter_of(ref.id)
            target = f"fn-{home + 1}-{numbers.number(ref.id)}"
            links = [a for a in doc.xpath("//h:a[contains(@class,'again')]", namespaces=NS)
                     if a.get("href").endswith("#" + target)]
            assert links, (ch.file, ref.id)
            if home == ch.index:
                same += 1
                assert links[0].get(EPUB_TYPE) == "noteref" and "".join(links[0].itertext()) == str(
                    numbers.number(ref.id))
            else:
                cross += 1
                text = "".join(links[0].itertext())
                assert re.fullmatch(r"見第[一二三四五六七八九十]+章注\d+", text), text
                assert text.endswith(f"注{numbers.number(ref.id)}")
    assert same + cross > 0


# ------------------------------------------------------- glossary, bibliography

def test_glossary(sample):
    epub, book, _ = sample["epub"]
    doc = epub.xml("EPUB/text/glossary.xhtml")
    assert doc.xpath("//h:h1/text()", namespaces=NS) == ["詞彙表"]
    # epub:type and its ARIA role together on the section (Ace: epub-type-has-matching-role)
    dl = doc.xpath("//h:section[@epub:type='glossary'][@role='doc-glossary']/h:dl", namespaces=NS)
    assert len(dl) == 1
    dts = dl[0].xpath("h:dt[@epub:type='glossterm']", namespaces=NS)
    dds = dl[0].xpath("h:dd[@epub:type='glossdef']", namespaces=NS)
    assert len(dts) == len(dds) == len(book.terms)
    assert sorted("".join(dt.find("h:dfn", NS).itertext()) for dt in dts) == sorted(
        t.term for t in book.terms.values())
    entries = {dt.get("id") for dt in dts}
    links = 0
    for name, d in epub.xhtml.items():
        for a in d.xpath("//h:a[@class='term']", namespaces=NS):
            file, frag = _resolve(name, a.get("href"))
            assert file == "EPUB/text/glossary.xhtml" and frag in entries
            assert a.get(EPUB_TYPE) == "glossref" and a.get("role") == "doc-glossref"
            links += 1
    assert links >= len(book.terms)


def test_bibliography_groups_and_cited_works(sample):
    epub, book, _ = sample["epub"]
    doc = epub.xml("EPUB/text/bibliography.xhtml")
    assert doc.xpath("//h:h1/text()", namespaces=NS) == ["參考書目"]
    groups = doc.xpath("//h:section/h:section/h:h2/text()", namespaces=NS)
    assert groups == [g for g in ("中文", "日文", "西文") if g in groups] and len(groups) == 3
    cited = {it.key for note in book.notes.values() for n in m.walk_blocks_inlines(note.blocks)
             if isinstance(n, m.Citation) for it in n.items}
    items = doc.xpath("//h:li[@epub:type='biblioentry']", namespaces=NS)
    assert len(items) == len(cited)
    text = "".join(doc.itertext()).replace("\u2019", "'")   # Pandoc's smart apostrophe
    for key in cited:
        assert str(book.sources[key].csl["title"]) in text
    assert all(("".join(li.itertext()))[:1].strip() for li in items)    # no stray leading space
    western = doc.xpath("//h:section[h:h2='西文']//h:li", namespaces=NS)
    assert western and all(li.get("lang", "").startswith("en") for li in western)


def test_every_locator_appears(sample):
    epub, book, _ = sample["epub"]
    text = re.sub(r"\s", "", "".join(epub.text(n) for n in epub.files if n.endswith(".xhtml")))
    locators = {it.locator for note in book.notes.values() for n in m.walk_blocks_inlines(note.blocks)
                if isinstance(n, m.Citation) for it in n.items if it.locator}
    assert locators
    assert [loc for loc in locators if re.sub(r"\s", "", loc) not in text] == []


# --------------------------------------------------------------- nav, package

def test_nav_toc_and_landmarks(sample):
    epub, book, _ = sample["epub"]
    nav_items = epub.opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS)
    assert nav_items == ["nav.xhtml"]
    nav = epub.xml("EPUB/nav.xhtml")
    toc = nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li/h:a", namespaces=NS)
    hrefs = [a.get("href") for a in toc]
    chapters = [h for h in hrefs if re.fullmatch(r"text/ch\d+\.xhtml", h)]
    assert chapters == [f"text/{ch.id}.xhtml" for ch in book.chapters]
    assert "text/glossary.xhtml" in hrefs and "text/bibliography.xhtml" in hrefs
    body_titles = ["".join(a.itertext()) for a in toc if a.get("href") == "text/ch02.xhtml"]
    assert body_titles[0].startswith("第一章")
    marks = {a.get(EPUB_TYPE): a.get("href") for a in
             nav.xpath("//h:nav[@epub:type='landmarks']//h:a", namespaces=NS)}
    assert {"toc", "bodymatter", "glossary", "bibliography", "titlepage"} <= set(marks)
    assert marks["bodymatter"] == f"text/{next(c for c in book.chapters if c.kind == 'body').id}.xhtml"
    spine = epub.spine()
    assert [s for s in spine if XML_ID.search(s)] == [f"EPUB/text/{ch.id}.xhtml" for ch in book.chapters]


def test_metadata(sample):
    epub, book, ed = sample["epub"]
    opf = epub.opf
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS)
    stamp = datetime.fromtimestamp(int(EPOCH), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert modified == [stamp]
    uid = opf.get("unique-identifier")
    assert opf.xpath(f"//dc:identifier[@id='{uid}']/text()", namespaces=NS) == [book.config.identifier]
    assert opf.xpath("//dc:title/text()", namespaces=NS) == [book.config.title]
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == list(book.config.authors)
    props = opf.xpath("//opf:meta/@property", namespaces=NS)
    for p in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
              "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert p in props
    assert opf.xpath("//opf:meta[@property='schema:accessibilitySummary']/text()", namespaces=NS)[0].strip()


def test_cover_and_images(variant):
    epub, book, _ = variant["epub"]
    cover = epub.opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    assert len(cover) == 1 and cover[0].get("media-type") == "image/png"
    assert epub.files["EPUB/" + cover[0].get("href")][:8] == b"\x89PNG\r\n\x1a\n"
    assert epub.spine()[0] == "EPUB/text/cover.xhtml"
    imgs = [(n, i) for n, d in epub.xhtml.items() for i in d.xpath("//h:img", namespaces=NS)]
    chapter_imgs = [i for n, i in imgs if XML_ID.search(n)]
    # the sample's map and timeline (their alt= attributes), and the variant's figure (its caption)
    alts = [i.get("alt") for i in chapter_imgs]
    starts = ("衡陽守城示意圖", "圍城時序圖", "衡陽城區略圖")
    assert len(alts) == 3 and "衡陽城區略圖" in alts and all(a.startswith(starts) for a in alts), alts
    assert "alternativeText" in epub.opf.xpath(
        "//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)


def test_embedded_font_is_a_subset_covering_the_text(variant):
    from fontTools.ttLib import TTFont

    from bookbuild.fontchain import is_selector
    epub, book, _ = variant["epub-book"]
    item = epub.opf.xpath("//opf:item[@href='fonts/embedded.otf']", namespaces=NS)
    assert item and item[0].get("media-type") == "font/otf"
    assert "@font-face" in epub.css()["EPUB/css/font.css"]
    font = TTFont(io.BytesIO(epub.files["EPUB/fonts/embedded.otf"]))
    cmap = font.getBestCmap()
    # the primary's subset with the fallback subsets (the afterword's Ext. B–F
    # characters) cover the text; variation selectors have no glyph of their own
    covered = set(cmap).union(*(TTFont(io.BytesIO(data)).getBestCmap() for n, data in epub.files.items()
                                if n.startswith("EPUB/fonts/fallback-")))
    used = {c for n in epub.files if n.endswith(".xhtml") for c in epub.text(n)
            if not c.isspace() and not is_selector(c)}
    assert {c for c in used if ord(c) not in covered} == set()
    assert {c for c in used if ord(c) not in cmap} == {"𪜶", "𠢕", "𤺪", "𬦰", "𫝛"}
    assert len(cmap) < 4000 and len(epub.files["EPUB/fonts/embedded.otf"]) < 3_000_000
    assert "vert" in {fr.FeatureTag for fr in font["GSUB"].table.FeatureList.FeatureRecord}


# ------------------------------------------------------------ reproducibility

def test_byte_identical_rebuild_and_canonical_zip(sample, tmp_path, monkeypatch):
    epub, book, ed = sample["epub"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = tmp_path / "again.epub"
    build(load(REPO), ed, again)
    assert again.read_bytes() == epub.path.read_bytes()
    infos = epub.infos
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    when = datetime.fromtimestamp(int(EPOCH), tz=UTC).timetuple()[:6]
    assert {i.date_time for i in infos} == {when}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    later = tmp_path / "later.epub"
    build(load(REPO), ed, later)
    assert later.read_bytes() != epub.path.read_bytes()


# ---------------------------------------------------------------- verification

def _rewrite(src: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", files.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sub(name, old, new):
    def change(files):
        assert old in files[name]
        files[name] = files[name].replace(old, new, 1)
    return change


@pytest.mark.parametrize("change,expected", [
    (_sub("EPUB/text/ch03.xhtml", b'<body epub:type="bodymatter">', b'<body epub:type="bodymatter"></body><x>'),
     "does not parse"),
    (lambda f: f.__setitem__("EPUB/text/ch03.xhtml", re.sub(rb"<body(.*)</body>", rb"<body></body>",
                                                           f["EPUB/text/ch03.xhtml"], flags=re.S)),
     "empty body"),
    (_sub("EPUB/text/ch03.xhtml", b'href="#fn-3-1"', b'href="#fn-3-999"'), "does not reach a note"),
    (_sub("EPUB/text/ch03.xhtml", b'<ol class="notes-list">',     # a note nothing calls
          b'<ol class="notes-list"><li epub:type="endnote" id="fn-3-999"><p>x</p></li>'), "never called"),
    (lambda f: f.__setitem__("EPUB/text/ch03.xhtml", re.sub(   # a note's b back-link gone
        rb'<a role="doc-backlink" href="[^"]*-r2">b</a>', b"", f["EPUB/text/ch03.xhtml"], count=1)),
     "miss its calls"),
    (lambda f: f.__setitem__("EPUB/text/ch03.xhtml", re.sub(   # a .again call without its id
        rb'(class="again") id="nr-[0-9-]+-r2"', rb"\1", f["EPUB/text/ch03.xhtml"], count=1)),
     "has no id"),
    (_sub("EPUB/content.opf", b'<itemref idref="ch03"/>\n    <itemref idref="ch04"/>',
          b'<itemref idref="ch04"/>\n    <itemref idref="ch03"/>'), "spine order"),
])
def test_verification_catches_broken_packages(sample, tmp_path, change, expected):
    epub, book, _ = sample["epub"]
    assert verify_epub(epub.path, book) == []
    broken = tmp_path / "broken.epub"
    broken.write_bytes(_rewrite(epub.path.read_bytes(), change))
    problems = verify_epub(broken, book)
    assert any(expected in p for p in problems), problems


def test_unwritable_output_is_bb601(sample, tmp_path):
    epub, book, ed = sample["epub"]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    diags = build_epub(book, ed, blocker, prepare(book), tmp_path / "cache")
    assert {d.code for d in diags} == {"BB601"} and f"{ed.name}.epub" in diags[0].message


def test_failed_verification_keeps_the_previous_file(sample, tmp_path, monkeypatch):
    epub, book, ed = sample["epub"]
    target = tmp_path / f"{ed.name}.epub"
    target.write_bytes(b"previous good output")
    import bookbuild.render.epub as epub_mod
    monkeypatch.setattr(epub_mod, "verify_epub", lambda path, b: ["ch01.xhtml has an empty body"])
    diags = build_epub(book, ed, tmp_path, prepare(book), tmp_path / "cache")
    assert [d.code for d in diags] == ["BB601"] and "verification" in diags[0].message
    assert target.read_bytes() == b"previous good output"
    assert list(tmp_path.glob(f".{ed.name}.epub.*")) == []
