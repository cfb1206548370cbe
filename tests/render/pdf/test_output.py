"""The print PDF as a file: outputs, fonts, catalog, turn, merge, safety, errors."""
from __future__ import annotations

import io
import json
import subprocess

import pikepdf
import pytest

from bookbuild.render.pdf.drawing import draw, pool
from bookbuild.render.pdf.drawing.css import book_css
from bookbuild.render.pdf.drawing.fetch import fetcher_class
from bookbuild.render.pdf.finishing import docinfo, turn
from bookbuild.verify.pdf import FORBIDDEN, check_catalog, check_pages, pdffonts, verify_pdf
from helpers.books import PRINT_CHAPTER2, PRINT_TOML
from helpers.pdf import EPOCH, build_small_book

DERIVED = {"BookbuildTateU", "BookbuildTateH", "BookbuildTateB"}
A5 = (148 * 72 / 25.4, 210 * 72 / 25.4)


@pytest.fixture(scope="module")
def two_parts(tmp_path_factory):
    """The small book drawn by two worker processes (two parts merged)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        out, diags = build_small_book(tmp_path_factory.mktemp("pdfout"), jobs=2)
    finally:
        mp.undo()
    assert not [d for d in diags if d.severity == "error"], diags
    return out


def test_outputs_written(two_parts):
    names = sorted(p.name for p in two_parts.iterdir())
    assert names == ["print.layout.json", "print.log.json", "print.pdf"]
    log = json.loads((two_parts / "print.log.json").read_text(encoding="utf-8"))
    assert set(log) == {"book_dir", "diagnostics", "summary", "press"}
    assert log["press"]["pdfx"] == "" and log["press"]["blank_pages_added"] == 0
    assert all(d["code"].startswith("BB7") for d in log["diagnostics"])
    layout = json.loads((two_parts / "print.layout.json").read_text(encoding="utf-8"))
    with pikepdf.open(two_parts / "print.pdf") as pdf:
        assert len(pdf.pages) == len(layout["pages"]) >= 8


def test_verifier_passes_the_pdf(two_parts):
    assert verify_pdf(two_parts / "print.pdf", language="zh-Hant-TW", allowed_families=DERIVED, size=A5) == []


def test_fonts_derived_embedded_subset_unique_tags(two_parts):
    rows = pdffonts(two_parts / "print.pdf")
    assert rows
    for r in rows:
        assert r.emb and r.sub and r.uni and r.type.startswith("CID")
    tags = [r.name.split("+")[0] for r in rows]
    assert len(tags) == len(set(tags)), "two subsets share a tag after the merge"
    # the parts were drawn with the same derived font files: the merge keeps one font per face
    assert sorted(r.name.split("+")[1] for r in rows) == ["BookbuildTateB-Bold", "BookbuildTateH", "BookbuildTateU"]


def test_text_layer_clean(two_parts):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(two_parts / "print.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "衡陽" in text and not FORBIDDEN.search(text)


def test_catalog_pages_and_info(two_parts):
    with pikepdf.open(two_parts / "print.pdf") as pdf:
        assert str(pdf.Root.Lang) == "zh-Hant-TW"
        assert pdf.Root.ViewerPreferences.Direction == pikepdf.Name.R2L
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        for page in pdf.pages:
            assert "/Rotate" not in page.obj
            x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
            assert abs(x1 - x0 - A5[0]) < 0.5 and abs(y1 - y0 - A5[1]) < 0.5
        info = pdf.docinfo
        assert str(info.Title) == "衡陽測試本" and str(info.Author) == "測試者"
        assert str(info.CreationDate) == str(info.ModDate) == "D:20231114221320Z"
        with pdf.open_outline() as outline:
            titles = [(o.title, [c.title for c in o.children]) for o in outline.root]
        assert [kids for t, kids in titles if t.endswith("圍城")] == [["外圍", "城內"]]
        assert [t for t, _ in titles if t.endswith("餘波")]


def test_links_after_merge_reach_other_parts(two_parts):
    """目次 entries in part 1 link to chapter pages drawn by part 2."""
    layout = json.loads((two_parts / "print.layout.json").read_text(encoding="utf-8"))
    toc = next(p["number"] for p in layout["pages"] if p["role"] == "toc")
    with pikepdf.open(two_parts / "print.pdf") as pdf:
        annots = pdf.pages[toc - 1].obj.get("/Annots", [])
        targets = [pdf.pages.index(pikepdf.Page(a.Dest[0])) + 1 for a in annots]
    opens = [p["number"] for p in layout["pages"] if p["role"] == "chapter-open"]
    assert set(opens) <= set(targets)
    assert max(targets) > len(layout["pages"]) // 2   # in the second part


def test_reproducible_bytes(two_parts, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out, diags = build_small_book(tmp_path, jobs=2)
    assert (out / "print.pdf").read_bytes() == (two_parts / "print.pdf").read_bytes()


def test_one_and_two_processes_same_text(two_parts, tmp_path):
    out, _ = build_small_book(tmp_path, jobs=1)
    def raw(p):
        return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(p), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert raw(out / "print.pdf") == raw(two_parts / "print.pdf")
    faces = lambda p: sorted(r.name.split("+")[1] for r in pdffonts(p))  # noqa: E731
    assert faces(out / "print.pdf") == faces(two_parts / "print.pdf")


def test_unwritable_output_is_bb601(tmp_path):
    (tmp_path / "out").write_text("a file where the output folder should be")
    out, diags = build_small_book(tmp_path)
    assert [d.code for d in diags] == ["BB601"]
    assert str(tmp_path / "out") in diags[0].message and diags[0].hint


def test_output_name_taken_by_folder_is_bb601(tmp_path):
    (tmp_path / "out" / "print.pdf").mkdir(parents=True)
    out, diags = build_small_book(tmp_path)
    assert [d.code for d in diags] == ["BB601"] and "print.pdf" in diags[0].file


def test_book_styles_filtered_and_applied(tmp_path):
    css = ("p { color: rgb(200, 0, 0); font-size: 30pt; margin-left: 4em; letter-spacing: 1em }\n"
           ".pn { background: rgb(0, 0, 200) }\n@page { size: A3; margin: 0 }\n"
           "@import url(http://example.invalid/x.css);\n")
    out, diags = build_small_book(tmp_path, extra={"styles/all.css": css})
    assert not [d for d in diags if d.severity == "error"]
    assert verify_pdf(out / "print.pdf", language="zh-Hant-TW", allowed_families=DERIVED, size=A5) == []
    import pdfplumber
    with pdfplumber.open(out / "print.pdf") as pdf:
        page = next(p for p in pdf.pages if any(c["text"] == "方" for c in p.chars))
        chars = [c for c in page.chars if c["text"] == "方"]
        assert all(abs(c["size"] - 10.5) < 0.01 for c in chars)          # font-size dropped
        assert any(c["non_stroking_color"] in ((0.784, 0, 0), [0.784, 0, 0]) or
                   tuple(round(v, 2) for v in c["non_stroking_color"]) == (0.78, 0.0, 0.0) for c in chars)
        assert any(tuple(round(v, 2) for v in r["non_stroking_color"]) == (0.0, 0.0, 0.78) for r in page.rects)


def test_book_css_filter():
    out = book_css("p{color:red;font-family:X;margin:0 1em;line-height:2} @font-face{font-family:Y} "
                   "@page{size:A4;@top-center{content:'x'}} @media print{h1{text-indent:2em;color:blue}}")
    assert "color:red" in out and "color:blue" in out
    for banned in ("font-family", "margin", "line-height", "size", "content", "text-indent", "@font-face"):
        assert banned not in out


# ------------------------------------------------------------------ fetcher

def test_fetcher_allows_only_roots(tmp_path):
    root = tmp_path / "book"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "a.png").write_bytes(b"x")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "assets" / "link").symlink_to(outside)
    f = fetcher_class()([root])
    assert f.allows((root / "assets" / "a.png").as_uri())
    assert f.allows("data:text/plain,hi")
    assert not f.allows(outside.as_uri())
    assert not f.allows((root / "assets" / "link").as_uri())          # symlink out of the root
    assert not f.allows((root / ".." / "secret.txt").as_uri())
    assert not f.allows("http://example.com/x.css")
    assert not f.allows("file://otherhost/etc/passwd")
    with pytest.raises(ValueError):
        f.fetch(outside.as_uri())
    assert f.refused == [outside.as_uri()]
    assert f.fetch((root / "assets" / "a.png").as_uri()).read() == b"x"


def test_draw_refuses_outside_url(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = f'<html><body><p>x</p><img src="{secret.as_uri()}"><img src="http://example.invalid/a.png"></body></html>'
    res = draw.draw_range(html, (tmp_path / "book").as_uri() + "/", [tmp_path / "book"], tmp_path / "o.pdf", 0)
    assert sorted(res.refused) == sorted([secret.as_uri(), "http://example.invalid/a.png"])


# ------------------------------------------------------------------ turn

def _landscape_with_link() -> bytes:
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page(page_size=(600, 400))
    page = pdf.pages[0]
    page.contents_add(pikepdf.Stream(pdf, b"0 0 1 rg 100 300 50 20 re f"))
    page.obj.Annots = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[100, 300, 150, 320],
        Dest=pikepdf.Array([page.obj, pikepdf.Name.XYZ, 100, 320, 0])))])
    page.obj.Rotate = 90
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_turn_maps_geometry_clockwise(tmp_path):
    pdf = pikepdf.open(io.BytesIO(_landscape_with_link()))
    turn.turn_pages(pdf)
    page = pdf.pages[0]
    assert [float(v) for v in page.obj.MediaBox] == [0, 0, 400, 600]
    assert "/Rotate" not in page.obj
    # (x, y) -> (y, W - x): the L rectangle x 100..150, y 300..320 lands at x 300..320, y 450..500
    assert [float(v) for v in page.obj.Annots[0].Rect] == [300, 450, 320, 500]
    assert [float(v) for v in page.obj.Annots[0].Dest[2:4]] == [320, 500]
    pdf.save(tmp_path / "t.pdf")
    import pdfplumber
    with pdfplumber.open(tmp_path / "t.pdf") as doc:
        r = doc.pages[0].rects[0]
        assert (round(r["x0"]), round(r["x1"]), round(r["top"]), round(r["bottom"])) == (300, 320, 100, 150)
    assert check_pages(pikepdf.open(tmp_path / "t.pdf")) == []


def test_verifier_catches_landscape_rotate_and_catalog(tmp_path):
    pdf = pikepdf.open(io.BytesIO(_landscape_with_link()))
    problems = check_pages(pdf) + check_catalog(pdf, "zh-Hant-TW")
    kinds = sorted(p.message.split(" ")[0] for p in problems)
    assert len(problems) == 4, problems                 # /Rotate, landscape, no /Lang, no /Direction
    docinfo.finish_catalog(pdf, docinfo.DocInfo("t", ("a",), "zh-Hant-TW", epoch=0), [])
    assert check_catalog(pdf, "zh-Hant-TW") == [] and kinds


def test_retag_gives_each_part_its_own_tags():
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, BaseFont=pikepdf.Name("/ABCDEF+Face")))
    desc = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor,
                                                FontName=pikepdf.Name("/ABCDEF+Face")))
    assert turn.retag_fonts(pdf, 1) == 1
    assert str(font.BaseFont) == str(desc.FontName) != "/ABCDEF+Face"
    assert str(font.BaseFont).endswith("+Face") and len(str(font.BaseFont)) == len("/ABCDEF+Face")


def test_split_ranges():
    assert pool.split_ranges(0, 2) == []
    assert pool.split_ranges(3, 2) == [(0, 2), (2, 3)]
    assert pool.split_ranges(1, 4) == [(0, 1)]
    r = pool.split_ranges(1000, 2, max_pages=64)
    assert r[0][0] == 0 and r[-1][1] == 1000 and all(b - a <= 64 for a, b in r)
    assert all(a[1] == b[0] for a, b in zip(r, r[1:]))


def test_bleed_and_crop_marks(tmp_path):
    """The page (TrimBox) sits inside the bleed, the bleed inside the marks' area (finishing/marks.py);
    the text keeps its VT-04 grid measured from the TrimBox; the crop marks lie outside the BleedBox."""
    toml = PRINT_TOML.replace('format = "pdf"', 'format = "pdf"\nbleed = 3.0\ncrop_marks = true')
    out, diags = build_small_book(tmp_path, extra={"book.toml": toml})
    assert not [d for d in diags if d.severity == "error"], diags
    b = 3 * 72 / 25.4
    from bookbuild.render.pdf.finishing.marks import MARK_AREA
    media = (A5[0] + 2 * (b + MARK_AREA), A5[1] + 2 * (b + MARK_AREA))
    assert verify_pdf(out / "print.pdf", language="zh-Hant-TW", allowed_families=DERIVED, size=media) == []
    layout = json.loads((out / "print.layout.json").read_text(encoding="utf-8"))
    first_open = next(p["number"] for p in layout["pages"] if p["role"] == "chapter-open")
    with pikepdf.open(out / "print.pdf") as pdf:
        trim = [float(v) for v in pdf.pages[first_open - 1].obj.TrimBox]
        bleed = [float(v) for v in pdf.pages[first_open - 1].obj.BleedBox]
        o = b + MARK_AREA
        assert [round(v, 2) for v in trim] == [round(o, 2), round(o, 2), round(A5[0] + o, 2), round(A5[1] + o, 2)]
        assert [round(v, 2) for v in bleed] == [round(MARK_AREA, 2), round(MARK_AREA, 2),
                                               round(A5[0] + o + b, 2), round(A5[1] + o + b, 2)]
    import pdfplumber

    from bookbuild.config import EditionConfig
    from bookbuild.render.pdf.layout.frame import Frame
    # Frame measures from WeasyPrint's media corner (trim − bleed): here that corner is the BleedBox's
    ta = Frame.of(EditionConfig(name="print", format="pdf", bleed=3.0)).ta_p(first_open % 2 == 1)
    with pdfplumber.open(out / "print.pdf") as pdf:
        page = pdf.pages[first_open - 1]
        body = [c for c in page.chars if c["fontname"].endswith("TateU") and abs(c["size"] - 10.5) < 0.01]
        for c in body:   # on the VT-04 grid of the type area, shifted by the BleedBox corner
            k = (ta["right"] + bleed[0] - 5.25 - (c["x0"] + c["x1"]) / 2) / (1.75 * 10.5)
            assert abs(k - round(k)) * 1.75 <= 0.05 and 0 <= round(k) < 15
        assert min(c["top"] for c in body) >= ta["top"] + MARK_AREA - 0.01
        # crop marks: lines wholly outside the BleedBox, none over the bleed
        h = float(page.height)
        lines = page.lines + page.rects + page.curves
        marks = [ln for ln in lines if ln["x1"] <= bleed[0] + 0.2 or ln["x0"] >= bleed[2] - 0.2
                 or h - ln["top"] <= bleed[1] + 0.2 or h - ln["bottom"] >= bleed[3] - 0.2]
        assert len(marks) == 8
        assert not [ln for ln in lines if ln not in marks and (ln["x1"] <= trim[0] or ln["x0"] >= trim[2])]


def test_notdef_is_bb703_at_the_source_position(tmp_path):
    """U+0378 is in no installed font: Pango draws .notdef (no fallback to hide it)."""
    chapter = PRINT_CHAPTER2.replace("重慶的報紙", "重慶的\u0378報紙")
    out, diags = build_small_book(tmp_path, extra={"manuscript/02.md": chapter})
    line = chapter.splitlines().index(next(ln for ln in chapter.splitlines() if "\u0378" in ln)) + 1
    col = next(ln for ln in chapter.splitlines() if "\u0378" in ln).index("\u0378") + 1
    by_code = {d.code: d for d in diags}
    assert set(by_code) == {"BB402", "BB703"}
    for d in by_code.values():
        assert (d.file, d.line, d.col) == ("manuscript/02.md", line, col) and d.hint
    log = json.loads((out / "print.log.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in log["diagnostics"]] == ["BB703"]
