"""Store metadata on real output: ISBN checked and written as urn:isbn:,
Apple Books' display options, a cover on every edition (the book's image or
a generated one), the page-list source; EPUBCheck 0/0."""
from __future__ import annotations

import io
import shutil
from types import SimpleNamespace

import pytest
from lxml import etree
from PIL import Image

from bookbuild.commands.build import renderer
from bookbuild.config import parse_config
from bookbuild.isbn import isbn_urn
from bookbuild.render.epub import _print_source
from bookbuild.transform.build_data import prepare
from helpers.books import copy_sample
from helpers.epub import EPOCH, NS, Epub, build_sample_with, epubcheck_problems, load

EXTRA = '''
[editions.store]
format = "epub"
writing = "vertical"
isbn = "957-01-2345-1"
embed_font = true

[editions.store-horizontal]
format = "epub"
writing = "horizontal"
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # without the cover edition: the generated cover (tests/render/cover tests the front panel's);
    # store-horizontal embeds no font, so the sample's fallback characters are BB408 there
    return build_sample_with(tmp_path_factory.mktemp("store"), EXTRA, ("store", "store-horizontal"),
                             book_keys='isbn = "978-986-7088-01-7"\n', without=("cover",), allow=("BB408",))


def _meta(epub: Epub, prop: str) -> list[str]:
    return [m.text for m in epub.opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]


def test_unique_identifier_is_the_editions_isbn_as_urn_isbn_13_digits(built):
    for name, isbn13 in (("store", "9789570123456"), ("store-horizontal", "9789867088017")):
        opf = built[name].opf
        uid = opf.get("unique-identifier")
        ident = opf.xpath(f"//dc:identifier[@id='{uid}']", namespaces=NS)[0].text
        # store: its own ISBN-10 957-01-2345-1 as ISBN-13; store-horizontal: [book] isbn
        assert ident == "urn:isbn:" + isbn13, name
        others = [i.text for i in opf.xpath("//dc:identifier", namespaces=NS) if i.get("id") != uid]
        assert others == ["urn:uuid:9c99c454-46b6-46a8-82ca-c4ace0877279"]
    assert isbn_urn("957-01-2345-1") == "urn:isbn:9789570123456"


def test_apple_display_options_and_specified_fonts_follow_embed_font(built):
    for name, value in (("store", "true"), ("store-horizontal", "false")):
        epub = built[name]
        options = etree.fromstring(epub.files["META-INF/com.apple.ibooks.display-options.xml"])
        assert options.tag == "display_options"
        assert options.xpath("platform[@name='*']/option[@name='specified-fonts']/text()") == [value]
        assert _meta(epub, "ibooks:specified-fonts") == [value]
        assert "ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/" \
            in epub.opf.get("prefix")
    assert any(n.startswith("EPUB/fonts/") for n in built["store"].files)


def test_every_edition_has_a_cover_generated_from_the_title(built):
    covers = {}
    for name, epub in built.items():
        item = epub.opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
        assert [i.get("href") for i in item] == ["images/cover.png"]
        assert epub.opf.xpath("//opf:meta[@name='cover']/@content", namespaces=NS) == [item[0].get("id")]
        image = Image.open(io.BytesIO(epub.files["EPUB/images/cover.png"]))
        assert image.size == (1600, 2400)
        # drawn: ink on the paper, not a blank page
        assert len(set(image.convert("L").resize((160, 240)).get_flattened_data())) > 20
        covers[name] = epub.files["EPUB/images/cover.png"]
        spine = epub.spine()
        assert spine[0] == "EPUB/text/cover.xhtml"
        page = epub.xml("EPUB/text/cover.xhtml")
        img = page.xpath("//h:img", namespaces=NS)[0]
        assert img.get("src") == "../images/cover.png" and img.get("alt") == "衡陽四十七日"
        assert page.xpath("//h:body/@epub:type", namespaces=NS) == ["cover"]
    assert covers["store"] != covers["store-horizontal"]       # vertical title vs horizontal lines


def test_vertical_cover_sets_the_title_in_a_column(built):
    """The title's ink is taller than wide on the vertical cover, wider than tall on the horizontal."""
    def ink_box(png: bytes, band: tuple[int, int, int, int]):
        img = Image.open(io.BytesIO(png)).convert("L").crop(band)
        return img.point(lambda v: 255 if v < 100 else 0).getbbox()
    left, top, right, bottom = ink_box(built["store"].files["EPUB/images/cover.png"], (1000, 150, 1450, 2250))
    assert bottom - top > 3 * (right - left)
    left, top, right, bottom = ink_box(built["store-horizontal"].files["EPUB/images/cover.png"],
                                       (150, 450, 1450, 900))
    assert right - left > 3 * (bottom - top)


def test_the_books_own_cover_image_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = copy_sample(tmp_path / "book")
    (root / "assets").mkdir(exist_ok=True)       # the sample keeps its figures there
    Image.new("RGB", (600, 900), (120, 30, 30)).save(root / "assets" / "cover.png")
    toml = (root / "book.toml").read_text("utf-8").replace("[book]\n", '[book]\ncover = "assets/cover.png"\n', 1)
    (root / "book.toml").write_text(toml, "utf-8")
    book = load(root)
    edition = book.config.edition("epub-horizontal")
    assert renderer("epub")(book, edition, tmp_path / "out", prepare(book), tmp_path / "cache") == []
    epub = Epub(tmp_path / "out" / "epub-horizontal.epub")
    assert epub.files["EPUB/images/cover.png"] == (root / "assets" / "cover.png").read_bytes()


def test_print_source_is_the_print_editions_isbn():
    cfg, diags = parse_config(
        '[book]\ntitle = "書"\nauthors = ["甲"]\nidentifier = "urn:uuid:x"\nisbn = "9789867088017"\n'
        'edition_statement = "初版"\nchapters = ["a.md"]\n'
        '[editions.print]\nformat = "pdf"\nisbn = "957-01-2345-1"\n'
        '[editions.e]\nformat = "epub"\npage_source = "print"\n'
        '[editions.p2]\nformat = "pdf"\n'
        '[editions.e2]\nformat = "epub"\npage_source = "p2"\n'
        '[editions.e3]\nformat = "epub"\npage_source = "p2"\nisbn = "9780306406157"\n')
    assert diags == []

    def source(name):
        return _print_source(SimpleNamespace(book=SimpleNamespace(config=cfg), edition=cfg.edition(name),
                                             pages=SimpleNamespace(source="p2")))
    assert source("e") == "urn:isbn:9789570123456"          # the pdf edition's own ISBN
    assert source("e2") == "書（初版印刷版 p2）"               # [book] isbn is this EPUB's own id here
    assert source("e3") == "urn:isbn:9789867088017"         # the EPUB has its own; [book] isbn is print's


BASE = '[book]\ntitle = "t"\nauthors = ["a"]\nidentifier = "urn:uuid:x"\nchapters = ["a.md"]\n'


@pytest.mark.parametrize("line, col, value, words", [
    ('isbn = "978-986-7088-01-0"', 9, "978-986-7088-01-0", "wrong check digit: 0, the digits before it give 7"),
    ('isbn = "0-306-40615-3"', 9, "0-306-40615-3", "wrong check digit: 3, the digits before it give 2"),
    ('isbn = "978-986-70"', 9, "978-986-70", "is not an ISBN"),
    ('isbn = "ISBN 978 986"', 9, "ISBN 978 986", "is not an ISBN"),
])
def test_a_bad_isbn_is_bb502_at_its_value(line, col, value, words):
    _, diags = parse_config(BASE.replace("[book]\n", "[book]\n" + line + "\n") + '[editions.e]\nformat = "epub"\n')
    assert [(d.code, d.line, d.col) for d in diags] == [("BB502", 2, col)]
    assert value in diags[0].message and words in diags[0].message and diags[0].hint


def test_isbn_10_and_13_and_an_isbn_identifier_are_accepted_and_checked():
    for good in ("978-986-7088-01-7", "9789867088017", "0-306-40615-2", "080442957X"):
        cfg, diags = parse_config(BASE.replace("[book]\n", f'[book]\nisbn = "{good}"\n') +
                                  '[editions.e]\nformat = "epub"\n')
        assert diags == [] and cfg.isbn == good
    _, diags = parse_config(BASE.replace('"urn:uuid:x"', '"isbn:978-986-7088-01-0"') +
                            '[editions.e]\nformat = "epub"\nisbn = "12"\n')
    assert [(d.line, d.col) for d in diags] == [(4, 20), (8, 9)]


def test_store_editions_pass_epubcheck(built):
    assert shutil.which("java"), "EPUBCheck needs Java"
    for epub in built.values():
        assert epubcheck_problems(epub.path) == [], epub.path.name
