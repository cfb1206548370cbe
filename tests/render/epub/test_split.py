"""Chapters written by a forked process (render/epub/split.py): the EPUB and
the element ids' source positions are those of one process, whether the
child's chapters are taken, dropped for an image it numbered, or lost to a
failing child."""
from __future__ import annotations

import os
import shutil

import pytest

from bookbuild.render.epub import chapter_cache, render_epub, split
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
    """Every chapter written (none kept from an earlier render: chapter_cache.py)."""
    shutil.rmtree(CACHE[book.root] / chapter_cache.FOLDER, ignore_errors=True)
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
    monkeypatch.setattr(split, "_taken",
                        lambda ctx, payload, facts=None: outcomes.append(r := real(ctx, payload, facts)) or r)
    return outcomes


def image_chapter(book) -> int:
    return next(ch.index for ch in book.chapters if "assets/" in book.texts[ch.file])


@pytest.mark.parametrize("name", ["epub", "epub-horizontal"])
def test_a_taken_child_writes_the_bytes_of_one_process(sample, alone, monkeypatch, name):
    cut = image_chapter(sample) + 1          # the child's chapters bring no image
    assert cut < len(sample.chapters)
    monkeypatch.setattr(split, "_cut", lambda ctx, kept: cut)
    outcomes = spied(monkeypatch)
    assert rendered(sample, name) == alone[name]
    assert len(outcomes) == 1 and outcomes[0] is not None


def test_a_child_that_numbers_an_image_is_not_taken(sample, alone, monkeypatch):
    cut = image_chapter(sample)
    monkeypatch.setattr(split, "_cut", lambda ctx, kept: cut)
    outcomes = spied(monkeypatch)
    assert rendered(sample, "epub") == alone["epub"]
    assert outcomes == [None]


def test_a_failing_child_costs_only_time(sample, alone, monkeypatch):
    monkeypatch.setattr(split, "_cut", lambda ctx, kept: 1)
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


def test_kept_chapters_are_not_sent_to_the_child(sample, alone, monkeypatch):
    """Only the chapters to be written weigh in the cut: with every chapter kept
    from the last render, nothing is forked, and the bytes are the same."""
    monkeypatch.setattr(split, "MIN_CHARS", 0)
    first = rendered(sample, "epub")
    forks: list = []
    real = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real())
    ids: dict = {}
    again = render_epub(sample, sample.config.edition("epub"), prepare(sample), CACHE[sample.root], None, ids)
    assert forks == [] and (again[0], ids) == first == alone["epub"]
