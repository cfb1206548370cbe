"""The load's Pandoc run started by bookbuild/pandoc.py itself (not through pypandoc):
the same output, messages and failures as pypandoc's run of the same text."""
from __future__ import annotations

import pypandoc
import pytest

from bookbuild import pandoc
from bookbuild.load.pandoc_parts import READER

TEXT = ("# 第一章\n\n正文[^1]，[見 @k, 頁12]。\n第二行\n\n"
        "[x]: https://a.example\n[x]: https://b.example\n\n[^1]: 注文。\n")


def test_same_output_and_messages_as_pypandoc():
    direct = pandoc.run_pandoc(TEXT, READER, "json", direct=True)
    through = pandoc.run_pandoc(TEXT, READER, "json")
    assert direct == through
    assert any("Duplicate link reference" in m for m in direct[1])     # a warning came back, as BB604 needs


def test_same_failure_as_pypandoc():
    with pytest.raises(pandoc.PandocError) as direct:
        pandoc.run_pandoc(TEXT, "markdown+no_such_extension", "json", direct=True)
    with pytest.raises(pandoc.PandocError) as through:
        pandoc.run_pandoc(TEXT, "markdown+no_such_extension", "json")
    assert direct.value.detail.strip() == through.value.detail.strip()
    assert direct.value.reason == through.value.reason


def test_the_binary_pypandoc_would_run():
    assert pandoc.pandoc_binary()[0] == pypandoc.get_pandoc_path()


@pytest.mark.parametrize("raw", [
    "[WARNING] Duplicate link reference '[x]' at line 9 column 1",
    "[WARNING] one\n  more of it\n[INFO] two\n[ERROR] three",
    "no level at all\n[WARNING] then one",
    "[WARNING] a\n[NOTALEVEL] b\n",
])
def test_messages_split_as_pypandoc_splits_them(raw):
    assert list(pandoc._pandoc_messages(raw)) == list(pypandoc._classify_pandoc_logging(raw))


def test_stopped_by_the_watchdog(monkeypatch):
    monkeypatch.setenv("BOOKBUILD_PANDOC_TIMEOUT", "0.3")
    with pytest.raises(pandoc.PandocError) as err:
        pandoc.run_pandoc("文字[" * 25 + "\n", "markdown", "json", direct=True)
    assert err.value.timed_out


def test_rts_options_reach_only_the_bundled_pandoc(tmp_path, monkeypatch):
    """+RTS options change nothing in the output; a Pandoc other than pypandoc-binary's
    (which might refuse them) is run without them."""
    assert pandoc.run_pandoc(TEXT, READER, "json", direct=True, rts=("-O64m",)) == \
        pandoc.run_pandoc(TEXT, READER, "json", direct=True)
    real, files = pandoc.pandoc_binary()
    other = tmp_path / "pandoc"
    other.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "args"}\nexec "{real}" "$@"\n', encoding="utf-8")
    other.chmod(0o755)
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: (str(other), files))
    pandoc.run_pandoc(TEXT, READER, "json", direct=True, rts=("-O64m",))
    assert "RTS" not in (tmp_path / "args").read_text(encoding="utf-8")
