"""A Pandoc book's YAML metadata block -> book.toml keys and footnotes/sources.yaml.

`title`, `subtitle`, `author`, `lang`, `date`, `publisher`, `rights` go into
[book]; `references` (CSL entries) and the files named by `bibliography`
(CSL YAML or JSON, or BibTeX/BibLaTeX through Pandoc) become sources.yaml.
Any other key is reported, not silently dropped.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..pandoc import PandocError, run_pandoc

_BLOCK_RE = re.compile(r"\A\ufeff?---[ \t]*\n(?=\S)(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_BOOK_KEYS = {"subtitle": "subtitle", "date": "date", "publisher": "publisher", "rights": "rights",
              "lang": "language"}
_BIB_READERS = {".bib": "biblatex", ".bibtex": "bibtex"}


@dataclass
class Metadata:
    title: str = ""
    book_keys: dict[str, object] = field(default_factory=dict)   # book.toml [book] keys besides title
    sources: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def merge(self, other: Metadata) -> None:
        self.title = self.title or other.title
        for key, value in other.book_keys.items():
            self.book_keys.setdefault(key, value)
        self.sources += other.sources
        self.problems += other.problems


def split_metadata(text: str, name: str, base_dir: Path) -> tuple[str, Metadata]:
    """The text without a leading metadata block (its lines kept blank: reports keep their line numbers)."""
    m = _BLOCK_RE.match(text)
    meta = Metadata()
    if not m:
        return text, meta
    try:
        data = YAML(typ="safe", pure=True).load(m.group(1))
    except YAMLError as err:
        meta.problems.append(f"{name}: the metadata block is not valid YAML ({err.problem}); left in the text")
        return text, meta
    if not isinstance(data, dict):
        return text, meta
    _read(data, name, base_dir, meta)
    return "\n" * m.group(0).count("\n") + text[m.end():], meta


def _read(data: dict, name: str, base_dir: Path, meta: Metadata) -> None:
    for key, value in data.items():
        if key == "title":
            meta.title = _flat(value)
        elif key == "author":
            authors = [_flat(a.get("name", a) if isinstance(a, dict) else a)
                       for a in (value if isinstance(value, list) else [value])]
            meta.book_keys["authors"] = [a for a in authors if a]
        elif key in _BOOK_KEYS:
            meta.book_keys[_BOOK_KEYS[key]] = _flat(value)
        elif key == "references" and isinstance(value, list):
            meta.sources += [r for r in value if isinstance(r, dict)]
        elif key == "bibliography":
            for path in value if isinstance(value, list) else [value]:
                meta.sources += _bibliography(base_dir / str(path), name, meta.problems)
        else:
            meta.problems.append(f"{name}: metadata key `{key}` not imported (bookbuild has no place for it)")


def _flat(value) -> str:
    if isinstance(value, list):
        return "".join(_flat(v) for v in value)
    return str(value).strip() if value is not None else ""


def _bibliography(path: Path, name: str, problems: list[str]) -> list[dict]:
    try:
        suffix = path.suffix.lower()
        if suffix in _BIB_READERS:
            out, _ = run_pandoc(path, _BIB_READERS[suffix], "csljson")
            entries = json.loads(out)
        elif suffix == ".json":
            entries = json.loads(path.read_text(encoding="utf-8"))
        else:
            entries = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
            entries = entries.get("references", []) if isinstance(entries, dict) else entries
    except (OSError, ValueError, YAMLError, PandocError) as err:
        problems.append(f"{name}: bibliography {path.name} not read ({err}); put its entries in "
                        "footnotes/sources.yaml")
        return []
    return [e for e in entries or [] if isinstance(e, dict)]


def sources_yaml(sources: list[dict]) -> str:
    if not sources:
        return "[]\n"
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buf = io.StringIO()
    # `id` first, as an author writes an entry
    yaml.dump([{str(k): v for k, v in sorted(s.items(), key=lambda kv: kv[0] != "id")} for s in sources], buf)
    return buf.getvalue()
