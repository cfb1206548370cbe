"""Issue 18 item 1: chapter-end and book-end notes are in the reading flow.

A chapter of the sample's EPUB (and the variant's notes.xhtml) is rendered in
headless Chromium under the default user-agent styles only (the book's CSS
links removed), once as is and once with the rule Readium-based readers apply
to pop-up notes (they hide notes held in `aside`: edrlab/thorium-reader#1690,
#2596).  A script in the page measures every note: its text must be on screen
with a non-zero box.  Then, on the same document: every call has an id and a
note called several times links back to each call (docs/EPUB-NOTES.md)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from helpers.epub import EPUB_TYPE, NS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
READIUM_HIDES = ('@namespace epub url(http://www.idpf.org/2007/ops);'
                 'aside[epub|type~="footnote"], aside[epub|type~="endnote"],'
                 'aside[epub|type~="rearnote"] { display: none !important; }')
MEASURE = """
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('[id^="fn-"]').forEach(function (el) {
    var r = el.getBoundingClientRect();
    out.push({id: el.id, w: r.width, h: r.height, text: el.innerText,
              display: getComputedStyle(el).display, visibility: getComputedStyle(el).visibility});
  });
  var pre = document.createElementNS('http://www.w3.org/1999/xhtml', 'pre');
  pre.setAttribute('id', 'bb-measure');
  pre.textContent = encodeURIComponent(JSON.stringify(out));
  document.body.appendChild(pre);
});
"""


def measure_notes(epub_path: Path, doc: str, tmp: Path, extra_css: str = "") -> list[dict]:
    """Render EPUB/<doc> with the user agent's styles (plus `extra_css`) and
    return, per element with an fn- id, its box and rendered text."""
    with zipfile.ZipFile(epub_path) as zf:
        zf.extractall(tmp)
    page = tmp / "EPUB" / doc
    root = etree.fromstring(page.read_bytes())
    head = root.find("h:head", NS)
    for link in head.findall("h:link", NS):
        head.remove(link)               # the default user-agent styles only
    if extra_css:
        etree.SubElement(head, f"{{{NS['h']}}}style").text = extra_css
    etree.SubElement(head, f"{{{NS['h']}}}script").text = MEASURE
    page.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update",
                              "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                              "--allow-file-access-from-files", "--virtual-time-budget=3000",
                              "--window-size=800,1080", "--dump-dom", page.as_uri()],
                             capture_output=True, timeout=120, check=False)
    found = re.search(r'<pre id="bb-measure"[^>]*>([^<]*)</pre>', run.stdout.decode("utf-8", "replace"))
    assert found, "the page's script did not run: " + run.stderr.decode("utf-8", "replace")[-500:]
    return json.loads(unquote(found.group(1)))


def note_texts(epub_path: Path, doc: str) -> dict[str, str]:
    with zipfile.ZipFile(epub_path) as zf:
        root = etree.fromstring(zf.read(f"EPUB/{doc}"))
    return {li.get("id"): "".join(li.itertext()) for li in root.iterfind(".//h:li", NS)
            if li.get(EPUB_TYPE) == "endnote"}


def _assert_visible(measured: list[dict], expected: dict[str, str]) -> None:
    by_id = {m["id"]: m for m in measured}
    assert set(expected) <= set(by_id) and expected
    for nid, text in expected.items():
        box = by_id[nid]
        assert box["display"] != "none" and box["visibility"] == "visible", box
        assert box["w"] > 0 and box["h"] > 0, box
        body = text.split("\u3000", 1)[-1].strip()[:12]     # the note's own words, after its number
        assert body and body in box["text"], (nid, body, box["text"][:60])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.parametrize("reader_css", ["", READIUM_HIDES], ids=["user-agent", "readium-aside-rule"])
def test_chapter_end_notes_are_on_screen(sample, tmp_path, reader_css):
    epub = sample["epub"][0].path
    expected = note_texts(epub, "text/ch03.xhtml")
    assert len(expected) > 10
    _assert_visible(measure_notes(epub, "text/ch03.xhtml", tmp_path, reader_css), expected)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.parametrize("reader_css", ["", READIUM_HIDES], ids=["user-agent", "readium-aside-rule"])
def test_book_end_notes_document_is_not_empty(variant, tmp_path, reader_css):
    epub = variant["epub-book"][0].path
    expected = note_texts(epub, "text/notes.xhtml")
    _assert_visible(measure_notes(epub, "text/notes.xhtml", tmp_path, reader_css), expected)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_old_aside_markup_would_fail_this_check(tmp_path):
    """The check can fail: `aside` notes under Readium's rule have no box."""
    (tmp_path / "EPUB").mkdir()
    xhtml = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
             'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head><body>'
             '<p>正文<a epub:type="noteref" href="#fn-1" id="nr-1">1</a></p>'
             '<aside epub:type="footnote" id="fn-1"><p>注文甲乙丙</p></aside></body></html>')
    epub = tmp_path / "old.epub"
    with zipfile.ZipFile(epub, "w") as zf:
        zf.writestr("EPUB/text/c.xhtml", xhtml)
    box = {m["id"]: m for m in measure_notes(epub, "text/c.xhtml", tmp_path / "x", READIUM_HIDES)}["fn-1"]
    assert box["display"] == "none" and box["w"] == box["h"] == 0


def test_every_call_has_an_id_and_each_call_its_back_link(sample):
    """In the chapter rendered above: the calls of a note called again
    (`[^id]{.again}`, in this chapter or another) each have an id, and the
    note's a b c back-links reach exactly those calls."""
    epub, _, _ = sample["epub"]
    calls: dict[str, set[str]] = {}
    for name, doc in epub.xhtml.items():
        for a in doc.xpath("//h:a[@epub:type='noteref' or contains(@class,'again')]", namespaces=NS):
            href = a.get("href")
            if "ch03.xhtml#" in href or (name.endswith("/ch03.xhtml") and href.startswith("#")):
                assert a.get("id"), (name, href)
                calls.setdefault(href.split("#")[1], set()).add(f"{name.rsplit('/', 1)[1]}#{a.get('id')}")
    doc = epub.xml("EPUB/text/ch03.xhtml")
    multi = 0
    for li in doc.xpath("//h:li[@epub:type='endnote']", namespaces=NS):
        backs = {a.get("href") if "#" in a.get("href")[1:] else "ch03.xhtml" + a.get("href")
                 for a in li.xpath(".//h:a[@role='doc-backlink']", namespaces=NS)}
        assert backs == calls[li.get("id")], li.get("id")
        multi += len(backs) > 1
    assert multi, "ch03 has notes called more than once"
