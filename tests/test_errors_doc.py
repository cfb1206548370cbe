"""docs/ERRORS.md is complete and true to the code: a section for every code
(diagnostics.CODES and the contract table in docs/FORMAT.md) with the code's
severity, meaning, example and fix, and every code tested by a corpus case
(tests/corpus/bad) or a named unit test that exists."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bookbuild.diagnostics import CODES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ERRORS.md"
CORPUS = ROOT / "tests" / "corpus" / "bad"
SECTION = re.compile(r"^## (BB\d{3}) — (.+)$", re.M)
FIELDS = ("Severity", "Meaning", "Example", "Fix", "Tested by")


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    heads = list(SECTION.finditer(text))
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        # a section ends at the next heading of any kind
        body = text[m.end():end]
        nxt = re.search(r"^## ", body, re.M)
        out[m.group(1)] = body[:nxt.start()] if nxt else body
    return out


def _field(body: str, name: str) -> str:
    m = re.search(rf"^- \*\*{name}:\*\*(.*?)(?=^- \*\*|\Z)", body, re.M | re.S)
    return m.group(1).strip() if m else ""


def _contract_codes() -> set[str]:
    text = (ROOT / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| (BB\d{3}) \|", text, re.M))


def _corpus_codes() -> dict[str, set[str]]:
    """case folder -> the codes its expect.toml lists."""
    out = {}
    for case in CORPUS.iterdir():
        expect = case / "expect.toml"
        if expect.is_file():
            data = tomllib.loads(expect.read_text(encoding="utf-8"))
            out[case.name] = {d["code"] for d in data.get("diag", [])}
    return out


SECTIONS = _sections()


def test_every_code_has_a_section():
    codes = set(CODES) | _contract_codes()
    assert len(_contract_codes()) >= 30
    assert not codes - set(SECTIONS), f"no section in docs/ERRORS.md for {sorted(codes - set(SECTIONS))}"
    assert not set(SECTIONS) - set(CODES), f"sections for unknown codes {sorted(set(SECTIONS) - set(CODES))}"


def test_sections_are_in_code_order():
    assert list(SECTIONS) == sorted(SECTIONS)


@pytest.mark.parametrize("code", sorted(CODES))
def test_section_fields(code):
    body = SECTIONS.get(code)
    assert body is not None, code
    for name in FIELDS:
        assert len(_field(body, name)) > 10 or name == "Severity", f"{code}: no {name}"
    severity = _field(body, "Severity")
    assert severity.split()[0] == CODES[code][0], f"{code}: severity {severity!r}, CODES says {CODES[code][0]}"


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_is_tested(code):
    """Every reference in "Tested by" exists and concerns the code; every code
    has at least one corpus case or unit test."""
    tested_by = _field(SECTIONS.get(code, ""), "Tested by")
    refs = re.findall(r"`([^`]+)`", tested_by)
    corpus = _corpus_codes()
    for ref in refs:
        if ref.startswith("tests/corpus/bad/"):
            name = ref.removeprefix("tests/corpus/bad/").rstrip("/")
            assert name in corpus, f"{code}: no corpus case {ref}"
            assert code in corpus[name], f"{code}: {ref} does not expect {code}"
        else:
            path, _, func = ref.partition("::")
            assert func, f"{code}: name the test as tests/file.py::test_name, not {ref!r}"
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {re.escape(func)}\(", source, re.M), f"{code}: no {ref}"
    in_corpus = any(code in codes for codes in corpus.values())
    assert refs and (in_corpus or any("::" in r for r in refs)), f"{code}: no corpus case or unit test"


def test_exit_statuses_documented():
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("## Exit statuses"):text.index("## Internal errors")]
    for status in (0, 1, 2, 3, 130, 143):
        assert re.search(rf"^\| {status} \|", table, re.M), status


def test_internal_error_line_matches_the_cli():
    """The documented one-line message is the one cli.py prints."""
    text = DOC.read_text(encoding="utf-8")
    cli = (ROOT / "src" / "bookbuild" / "cli.py").read_text(encoding="utf-8")
    line = "bookbuild: internal error; the full report is in "
    assert line in text
    assert 'internal error; the full report is in {where}' in cli
    assert "BOOKBUILD_CRASH_DIR" in text
