"""Paginator, generated pages and layout.json (VT-01, VT-07, VT-08, VT-24, VT-26, VT-27)."""
from __future__ import annotations

import json
import random

import pytest

from bookbuild import model as m
from bookbuild.render.pdf.layout import layout_types as lt
from bookbuild.render.pdf.layout.engine import layout_book
from bookbuild.render.pdf.layout.layout_json import SCHEMA, layout_json, rebuild_text
from bookbuild.render.pdf.layout.textprep import fixed_advance
from bookbuild.transform.build_data import prepare
from bookbuild.transform.notes import chapter_title
from helpers.model import model_book, para, random_text, ref

EPS = 1e-6


def chapter(rnd, paras: int, notes: dict, prefix: str, note_len=(20, 120), headings=True) -> list[m.Block]:
    """Paragraphs of random text, a call after every other one, a heading every 5."""
    blocks = []
    for i in range(paras):
        if headings and i and i % 5 == 0:
            blocks.append(m.Heading(2, [m.Text(f"小節{i}")], m.Pos("manuscript/x.md", i + 2, 1)))
        inl = [m.Text(random_text(rnd, rnd.randint(40, 400)), m.Pos("manuscript/x.md", i + 2, 1))]
        if i % 2:
            nid = f"{prefix}-{i}"
            notes[nid] = random_text(rnd, rnd.randint(*note_len))
            inl += [ref(nid), m.Text("。")]
        blocks.append(m.Para(inl, m.Pos("manuscript/x.md", i + 2, 1)))
    return blocks


def build(chapters=3, paras=40, seed=1, note_len=(20, 120), **edition):
    rnd = random.Random(seed)
    notes: dict[str, str] = {}
    chs = [chapter(rnd, paras, notes, f"c{k}", note_len) for k in range(chapters)]
    numbering = edition.pop("numbering", "chapter")
    book = model_book(chs, note_texts=notes, numbering=numbering, **edition)
    result, diags = layout_book(book, book.config.edition("print"), prepare(book), advance=fixed_advance(0.5))
    return book, result, diags


@pytest.fixture(scope="module")
def page_mode():
    return build()


def body_pages(result):
    return [p for p in result.pages if p.role in (lt.PAGE_BODY, lt.PAGE_CHAPTER_OPEN)]


# ------------------------------------------------------------------ pages and chapters

def test_front_matter_and_chapter_pages_odd(page_mode):
    _, result, _ = page_mode
    roles = [p.role for p in result.pages]
    assert roles[:3] == [lt.PAGE_TITLE, lt.PAGE_COLOPHON, lt.PAGE_TOC]
    openers = [p for p in result.pages if p.role == lt.PAGE_CHAPTER_OPEN]
    assert [p.chapter for p in openers] == [0, 1, 2]
    assert all(p.number % 2 == 1 for p in openers)
    for p in result.pages:
        assert p.number == result.pages.index(p) + 1
        if p.role == lt.PAGE_BLANK:
            assert p.folio is None and not p.columns and not p.note_columns
        elif p.role == lt.PAGE_TITLE:
            assert p.folio is None and p.columns[0].text() == "測試之書"
        else:
            assert p.folio == str(p.number)
    assert any(p.role == lt.PAGE_BLANK for p in result.pages)   # some chapter needed one


def test_chapter_start_any_has_no_blank_pages():
    _, result, _ = build(chapters=3, paras=25, chapter_start="any")
    assert not [p for p in result.pages if p.role == lt.PAGE_BLANK]


def test_running_heads(page_mode):
    book, result, _ = page_mode
    for p in result.pages:
        if p.role == lt.PAGE_BODY:
            expected = book.config.title if p.number % 2 == 0 else chapter_title(book, book.chapters[p.chapter])
            assert p.running_head == expected
        else:
            assert p.running_head is None


def test_toc_numbers_are_the_chapter_pages(page_mode):
    _, result, _ = page_mode
    toc = [c for p in result.pages if p.role == lt.PAGE_TOC for c in p.columns if c.role == lt.TOC_ENTRY]
    openers = [p.number for p in result.pages if p.role == lt.PAGE_CHAPTER_OPEN]
    assert [int("".join(u.text for u in c.foot)) for c in toc] == openers


def test_pages_are_full_and_on_the_grid(page_mode):
    _, result, _ = page_mode
    g = result.geometry
    for p in body_pages(result):
        slots = sum(2 if c.role == lt.HEADING[1] else 1 for c in p.columns)
        assert slots <= g.columns
        xs = [c.x_em for c in p.columns]
        assert xs == sorted(xs)                                 # reading order right → left
        for c in p.columns:
            k = (c.x_em - 0.5) / g.pitch_em
            assert abs(k - round(k * 2) / 2) < EPS                 # on the grid (or midway for h1)


# ------------------------------------------------------------------ VT-07 / VT-08

def test_no_heading_last_and_no_lone_paragraph_column(page_mode):
    _, result, _ = page_mode
    pages = [p for p in body_pages(result) if p.columns]
    for i, p in enumerate(pages[:-1]):
        nxt = pages[i + 1]
        if nxt.chapter != p.chapter:
            continue
        assert not p.columns[-1].role.startswith("heading"), p.number
        first = nxt.columns[0]
        assert not (first.last_of_paragraph and not first.first_of_paragraph), nxt.number
        last = p.columns[-1]
        assert not (last.first_of_paragraph and not last.last_of_paragraph), p.number


# ------------------------------------------------------------------ notes

def _note_pages(result):
    """note id -> list of page numbers holding its columns."""
    where: dict[str, list[int]] = {}
    for p in result.pages:
        for c in p.note_columns:
            if c.note_id:
                where.setdefault(c.note_id, [])
                if p.number not in where[c.note_id]:
                    where[c.note_id].append(p.number)
    return where


def _call_pages(result):
    calls = {}
    for p in result.pages:
        for c in p.columns:
            for u in c.units:
                if u.kind == lt.CALL:
                    calls.setdefault(u.note_id, p.number)
    return calls


def test_page_notes_start_on_the_call_page_or_next(page_mode):
    book, result, _ = page_mode
    where, calls = _note_pages(result), _call_pages(result)
    assert set(where) == set(book.notes)
    for nid, pages in where.items():
        assert pages[0] in (calls[nid], calls[nid] + 1), nid
        assert pages == list(range(pages[0], pages[0] + len(pages)))   # continues on following pages


def test_note_band_left_of_body_with_rule(page_mode):
    _, result, _ = page_mode
    g = result.geometry
    for p in result.pages:
        if not p.note_columns:
            continue
        for c in p.note_columns:
            assert c.size == pytest.approx(38 / 48)
            assert c.x_em + c.size / 2 <= g.width_em + EPS
        if p.columns:
            leftmost = max(c.x_em for c in p.columns)
            assert min(c.x_em for c in p.note_columns) >= leftmost + g.pitch_em - EPS
            assert leftmost < p.rule_x_em < min(c.x_em for c in p.note_columns)


def test_long_notes_continue_and_keep_two_columns_on_the_call_page():
    book, result, _ = build(chapters=1, paras=30, seed=5, note_len=(300, 900))
    where, calls = _note_pages(result), _call_pages(result)
    continued = [p for p in result.pages if p.notes_continued]
    assert continued, "expected long notes to continue on a following page"
    for p in result.pages:
        for nid in p.notes_started:
            # a call's column is accepted only if ≥ 2 of its note's columns fit on its page
            assert p.number == calls[nid], nid
            cols = [c for c in p.note_columns if c.note_id == nid]
            total = sum(1 for q in result.pages for c in q.note_columns if c.note_id == nid)
            assert len(cols) >= min(2, total), nid
    assert len(where) == len(book.notes)


@pytest.mark.parametrize("numbering", ["chapter", "book"])
def test_note_numbers_per_chapter_or_book(numbering):
    book, result, _ = build(chapters=2, paras=12, numbering=numbering)
    labels = [(p.chapter, c.units[0].text) for p in result.pages for c in p.note_columns
              if c.first_of_paragraph]
    per_ch: dict[int, list[int]] = {}
    for ch, lab in labels:
        per_ch.setdefault(ch, []).append(int(lab))
    seq = per_ch[0] + per_ch[1]
    if numbering == "chapter":
        assert per_ch[0] == list(range(1, len(per_ch[0]) + 1))
        assert per_ch[1] == list(range(1, len(per_ch[1]) + 1))
    else:
        assert seq == list(range(1, len(seq) + 1))


@pytest.mark.parametrize("mode", ["chapter", "book"])
def test_endnotes_after_chapter_or_book(mode):
    book, result, _ = build(chapters=2, paras=20, notes=mode)
    where = _note_pages(result)
    assert set(where) == set(book.notes)
    last_body = {}
    for p in result.pages:
        for c in p.columns:
            if c.role == lt.BODY and p.chapter is not None:
                last_body[p.chapter] = p.number
    for nid, pages in where.items():
        ch = 0 if nid.startswith("c0") else 1
        if mode == "chapter":
            assert last_body[ch] <= pages[0] and (ch == 1 or pages[-1] < min(
                p.number for p in result.pages if p.chapter == 1))
        else:
            assert pages[0] >= max(last_body.values())
    assert all(p.rule_x_em is None for p in result.pages)


# ------------------------------------------------------------------ layout.json

def test_layout_json_offsets_round_trip(page_mode):
    book, result, _ = page_mode
    ed = book.config.edition("print")
    data = json.loads(json.dumps(layout_json(result, ed), ensure_ascii=False))
    assert data["schema"] == SCHEMA
    text = data["text"]
    n_spans = 0
    for page in data["pages"]:
        for area in ("body", "notes"):
            for col in page[area]["columns"]:
                assert "".join(text[o:o + n] for o, n in col["pieces"]) == col["text"]
        for span in page["spans"]:
            assert text[span["offset"]:span["offset"] + len(span["text"])] == span["text"], span
            n_spans += 1
    kinds = {s["kind"] for p in data["pages"] for s in p["spans"]}
    assert {"call", "tcy", "sideways", "pair"} <= kinds and n_spans > 100
    calls = [s for p in data["pages"] for s in p["spans"] if s["kind"] == "call"]
    assert all(s["src"].startswith("manuscript/") for s in calls)
    # without the stream, a text consistent with every offset is rebuilt
    again = rebuild_text(result.pages)
    for p in result.pages:
        for c in p.columns:
            for u in c.units:
                assert again[u.offset:u.offset + len(u.text)] == u.text


def test_layout_json_body_text_equals_columns(page_mode):
    book, result, _ = page_mode
    data = layout_json(result, book.config.edition("print"))
    for page, p in zip(data["pages"], result.pages):
        assert page["body"]["text"].replace("\n", "") == p.body_text()
        assert page["folio"] == p.folio


def test_call_with_one_free_note_column_moves_to_the_next_page():
    """Opener: heading (2 slots) + 11 body columns leave room for 1 note column only;
    the column calling a 7-column note must go to the next page with its note."""
    text = "甲" * (36 + 38 * 9 + 5)
    blocks = [para(text, ref("long"), "乙" * 300)]
    book = model_book([blocks], note_texts={"long": "注" * 330})
    result, _ = layout_book(book, book.config.edition("print"), prepare(book), advance=fixed_advance(0.5))
    calls, where = _call_pages(result), _note_pages(result)
    p = result.pages[calls["long"] - 1]
    cols = [c for c in p.note_columns if c.note_id == "long"]
    assert where["long"][0] == calls["long"] and len(cols) >= 2
    assert result.pages[calls["long"] - 2].role == lt.PAGE_CHAPTER_OPEN   # moved off the opener
