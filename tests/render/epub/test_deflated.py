"""Deflate streams kept between builds (render/epub/reproducible_zip.py `Deflated`): the archive is
byte for byte the one zipfile writes itself, and a kept stream is used only for the same bytes."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

from bookbuild.render.epub import reproducible_zip as rz

WHEN = datetime(2023, 11, 14, 22, 13, 20)


def raw_archive(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", b"application/epub+zip")
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_kept_streams_give_zipfiles_own_bytes(tmp_path):
    files = {"EPUB/a.xhtml": "甲乙丙丁".encode() * 5000, "EPUB/b.xhtml": b"<p>x</p>" * 999, "EPUB/empty": b""}
    plain = rz.reproducible(raw_archive(files), WHEN)
    first = rz.reproducible(raw_archive(files), WHEN, deflated=rz.Deflated(tmp_path / "s.deflated"))
    assert first == plain
    files["EPUB/b.xhtml"] += b"<p>changed</p>"
    kept = rz.Deflated(tmp_path / "s.deflated")
    again = rz.reproducible(raw_archive(files), WHEN, deflated=kept)
    assert len(kept.used) == 3
    assert sum(k not in kept.known for k in kept.used) == 1      # only the changed entry is deflated
    assert again == rz.reproducible(raw_archive(files), WHEN)
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert z.testzip() is None and z.read("EPUB/b.xhtml").endswith(b"<p>changed</p>")
    assert set(rz.Deflated(tmp_path / "s.deflated").known) == set(kept.used)   # the old stream is dropped


def test_a_foreign_or_torn_file_is_not_trusted(tmp_path):
    files = {"EPUB/a.xhtml": b"<p>a</p>" * 100}
    path = tmp_path / "s.deflated"
    for junk in (b"\x80\x05cos\nsystem\n.", b"torn", rz.safe_dumps({"zlib": "0.0 level 9", "streams": {}}, ())):
        path.write_bytes(junk)
        assert rz.Deflated(path).known == {}
        assert rz.reproducible(raw_archive(files), WHEN, deflated=rz.Deflated(path)) == \
            rz.reproducible(raw_archive(files), WHEN)
