"""Reproducible EPUB archives: `mimetype` first and stored, every other entry
in name order, all dated from SOURCE_DATE_EPOCH with fixed attributes.

ebooklib stamps entries with the current time and in its own order; this
rewrite makes the same input and epoch give byte-identical files.

Deflating at level 9 is most of the rewrite (≈ 0.08 s for the stress book),
and after an edit most entries are the bytes of the last build: `Deflated`
keeps each entry's deflate stream from one build to the next, by the
SHA-256 of its bytes and zlib's version, and gives it back instead of
compressing again (zlib is deterministic: the same bytes, level and version
make the same stream, which zipfile would have written).
"""
from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from ...atomic import write_bytes
from ...cache import safe_dumps, safe_loads

_ZIP_EPOCH = 315532800  # 1980-01-01, the earliest date a zip entry can hold


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH as UTC, else now (seconds precision)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        ts = int(raw) if raw else int(time.time())
    except ValueError:
        ts = int(time.time())
    return datetime.fromtimestamp(ts, tz=UTC).replace(tzinfo=None)


LEVEL = 9
DEFLATED = "epub-deflated"     # the folder of the kept streams in the book's cache, one file per edition


class Deflated:
    """Deflate streams of one edition's entries, kept in `path` between builds."""

    def __init__(self, path: Path | None):
        self.path, self.known, self.used = path, {}, {}
        try:
            kept = safe_loads(path.read_bytes(), ()) if path is not None else None
            if isinstance(kept, dict) and kept.get("zlib") == _ZLIB and isinstance(kept.get("streams"), dict):
                self.known = kept["streams"]
        except Exception:        # absent, torn, foreign: compressed again
            pass

    def stream(self, data: bytes) -> bytes:
        key = hashlib.sha256(data).digest()
        found = self.known.get(key)
        if not isinstance(found, bytes):
            c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)     # what zipfile would make
            found = c.compress(data) + c.flush()
        self.used[key] = found
        return found

    def save(self) -> None:
        """Keep the streams of this build's entries (only)."""
        if self.path is None or self.used.keys() == self.known.keys():
            return
        try:
            write_bytes(self.path, safe_dumps({"zlib": _ZLIB, "streams": self.used}, ()))
        except (OSError, ValueError):
            pass        # a cache that cannot be written only costs the time it would save


_ZLIB = f"{zlib.ZLIB_RUNTIME_VERSION} level {LEVEL}"


class _Given:
    """A compressor for zipfile that hands over a stream already made."""

    def __init__(self, stream: bytes):
        self._stream = stream

    def compress(self, data) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self._stream


def _write_deflated(dst: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, deflated: Deflated | None) -> None:
    """`dst.writestr(info, data, compresslevel=LEVEL)`, the stream taken from `deflated`."""
    info._compresslevel = LEVEL
    info.file_size = len(data)
    with dst.open(info, mode="w") as out:
        if deflated is not None and hasattr(out, "_compressor"):   # (zipfile's own writer, 3.11)
            out._compressor = _Given(deflated.stream(data))
        out.write(data)


def reproducible(data: bytes, when: datetime, extra: dict[str, bytes] | None = None,
                 deflated: Deflated | None = None) -> bytes:
    """The archive `data` rewritten in canonical form, with the `extra` entries (name → bytes) added.
    `deflated`: the entries' streams kept from the last build (and kept for the next)."""
    stamp = max(when.replace(tzinfo=UTC).timestamp(), _ZIP_EPOCH)
    date_time = time.gmtime(stamp)[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    entries.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        names = ["mimetype"] + sorted(n for n in entries if n != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, entries[name])
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                _write_deflated(dst, info, entries[name], deflated)
    if deflated is not None:
        deflated.save()
    return out.getvalue()
