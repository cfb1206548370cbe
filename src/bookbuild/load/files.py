"""Reading files safely: UTF-8 check (BB503), book-root containment (BB508), limits (BB510)."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..diagnostics import Diagnostic
from ..limits import MAX_FILE_BYTES
from ..lines import LineIndex

UNKNOWN = "an unknown encoding"


_HIGH_PAIR = re.compile(rb"[\x80-\xff]{2}")


def guess_encoding(data: bytes) -> str:
    """A human guess at the file's real encoding, for the BB503 message.

    Latin-1 first: its accented letters are single high bytes between ASCII,
    while any CJK double-byte text has runs of high bytes.  Then strict
    EUC-CN (GB2312) before Big5: Big5 text nearly always has a trail byte
    below 0xA1, which EUC-CN never has, so EUC-CN bytes mean GB."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if _HIGH_PAIR.search(data) is None:
        high = [ch for ch in data.decode("latin-1") if ord(ch) > 127]
        if high and sum(ch.isalpha() for ch in high) * 2 >= len(high):
            return "Latin-1"
    for name, label in (("gb2312", "GB18030"), ("cp950", "Big5"), ("gb18030", "GB18030"), ("shift_jis", "Shift_JIS")):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        if cjk and cjk * 3 >= sum(1 for ch in text if ord(ch) > 127):
            return label
    return UNKNOWN


def decode_utf8(data: bytes, rel: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is accepted and dropped); BB503 at the first bad byte."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[bom:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        offset = e.start
        before = data[:offset].decode("utf-8")     # valid up to the bad byte
        line, col = LineIndex(before).pos(len(before))
        # the bad line's rest first: a sentence pasted in Big5 into a UTF-8 file
        # does not decode as Big5 together with the UTF-8 around it
        line_end = data.find(b"\n", offset)
        enc = guess_encoding(data[offset:line_end if line_end >= 0 else len(data)])
        if enc == UNKNOWN:
            enc = guess_encoding(data)
        return None, [Diagnostic(
            "BB503", f"file is not valid UTF-8: bad byte 0x{data[offset]:02X} at byte offset {offset + bom}; "
            f"it looks like {enc}", rel, line, col, _convert_hint(enc, mixed=not data[:offset].isascii()))]


def _convert_hint(enc: str, mixed: bool) -> str:
    if mixed:   # UTF-8 text before the bad byte: converting the whole file would garble it
        return ("the file is UTF-8 up to here: this text was pasted in another encoding; "
                "paste or type it again as UTF-8")
    if enc == UNKNOWN:
        return "save the file as UTF-8 in your editor (or find its encoding, e.g. with file -i, and convert it)"
    name = {"Big5": "BIG5", "Shift_JIS": "SHIFT_JIS", "Latin-1": "LATIN1"}.get(enc, enc.upper())
    return f"convert it, e.g. iconv -f {name} -t UTF-8, or use bookbuild import --encoding"


def inside_root(root: Path, rel: str) -> Path | None:
    """Resolve rel against root; None if it leaves the root or loops."""
    try:
        full = (root / rel).resolve(strict=False)
    except (RuntimeError, OSError):  # symlink loop
        return None
    try:
        full.relative_to(root.resolve())
    except ValueError:
        return None
    return full


def read_book_file(root: Path, rel: str, where: tuple[str, int, int] | None = None
                   ) -> tuple[str | None, list[Diagnostic]]:
    """Read a UTF-8 text file of the book. `where` is the (file, line, col) that named it."""
    wfile, wline, wcol = where or (rel, 1, 1)
    full = inside_root(root, rel)
    if full is None:
        return None, [Diagnostic("BB508", f"{rel} is outside the book root or a symlink loop",
                                 wfile, wline, wcol, "keep every book file inside the book folder")]
    try:
        st = full.stat()
        if stat.S_ISDIR(st.st_mode):
            return None, [Diagnostic("BB501", f"{rel} is a folder, not a file", wfile, wline, wcol,
                                     "name a .md file in book.toml (paths are relative to the book root)")]
        if not stat.S_ISREG(st.st_mode):
            # reading a FIFO or a device would block or never end
            return None, [Diagnostic("BB508", f"{rel} is not a regular file (a pipe, socket or device)",
                                     wfile, wline, wcol, "replace it with an ordinary text file")]
        size = st.st_size
        if size > MAX_FILE_BYTES:
            return None, [Diagnostic("BB510", f"{rel} is {size:,} bytes, over the limit of 64 MiB per file",
                                     wfile, wline, wcol, "split the file")]
        data = full.read_bytes()
    except OSError as e:
        if isinstance(e, IsADirectoryError) or not full.exists():
            return None, [Diagnostic("BB501", f"{rel} does not exist", wfile, wline, wcol,
                                     "check the path in book.toml (paths are relative to the book root)")]
        return None, [Diagnostic("BB508", f"{rel} cannot be read: {e.strerror}", wfile, wline, wcol,
                                 "check the file's permissions or symlinks")]
    text, diags = decode_utf8(data, rel)
    if text is not None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, diags


def relpath(root: Path, path: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
