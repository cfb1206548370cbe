"""The caches of the print build after the layout (issue 19, the edit loop):
page keys made from the layout, the text pages' file, the glyphs they give
the merged fonts, the derived fonts kept compressed.  The builds that use
them are in test_incremental.py (every kind of change, moved pages, a cold
build compared)."""
from __future__ import annotations

import copy
import zlib

import pikepdf
import pytest

from bookbuild.model import Pos
from bookbuild.render.pdf.drawing import pagecache
from bookbuild.render.pdf.drawing.layoutkeys import column_digests, layout_keys
from bookbuild.render.pdf.drawing.textpages import TextPage, extra_glyphs
from bookbuild.render.pdf.fonts.charset import blank_chars, page_chars
from bookbuild.render.pdf.fonts.subsets import FontFiles
from bookbuild.render.pdf.layout import layout_types as lt


def _page() -> lt.Page:
    units = [lt.Unit(ch, lt.HAN, 1.0, anchor=Pos("manuscript/01.md", 3, 1 + i), offset=i)
             for i, ch in enumerate("守軍在城南")]
    units.append(lt.Unit("1", lt.CALL, 0.0, note_id="n1"))
    body = lt.Column(units, x_em=0.5, length_em=40.0, spacing_em=0.0)
    note = lt.Column([lt.Unit("注", lt.HAN, 1.0)], role=lt.NOTE, size=0.8, x_em=20.0, note_id="n1")
    return lt.Page(7, folio="7", columns=[body], note_columns=[note], rule_x_em=19.0)


def _key(page: lt.Page, context: str = "ctx", settings: str = "ed") -> str | None:
    return layout_keys([page], column_digests([page]), context, settings)[0]


def _changed(edit) -> lt.Page:
    page = copy.deepcopy(_page())
    edit(page)
    return page


@pytest.mark.parametrize("edit", [
    lambda p: setattr(p.columns[0].units[1], "text", "兵"),
    lambda p: setattr(p.columns[0].units[1], "kind", lt.TCY),
    lambda p: setattr(p.columns[0].units[1], "width_em", 0.5),
    lambda p: setattr(p.columns[0].units[1], "flags", lt.EMPH),
    lambda p: setattr(p.columns[0].units[1], "glue_before", 0.25),
    lambda p: setattr(p.columns[0].units[1], "mark", 3),
    lambda p: setattr(p.columns[0].units[-1], "text", "2"),
    lambda p: setattr(p.columns[0], "spacing_em", 0.1),
    lambda p: setattr(p.columns[0], "x_em", 1.5),
    lambda p: setattr(p.columns[0], "indent_em", 1.0),
    lambda p: setattr(p.columns[0], "role", lt.QUOTE),
    lambda p: p.columns[0].foot.append(lt.Unit("3", lt.TCY, 1.0)),
    lambda p: setattr(p.note_columns[0], "size", 0.7),
    lambda p: setattr(p, "number", 8),
    lambda p: setattr(p, "folio", "8"),
    lambda p: setattr(p, "running_head", "第一章"),
    lambda p: setattr(p, "rule_x_em", 18.0),
    lambda p: setattr(p, "role", lt.PAGE_CHAPTER_OPEN),
])
def test_a_layout_key_follows_what_the_page_draws(edit):
    assert _key(_changed(edit)) != _key(_page())


def test_a_layout_key_ignores_what_no_drawing_shows():
    """Source positions and note ids move with edits elsewhere; the drawn page does not."""
    def elsewhere(p):
        for u in p.columns[0].units:
            u.anchor, u.offset, u.delta = Pos("manuscript/01.md", 9, 1), u.offset + 100, 1
        p.columns[0].units[-1].note_id = "n2"
        p.note_columns[0].note_id = "n2"
        p.chapter = 3
    assert _key(_changed(elsewhere)) == _key(_page())


def test_a_layout_key_follows_the_build_it_is_made_in():
    assert _key(_page(), context="other") != _key(_page())
    assert _key(_page(), settings="other") != _key(_page())


def test_figures_and_tables_keep_their_html_key():
    figure = _changed(lambda p: p.figures.append(lt.Placed("figure", "f1", "圖一", None)))
    table = _changed(lambda p: setattr(p.columns[0], "table", object()))
    pages = [figure, table, _page()]
    assert layout_keys(pages, column_digests(pages), "ctx", "ed")[:2] == [None, None]


def _text_page(glyphs: dict, fonts=(("upright", "Face", "/f/a.otf", "d1"),)) -> TextPage:
    return TextPage(zlib.compress(b"BT ET"), glyphs, fonts)


def test_each_glyph_keeps_the_first_text_pages_give_it():
    pages = [_text_page({"upright": ("5,6", "", "1000,500")}),
             None,
             _text_page({"upright": ("5,7", "4e00,4e01", "1000,1000")}),
             _text_page({"upright": ("5", "4e02", "1000")}),
             _text_page({"upright": ("9", "4e03", "1000")}, (("upright", "Face", "/f/b.otf", "d2"),))]
    joined = extra_glyphs(pages)
    assert list(joined) == [("Face", "/f/a.otf"), ("Face", "/f/b.otf")]
    assert joined["Face", "/f/a.otf"] == {5: (1000, b"4e00"), 6: (500, b""), 7: (1000, b"4e01")}
    assert joined["Face", "/f/b.otf"] == {9: (1000, b"4e03")}


def test_the_text_pages_file_is_read_back_whole_or_not_at_all(tmp_path):
    pages = {"k1": _text_page({"upright": ("5", "4e00", "1000")}),
             "k2": _text_page({"bold": ("8,9", "4e01", "1000,1000")}, (("bold", "B", "/f/b.otf", "d"),))}
    path = tmp_path / pagecache.TEXT_FILE
    pagecache._write_texts(path, "stamp", pages)
    assert pagecache._read_texts(path, "stamp") == pages
    assert pagecache._read_texts(path, "another stamp") == {}
    data = bytearray(path.read_bytes())
    data[-2] ^= 1       # one byte of a content stream
    path.write_bytes(bytes(data))
    assert pagecache._read_texts(path, "stamp") == {}


def test_a_kept_compressed_font_is_used_only_when_it_is_the_font(tmp_path):
    data = bytes(range(256)) * 64
    folder = tmp_path / "fonts"
    with pikepdf.new() as pdf:
        first = FontFiles(folder).embedded(pdf, data)
        assert first.read_raw_bytes() == zlib.compress(data, 6) and first.read_bytes() == data
        (kept,) = folder.glob("*.flate")
        kept.write_bytes(zlib.compress(data[:-1], 6))        # not this font's bytes
        again = FontFiles(folder).embedded(pdf, data)
        assert again.read_bytes() == data and zlib.decompress(kept.read_bytes()) == data
        other = FontFiles(folder)
        other.embedded(pdf, b"another font")
        other.prune()
    assert [p.name for p in folder.glob("*.flate")] != [kept.name] and not kept.exists()


def test_a_pages_blanks_are_kept_with_its_characters(tmp_path):
    """blank_chars from the kept entries (the blanks' widths) is what reading the units gives."""
    pages = [_changed(lambda p: p.note_columns[0].units.append(lt.Unit("", lt.BLANK, 0.5))),
             _changed(lambda p: p.columns[0].units.insert(0, lt.Unit("", lt.BLANK, 1.0))), _page()]
    digests = column_digests(pages)
    kept, made = pagecache.PageChars(tmp_path), {}
    page_chars(pages, kept.known(digests), made)
    assert blank_chars(pages, kept.known(digests), made) == blank_chars(pages) == {"\u2002", "\u3000"}
    kept.save(digests, made)
    known = pagecache.PageChars(tmp_path).known(digests)
    assert None not in known and blank_chars(pages, known, {}) == {"\u2002", "\u3000"}
    assert blank_chars(pages[2:], known[2:], {}) == set() == blank_chars(pages[2:])


def test_a_pages_characters_are_kept_by_its_columns(tmp_path):
    """pagecache.PageChars: what page_chars found is what it gives back, for the
    pages whose columns are the same; a file not exactly as written is not read."""
    pages = [_page(), _changed(lambda p: p.columns[0].units.append(lt.Unit("8月", lt.TCY, 1.0))),
             _changed(lambda p: setattr(p, "folio", "9"))]
    digests = column_digests(pages)
    assert digests[0] == digests[2] != digests[1]        # the folio is not the columns'
    kept, made = pagecache.PageChars(tmp_path), {}
    fresh = page_chars(pages, kept.known(digests), made)
    assert sorted(made) == [0, 1, 2] and fresh == page_chars(pages)
    kept.save(digests, made)
    again = pagecache.PageChars(tmp_path)
    assert None not in again.known(digests)
    assert page_chars(pages, again.known(digests), {}) == fresh and "9" in fresh[0] and "8月" in fresh[2]
    data = bytearray((tmp_path / "chars.json").read_bytes())
    data[-3] ^= 1
    (tmp_path / "chars.json").write_bytes(bytes(data))
    assert pagecache.PageChars(tmp_path).known(digests) == [None, None, None]
