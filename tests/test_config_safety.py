"""book.toml values that would write outside the output folder or build a chapter twice are BB502; so are
font_fallback and embed_font values of the wrong type."""
from __future__ import annotations

import json

import pytest

from helpers.books import BOOK_TOML, make_book
from helpers.cli import bookbuild


def _build(book, out):
    r = bookbuild("build", book, "--out", out, "--format", "json")
    assert "Traceback" not in r.stdout + r.stderr
    return r.returncode, json.loads(r.stdout)["diagnostics"] if r.stdout.strip() else []


@pytest.mark.parametrize("name", ["../../escaped", "sub/dir", ".hidden", "名稱 有空格"])
def test_edition_name_that_is_not_a_file_name(tmp_path, name):
    toml = BOOK_TOML.replace("[editions.epub]", f'[editions."{name}"]')
    book = make_book(tmp_path / "a" / "b" / "book", {"book.toml": toml})
    status, diags = _build(book, book / "dist")
    assert status == 1
    [d] = [d for d in diags if d["code"] == "BB502"]
    assert d["file"] == "book.toml" and d["line"] == toml.splitlines().index(f'[editions."{name}"]') + 1
    written = [p for p in tmp_path.rglob("*") if p.suffix in (".epub", ".pdf") or p.name.endswith(".log.json")]
    assert written == []


def test_chapter_listed_twice(tmp_path):
    toml = BOOK_TOML.replace('  "manuscript/01.md",\n', '  "manuscript/01.md",\n  "manuscript/01.md",\n')
    book = make_book(tmp_path / "book", {"book.toml": toml})
    status, diags = _build(book, book / "dist")
    assert status == 1
    assert [(d["code"], d["line"], d["column"]) for d in diags if d["severity"] == "error"] == [("BB502", 7, 4)]


@pytest.mark.parametrize("value, ok", [('["TW-Sung", "HanaMinB"]', True), ("[]", True), ('"TW-Sung"', False),
                                       ("[1]", False), ('[""]', False)])
def test_font_fallback_is_an_array_of_family_names(value, ok):
    from bookbuild.config import parse_config
    toml = BOOK_TOML.replace("[editions.epub]\n", f"[editions.epub]\nfont_fallback = {value}\n", 1)
    cfg, diags = parse_config(toml)
    if ok:
        assert cfg is not None and cfg.editions[0].font_fallback == tuple(__import__("json").loads(value))
    else:
        [d] = diags
        assert d.code == "BB502" and d.line == toml.splitlines().index(f"font_fallback = {value}") + 1


@pytest.mark.parametrize("value, ok", [("true", True), ("false", True), ('"fallback"', True), ('"yes"', False)])
def test_embed_font_is_a_bool_or_fallback(value, ok):
    from bookbuild.config import parse_config
    toml = BOOK_TOML.replace("[editions.epub]\n", f"[editions.epub]\nembed_font = {value}\n", 1)
    cfg, diags = parse_config(toml)
    assert (cfg is not None) == ok and ([d.code for d in diags] == ([] if ok else ["BB502"]))
