"""sources.yaml (CSL YAML list) and glossary.yaml (key -> entry) with positions.

ruamel.yaml's C loader (typ="safe", ruamel.yaml.clib) gives the values fast
(8x the round-trip loader on the stress book) and line numbers for errors
(BB504).  Positions of items, keys and `see` entries come from a line scan of
the text; glossary keys are taken from the text as written, because a YAML
loader turns `1944` into an integer and `no` into false; duplicates are found
on that same scan (BB304).
"""
from __future__ import annotations

import re

from .. import model as m
from ..diagnostics import Diagnostic
from ..limits import MAX_DEPTH, expands_beyond, too_deep

_TOP_KEY_RE = re.compile(r"""^(?!#|-|\.\.\.|---)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#:][^:#]*?)\s*:(?:\s|$)""")


def _yaml():
    from ruamel.yaml import YAML  # deferred: ~10 ms to import, paid while Pandoc runs (or never: parse kept)
    y = YAML(typ="safe")
    y.allow_duplicate_keys = True
    return y


def _item_lines(text: str) -> list[int]:
    """1-based lines of the top-level `- ` items of a block sequence."""
    return [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("- ") or line == "-"]


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _parse(text: str, rel: str):
    deep = too_deep(text)
    if deep:
        return None, [Diagnostic("BB510", f"{rel} nests brackets more than {MAX_DEPTH} deep", rel, *deep,
                                 "CSL and glossary entries need a few levels; remove the extra brackets")]
    from ruamel.yaml.error import MarkedYAMLError, YAMLError  # deferred: as in _yaml
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (e.problem or e.context or "syntax error").strip()
        return None, [Diagnostic("BB504", f"{rel} is not valid YAML: {problem}", rel, line, col,
                                 "check indentation and quoting on that line")]
    except YAMLError as e:
        return None, [Diagnostic("BB504", f"{rel} is not valid YAML: {e}", rel, 1, 1, "")]
    # every value written out takes a few characters, so a real file has far fewer nodes than this
    if expands_beyond(data, 10 * len(text) + 1000):
        return None, [Diagnostic("BB510", f"{rel} expands to far more values than it has characters "
                                 "(YAML aliases: `*name`)", rel, 1, 1,
                                 "write the values out instead of repeating anchors (&name) and aliases (*name)")]
    return data, []


def load_sources(text: str, rel: str) -> tuple[dict[str, m.Source], list[Diagnostic]]:
    data, diags = _parse(text, rel)
    if diags:
        return {}, diags
    if data is None:
        return {}, []
    if not isinstance(data, list):
        return {}, [Diagnostic("BB504", f"{rel} must be a list of CSL items (lines starting with '- id:')",
                               rel, 1, 1, "see the Sources section of docs/FORMAT.md")]
    out: dict[str, m.Source] = {}
    lines = _item_lines(text)
    if len(lines) != len(data):  # a flow-style list: no per-item lines
        lines = [1] * len(data)
    for i, item in enumerate(data):
        line = lines[i]
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)) or not str(item.get("id")).strip():
            diags.append(Diagnostic("BB504", f"item {i + 1} of {rel} has no id", rel, line, 1,
                                    "every source needs `id: some-key`"))
            continue
        sid = str(item["id"])
        pos = m.Pos(rel, line, 3)
        if sid in out:
            first = out[sid].pos
            diags.append(Diagnostic("BB504", f"source id '{sid}' is listed twice (first at {first.file}:{first.line})",
                                    rel, line, 3, "give each source a unique id"))
            continue
        out[sid] = m.Source(sid, _plain(item), pos)
    return out, diags


def _raw_keys(text: str) -> list[tuple[str, int, int]]:
    keys = []
    for n, line in enumerate(text.split("\n"), 1):
        mt = _TOP_KEY_RE.match(line)
        if mt:
            k = mt.group(1)
            if k[:1] in "\"'":
                k = k[1:-1]
            keys.append((k, n, 1))
    return keys


def load_glossary(text: str, rel: str) -> tuple[dict[str, m.Term], list[Diagnostic]]:
    data, diags = _parse(text, rel)
    if diags:
        return {}, diags
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Diagnostic("BB504", f"{rel} must map entry keys to entries", rel, 1, 1,
                               "write `key:` then indented `definition: …`")]
    raw = _raw_keys(text)
    seen: dict[str, tuple[int, int]] = {}
    unique: list[tuple[str, int, int]] = []
    for key, line, col in raw:
        if key in seen:
            diags.append(Diagnostic("BB304", f"glossary key '{key}' is defined twice (first at {rel}:{seen[key][0]})",
                                    rel, line, col, "merge the two entries or rename one key"))
        else:
            seen[key] = (line, col)
            unique.append((key, line, col))
    out: dict[str, m.Term] = {}
    text_lines = text.split("\n")
    ends = [ln for _, ln, _ in unique[1:]] + [len(text_lines) + 1]
    for (key, line, col), (_, entry), end in zip(unique, data.items(), ends):
        pos = m.Pos(rel, line, col)
        if not isinstance(entry, dict) or not isinstance(entry.get("definition"), str):
            diags.append(Diagnostic("BB504", f"glossary entry '{key}' needs a `definition:` string", rel, line, col,
                                    "write `definition: …` indented under the key"))
            continue
        see = entry.get("see") or []
        if isinstance(see, str):
            see = [see]
        see_pos = tuple(_see_positions(text_lines[line:end - 1], line + 1, rel, see, pos))
        out[key] = m.Term(key=key, term=str(entry.get("term", key)), definition=entry["definition"], pos=pos,
                          reading=str(entry.get("reading", "") or ""), see=tuple(str(s) for s in see),
                          see_pos=see_pos,
                          simplified=str(entry.get("simplified", "") or ""))
    return out, diags


def _see_positions(lines: list[str], first_line: int, rel: str, see: list, fallback: m.Pos):
    """Position of each `see` item within an entry's lines: the item's own text
    (flow lists share one line), so BB303 points at the missing name."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("see:"):
            if "[" in stripped or stripped[4:].strip():
                return _flow_positions(line, first_line + i, rel, see)
            items = [(first_line + i + 1 + j, len(line) - len(line.lstrip()) + 3)
                     for j, line in enumerate(lines[i + 1:]) if line.strip().startswith("- ")]
            return [m.Pos(rel, *items[k]) if k < len(items) else m.Pos(rel, first_line + i, 1)
                    for k in range(len(see))]
    return [fallback] * len(see)


def _flow_positions(line: str, line_no: int, rel: str, see: list) -> list[m.Pos]:
    """Columns of the items of `see: [a, b]` (or `see: a`), each searched after the previous one."""
    out, at = [], line.index("see:") + 4
    for item in see:
        found = line.find(str(item), at)
        if found < 0:
            out.append(m.Pos(rel, line_no, line.index("see:") + 1))
            continue
        out.append(m.Pos(rel, line_no, found + 1))
        at = found + len(str(item))
    return out
