"""Transforms return new objects (model.map_inlines/map_blocks): the loaded book is never modified."""
from __future__ import annotations

from bookbuild import model as m
from bookbuild.load import load_book
from bookbuild.transform.notes import with_citation_notes
from bookbuild.transform.simplified import convert_book
from helpers.books import BOOK_TOML, make_book

HANS_TOML = BOOK_TOML + '\n[editions.epub-hans]\nformat = "epub"\nscript = "zh-Hans"\n'


def _citations(blocks):
    return [n for n in m.walk_blocks_inlines(blocks) if isinstance(n, m.Citation)]


def test_citation_notes_and_simplified_copy_leave_the_loaded_book_alone(tmp_path):
    book, diags = load_book(make_book(tmp_path / "b", {"book.toml": HANS_TOML}))
    assert book is not None, diags
    before = repr(book)
    (cite,) = _citations(book.chapters[0].blocks)

    wrapped = with_citation_notes(book)
    hans = convert_book(wrapped)

    assert repr(book) == before
    assert not _citations(wrapped.chapters[0].blocks)
    note = wrapped.notes["bbcite-1-1"]
    assert note.generated and _citations(note.blocks)[0] is cite, "the citation moves unchanged (citeproc keys by id)"
    refs = [n for n in m.walk_blocks_inlines(wrapped.chapters[0].blocks) if isinstance(n, m.NoteRef)]
    assert [r.id for r in refs] == ["a", "bbcite-1-1", "b"]
    assert "bbcite-1-1" not in book.notes
    assert "进抵" in m.plain_text(hans.chapters[0].blocks[0].inlines)
    assert "進抵" in m.plain_text(wrapped.chapters[0].blocks[0].inlines)


def test_map_blocks_rewrites_every_container_in_document_order():
    pos = m.Pos("x.md", 1, 1)
    para = m.Para([m.Text("a"), m.Emph([m.Text("b")])], pos)
    table = m.Table([[[m.Text("c")]]], [[[m.Text("d")], [m.Span("span", [m.Text("e")], {}, (), pos)]]], pos)
    blocks = [para, m.BlockQuote([m.ListBlock(False, [[m.Heading(2, [m.Text("f")], pos)]], pos)], pos), table,
              m.CodeBlock("g", pos)]
    seen = []

    def upper(node):
        if isinstance(node, m.Text):
            seen.append(node.text)
            return m.Text(node.text.upper())
        return None

    out = m.map_blocks(blocks, upper)
    assert seen == list("abfcde")
    assert "".join(n.text for n in m.walk_blocks_inlines(out) if isinstance(n, m.Text)) == "ABFCDE"
    assert "".join(n.text for n in m.walk_blocks_inlines(blocks) if isinstance(n, m.Text)) == "abfcde"
    assert out[3] is blocks[3]
