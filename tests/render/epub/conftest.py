"""Fixtures of the render/epub tests: every epub edition of the sample book, of a variant of it and of the
stress book, each built once per session."""
from __future__ import annotations

import pytest

from helpers.books import REPO
from helpers.epub import Epub, build, load, make_variant
from make_stress_book import generate


@pytest.fixture(scope="session")
def sample(tmp_path_factory, epoch):
    """Every epub edition of the sample book: name -> (Epub, book, edition)."""
    book = load(REPO)
    out = tmp_path_factory.mktemp("sample-epub")
    result = {}
    for ed in book.config.editions:
        if ed.format == "epub":
            built, diags = build(book, ed, out / f"{ed.name}.epub")
            assert diags == []
            result[ed.name] = (Epub(out / f"{ed.name}.epub"), built, ed)
    assert {"epub", "epub-horizontal"} <= set(result)
    return result


@pytest.fixture(scope="session")
def variant(tmp_path_factory, epoch):
    root = make_variant(tmp_path_factory.mktemp("variant") / "book")
    book = load(root)
    out = tmp_path_factory.mktemp("variant-epub")
    result = {}
    for name in ("epub-book", "epub-chinese", "epub"):
        ed = book.config.edition(name)
        built, diags = build(book, ed, out / f"{name}.epub")
        assert diags == []
        result[name] = (Epub(out / f"{name}.epub"), built, ed)
    return result


@pytest.fixture(scope="session")
def stress(tmp_path_factory, epoch):
    root = tmp_path_factory.mktemp("stress") / "book"
    generate(root, 0.25)
    book = load(root)
    out = tmp_path_factory.mktemp("stress-epub")
    paths = []
    for ed in book.config.editions:
        if ed.format == "epub":
            _, diags = build(book, ed, out / f"{ed.name}.epub")
            assert diags == []
            paths.append(out / f"{ed.name}.epub")
    return paths
