"""`bookbuild import` on files that are not what they claim: a clear message, exit 1, nothing written."""
from __future__ import annotations

import zipfile

from helpers.cli import bookbuild


def _import(tmp_path, source):
    out = tmp_path / "out"
    return bookbuild("import", source, "--out", out, timeout=120), out


def test_random_bytes_named_docx(tmp_path):
    src = tmp_path / "broken.docx"
    src.write_bytes(bytes(range(256)) * 8)
    r, out = _import(tmp_path, src)
    assert r.returncode == 1, r.stderr
    assert "not a readable .docx file" in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert not out.exists() or not any(out.iterdir())


def test_zip_without_word_document(tmp_path):
    src = tmp_path / "empty.docx"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("hello.txt", "不是 Word 文件")
    r, out = _import(tmp_path, src)
    assert r.returncode == 1, r.stderr
    assert "broken.docx" not in r.stderr and "empty.docx" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
