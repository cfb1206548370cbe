"""Parts of the fast print build (issue 9): the page cache's plan, one font per
derived face after the merge, the in-process font check, stamped heads.

Behaviour only, never wall times.
"""
from __future__ import annotations

import os
import subprocess

import pikepdf
import pytest
from pikepdf import Dictionary, Name

from bookbuild.render.pdf.drawing import pagecache, pages, pool
from bookbuild.render.pdf.finishing import stamp
from bookbuild.render.pdf.fonts import subsets
from bookbuild.render.pdf.fonts.derived import derived_dir
from bookbuild.verify.pdf import page_texts, pdffonts
from helpers.pdf import images

DERIVED = {"BookbuildTateU", "BookbuildTateH", "BookbuildTateB"}


# ------------------------------------------------------------------ plan

def _keys(n: int) -> list[str]:
    return [f"k{i:04d}" for i in range(n)]


def test_plan_cuts_runs_of_missing_pages(tmp_path):
    cache = pagecache.PageCache(tmp_path)
    keys = _keys(300)
    missing = list(range(0, 10)) + list(range(100, 300))
    tasks = pages.plan_tasks(missing, keys, 2, cache)
    drawn = [i for t in tasks for i in range(t.first, t.stop)]
    assert drawn == missing                                  # each missing page once, in order
    assert all(t.stop - t.first <= pages.MAX_PAGES for t in tasks)
    assert all(t.out.parent == tmp_path and t.out.stem == t.seed for t in tasks)
    assert len({t.seed for t in tasks}) == len(tasks)


def test_plan_gives_every_worker_a_piece(tmp_path):
    tasks = pages.plan_tasks(list(range(10)), _keys(10), 2, pagecache.PageCache(tmp_path))
    assert [(t.first, t.stop) for t in tasks] == [(0, 5), (5, 10)]
    one = pages.plan_tasks(list(range(10)), _keys(10), 1, pagecache.PageCache(tmp_path))
    assert [(t.first, t.stop) for t in one] == [(0, 10)]


def test_chunk_names_depend_on_the_pages_only(tmp_path):
    a = pages.plan_tasks([3, 4, 5], _keys(6), 1, pagecache.PageCache(tmp_path))
    b = pages.plan_tasks([3, 4, 5], _keys(6), 1, pagecache.PageCache(tmp_path / "x"))
    assert a[0].seed == b[0].seed == pagecache.chunk_name(_keys(6)[3:6])


def test_cache_forgets_pages_whose_chunk_is_gone(tmp_path):
    cache = pagecache.PageCache(tmp_path)
    cache.add("c1", ["a", "b"], {})
    cache.path("c1").write_bytes(b"%PDF-1.7")
    assert cache.find("b") == ("c1", 1)
    cache.path("c1").unlink()
    assert cache.find("b") is None


def test_context_key_ignores_font_urls_but_not_rules():
    css = '@font-face { font-family: "F"; src: url("file:///c/derived-1/TateU.otf"); }\np { color: red }'
    moved = css.replace("derived-1", "derived-2")
    key = pagecache.context_key(css, "font", True, "file:///b/")
    assert pagecache.context_key(moved, "font", True, "file:///b/") == key
    assert pagecache.context_key(css.replace("red", "blue"), "font", True, "file:///b/") != key
    assert pagecache.context_key(css, "other font", True, "file:///b/") != key
    assert pagecache.context_key(css, "font", False, "file:///b/") != key


def test_unwritable_cache_folder_gives_a_temporary_one(tmp_path):
    blocker = tmp_path / "pages"
    blocker.write_text("a file where the cache folder should be")
    with pagecache.locked(blocker / "print") as folder:
        assert folder.is_dir() and folder != blocker / "print"
        (folder / "x.pdf").write_bytes(b"x")
    assert not folder.exists()


# ------------------------------------------------------------------ fonts

def test_merged_pdf_has_one_font_per_face_embedding_the_derived_file(builder):
    pdf_path = builder.build("a", jobs=2)
    folder = builder.cache / "pages" / "print"
    assert len(list(folder.glob("*.pdf"))) >= 2                  # drawn as two ranges
    rows = pdffonts(pdf_path)
    assert sorted(subsets_family(r.name) for r in rows) == sorted(DERIVED)
    assert all(r.emb and r.sub and r.uni and r.type == "CID Type 0C (OT)" for r in rows)
    derived = [p.read_bytes() for p in derived_dir(builder.cache).glob("derived-*/*.otf")]
    with pikepdf.open(pdf_path) as pdf:
        embedded = [o.FontFile3.read_bytes() for o in pdf.objects
                    if isinstance(o, Dictionary) and o.get("/Type") == Name.FontDescriptor]
    assert len(embedded) == 3 and all(data in derived for data in embedded)
    # the merge keeps every page's text: as one worker drawing one range
    assert page_texts(pdf_path) == page_texts(builder.build("one", builder.root / "cache1", jobs=1))


def subsets_family(name: str) -> str:
    return name.split("+", 1)[1].removesuffix("-Bold")


def test_font_check_flags_a_fallback_font():
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    helvetica = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=helvetica))
    problems = subsets.font_problems(pdf, DERIVED)
    assert any("not a derived face" in p for p in problems)
    assert any("not embedded and subset" in p for p in problems)
    assert any("not a CID font" in p for p in problems)
    assert subsets.font_problems(pikepdf.Pdf.new(), DERIVED) == ["the PDF has no fonts"]


def test_font_check_agrees_with_pdffonts(builder):
    pdf_path = builder.build("a")
    with pikepdf.open(pdf_path) as pdf:
        assert subsets.font_problems(pdf, DERIVED) == []
        assert subsets.font_problems(pdf, {"BookbuildTateU"})      # the others are not allowed then
    assert all(r.emb and r.sub for r in pdffonts(pdf_path))


def test_widths_array_round_trip():
    w = subsets._widths(pikepdf.Array([3, [1000, 500], 10, 12, 250]))
    assert w == {3: 1000, 4: 500, 10: 250, 11: 250, 12: 250}
    assert subsets._widths(subsets._w_array(w)) == w


# ------------------------------------------------------------------ stamped heads

def test_stamped_heads_look_and_read_like_drawn_ones(builder, monkeypatch):
    # WeasyPrint draws every page of both builds: only the heads differ in how they are made
    monkeypatch.setenv("BOOKBUILD_TEXT_PAGES", "0")
    stamped = builder.build("stamped")
    with pikepdf.open(stamped) as pdf:
        assert any(stamp.RESOURCE in p.obj.Resources.get("/Font", {}) for p in pdf.pages)
    monkeypatch.setattr(stamp, "enabled", lambda ed, css: False)
    drawn = builder.cold("drawn")
    assert images(stamped, builder.root / "i1") == images(drawn, builder.root / "i2")
    raw = [subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(p), "-"], capture_output=True,
                          text=True, check=True).stdout for p in (stamped, drawn)]
    assert raw[0] == raw[1]                    # same text, same order (folio, then running head)


def test_book_style_for_folios_keeps_them_drawn(builder):
    builder.write({"styles/print.css": ".folio { color: rgb(200, 0, 0) }\n"})
    pdf_path = builder.build("a")
    import pdfplumber
    with pdfplumber.open(pdf_path) as pdf:
        folio = [c for p in pdf.pages for c in p.chars if "TateH" in c["fontname"] and c["text"].isdigit()]
    assert folio and all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (0.78, 0.0, 0.0)
                         for c in folio)


def test_heads_with_a_ligature_are_not_stamped(tmp_path):
    face = stamp.HeadFace({ch: (i, 1000.0) for i, ch in enumerate("一二三——！")})
    assert face.can_draw("一二三") and face.can_draw(None)
    assert not face.can_draw("一——二")          # a 2-em pair is one glyph of the face
    assert not face.can_draw("一四")            # 四 is not in the face
    assert not face.can_draw("一\u0301")       # a combining mark needs shaping


def test_pages_drawn_with_an_earlier_font_keep_their_own(builder, monkeypatch):
    """A new character rebuilds the derived font; pages drawn before are reused
    with the font they were drawn with (a second subset of each face, its own
    tag), and with their own embedded subsets once that font's folder is gone."""
    monkeypatch.setenv("BOOKBUILD_FONT_CACHE", "")      # derived faces in the book's cache, to remove them
    first = builder.build("a")
    fonts_dir = builder.cache / "fonts"
    old = set(fonts_dir.glob("derived-*"))
    builder.edit("manuscript/02.md", "語焉不詳", "語焉不詳（鬯）")
    second = builder.build("b")
    assert builder.drawn and len(builder.drawn) < len(page_texts(first))
    rows = pdffonts(second)
    tags = [r.name.split("+")[0] for r in rows]
    assert len(tags) == len(set(tags)) and all(r.emb and r.sub for r in rows)
    assert sum(r.name.endswith("+BookbuildTateU") for r in rows) == 2
    for folder in old:
        import shutil
        shutil.rmtree(folder)
    third = builder.build("c")
    # WeasyPrint's pages keep their own subsets; a text page has no font of its own: written again
    assert builder.weasy == [] and builder.drawn
    rows = pdffonts(third)
    tags = [r.name.split("+")[0] for r in rows]
    assert len(tags) == len(set(tags)) and all(r.emb and r.sub and r.uni for r in rows)
    assert page_texts(third) == page_texts(second)
    assert images(third, builder.root / "i3") == images(second, builder.root / "i2")


def test_context_key_follows_files_the_stylesheet_names(tmp_path):
    (tmp_path / "rule.png").write_bytes(b"one")
    css = "p { background: url(rule.png) }"
    base = tmp_path.as_uri() + "/"
    key = pagecache.context_key(css, "font", True, base)
    (tmp_path / "rule.png").write_bytes(b"two")
    assert pagecache.context_key(css, "font", True, base) != key


# ------------------------------------------------------------------ text pages in parallel

def _paint_or_die(i: int):
    if i == pool.PARALLEL_FROM:
        os._exit(3)         # a worker killed mid-book
    return i * 2


def _paint_or_raise(i: int):
    if i == pool.PARALLEL_FROM:
        raise ValueError("planted failure in a painter")
    return i * 2


def test_text_pages_are_written_by_forked_workers_in_page_order():
    indices = list(range(3 * pool.PARALLEL_FROM))
    parent = os.getpid()
    got = pool.paint_pages(indices, lambda i: (i, os.getpid()), jobs=2)
    assert sorted(got) == indices and all(got[i][0] == i for i in indices)
    assert {pid for _, pid in got.values()} - {parent}, "written in worker processes"
    few = pool.paint_pages(indices[:5], lambda i: (i, os.getpid()), jobs=2)
    assert {pid for _, pid in few.values()} == {parent}, "a few pages: no fork"


def test_a_dead_or_failing_text_page_worker_is_reported_not_waited_for():
    indices = list(range(2 * pool.PARALLEL_FROM))
    with pytest.raises(pool.WorkerDied):
        pool.paint_pages(indices, _paint_or_die, jobs=2)
    with pytest.raises(ValueError, match="planted failure"):
        pool.paint_pages(indices, _paint_or_raise, jobs=2)
