"""Reproducible EPUB archives: `mimetype` first and stored, every other entry
in name order, all dated from SOURCE_DATE_EPOCH with fixed attributes.

ebooklib stamps entries with the current time and in its own order; this
rewrite makes the same input and epoch give byte-identical files.
"""
from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import UTC, datetime

_ZIP_EPOCH = 315532800  # 1980-01-01, the earliest date a zip entry can hold


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH as UTC, else now (seconds precision)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        ts = int(raw) if raw else int(time.time())
    except ValueError:
        ts = int(time.time())
    return datetime.fromtimestamp(ts, tz=UTC).replace(tzinfo=None)


def reproducible(data: bytes, when: datetime, extra: dict[str, bytes] | None = None) -> bytes:
    """The archive `data` rewritten in canonical form, with the `extra` entries (name → bytes) added."""
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
                dst.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()
