"""Chapters written by a forked process (render/epub/split.py): the EPUB and
the element ids' source positions are those of one process, whether the
child's chapters are taken, dropped for an image it numbered, or lost to a
failing child."""
from __future__ import annotations

import os

import pytest

from bookbuild.render.epub import render_epub, split
from bookbuild.transform.build_data import prepare
from helpers.books import REPO
from helpers.epub import load


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    book = load(REPO)
    CACHE[book.root] = tmp_path_factory.mktemp("split-cache")
    return book


CACHE: dict = {}


def rendered(book, name: str, jobs=None):
    ids: dict = {}
    archive, diags = render_epub(book, book.config.edition(name), prepare(book), CACHE[book.root], None, ids, jobs)
    assert not [d for d in diags if d.severity == "error"]
    return archive, ids


@pytest.fixture(scope="module")
def alone(sample, epoch):
    return {name: rendered(sample, name, jobs=1) for name in ("epub", "epub-horizontal")}


def spied(monkeypatch) -> list:
    """Each fork's outcome: True when the child's documents were taken."""
    outcomes: list = []
    real = split._taken
    monkeypatch.setattr(split, "_taken", lambda ctx, payload: outcomes.append(r := real(ctx, payload)) or r)
    return outcomes


def image_chapter(book) -> int:
    return next(ch.index for ch in book.chapters if "assets/" in book.texts[ch.file])


@pytest.mark.parametrize("name", ["epub", "epub-horizontal"])
def test_a_taken_child_writes_the_bytes_of_one_process(sample, alone, monkeypatch, name):
    cut = image_chapter(sample) + 1          # the child's chapters bring no image
    assert cut < len(sample.chapters)
    monkeypatch.setattr(split, "_cut", lambda ctx: cut)
    outcomes = spied(monkeypatch)
    assert rendered(sample, name) == alone[name]
    assert len(outcomes) == 1 and outcomes[0] is not None


def test_a_child_that_numbers_an_image_is_not_taken(sample, alone, monkeypatch):
    cut = image_chapter(sample)
    monkeypatch.setattr(split, "_cut", lambda ctx: cut)
    outcomes = spied(monkeypatch)
    assert rendered(sample, "epub") == alone["epub"]
    assert outcomes == [None]


def test_a_failing_child_costs_only_time(sample, alone, monkeypatch):
    monkeypatch.setattr(split, "_cut", lambda ctx: 1)
    monkeypatch.setattr(split, "_written", lambda *a: os._exit(3))
    outcomes = spied(monkeypatch)
    assert rendered(sample, "epub") == alone["epub"]
    assert outcomes == []                     # nothing read: the chapters were written here


def test_short_books_and_one_job_never_fork(sample, monkeypatch, epoch):
    forks: list = []
    real = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real())
    rendered(sample, "epub")                  # the sample book is below MIN_CHARS
    monkeypatch.setattr(split, "MIN_CHARS", 0)
    rendered(sample, "epub", jobs=1)
    assert forks == []
    rendered(sample, "epub")
    assert forks == [1]
