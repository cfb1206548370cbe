"""Pandoc citeproc's answer, kept between builds (issue 19).

citeproc.py sends Pandoc one document in which every note's text is a
placeholder word and only the citations are real, so a warm build, or one
where a note's wording changed, sends the same bytes again: the answer is
read from the cache folder instead of running Pandoc (≈ 0.5 s CPU on the
stress book).  The key is every byte Pandoc reads (the document, the
sources, the prepared style, the arguments) and the Pandoc binary (its
path, size and mtime), so a wrong reuse cannot happen; what is kept is
Pandoc's own output and messages, which no bookbuild code has touched yet.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .. import __version__
from ..atomic import write_text
from ..capture import Message
from ..pandoc import pandoc_binary

KEEP = 4      # a book with a Simplified edition has two answers per build


def key(document: str, refs: str, style: bytes, args: list[str]) -> str:
    """The answer's key; "" (do not cache) when the Pandoc binary cannot be
    identified: the run itself then reports why (BB605)."""
    try:
        pandoc = _pandoc_identity()
    except OSError:
        return ""
    h = hashlib.sha256()
    for part in (__version__, pandoc, "\0".join(args), document, refs):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big") + data)
    h.update(len(style).to_bytes(8, "big") + style)
    return h.hexdigest()[:32]


def _pandoc_identity() -> str:
    """The binary pypandoc runs: a new Pandoc changes the key (found as pypandoc
    finds it, without importing pypandoc: 0.03 s of every build with citations)."""
    path = pandoc_binary()[0]
    found = shutil.which(path) or path
    st = os.stat(found)
    return f"{os.path.realpath(found)}:{st.st_size}:{st.st_mtime_ns}"


def _path(cache_dir: Path, k: str) -> Path:
    return Path(cache_dir) / f"citeproc-{k}.json"


def load(cache_dir: Path, k: str) -> tuple[str, list[Message]] | None:
    """(Pandoc's output, its messages) when this key was answered before."""
    try:
        obj = json.loads(_path(cache_dir, k).read_text(encoding="utf-8"))
        return obj["out"], [Message(str(s), int(level), str(text)) for s, level, text in obj["messages"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None       # absent, or a torn or foreign file: run Pandoc


def store(cache_dir: Path, k: str, out: str, messages: list[Message]) -> None:
    """Keep the answer (atomically); the oldest beyond KEEP go.  A cache that
    cannot be written is skipped: it only saves time."""
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        obj = {"out": out, "messages": [[m.source, m.level, m.text] for m in messages]}
        write_text(_path(cache_dir, k), json.dumps(obj, ensure_ascii=False))
        old = sorted(Path(cache_dir).glob("citeproc-*.json"), key=lambda p: p.stat().st_mtime_ns)
        for p in old[:-KEEP]:
            p.unlink(missing_ok=True)
    except OSError:
        pass
