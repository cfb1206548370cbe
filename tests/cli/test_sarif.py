"""`check --format sarif` against the official OASIS SARIF 2.1.0 schema, plus what
code-scanning consumers rely on: BB rule ids, code-point columns, and locations
that resolve to the right file, line and column."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from helpers.books import BOOK_TOML, NOTES, REPO, make_book
from helpers.cli import bookbuild

jsonschema = pytest.importorskip("jsonschema", reason="dev dependency jsonschema==4.26.0")

SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0.schema.json"

# A chapter whose file name needs percent-encoding (space, CJK) and whose
# broken reference sits after CJK text, so a byte or UTF-16 column would differ.
ODD_NAME = "manuscript/02 長沙.md"
ODD_CHAPTER = "# 第二章　長沙\n\n長沙會戰，「戰況」激烈[^zz]。\n"
ORPHAN_NOTE = "\n[^orphan]: 無人引用的注。\n"


def _check_sarif(book: Path, workspace: Path | None = None) -> tuple[int, dict]:
    r = bookbuild("check", book, "--format", "sarif", console_script=True,
                  env={"GITHUB_WORKSPACE": str(workspace) if workspace else None})
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def _validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # The global FormatChecker knows every draft's formats, so artifactLocation.uri
    # ("uri-reference") is really checked, not skipped as draft-04 would.
    return cls(schema, format_checker=jsonschema.FormatChecker())


def _errors(doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator().iter_errors(doc)]


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    root = tmp_path_factory.mktemp("sarif") / "測試 book"  # the base URI needs encoding too
    toml = BOOK_TOML.replace('"manuscript/01.md",', f'"manuscript/01.md",\n  "{ODD_NAME}",')
    make_book(root, {"book.toml": toml, ODD_NAME: ODD_CHAPTER, "footnotes/01.md": NOTES + ORPHAN_NOTE})
    status, doc = _check_sarif(root)
    return root, status, doc


def test_schema_file_is_the_oasis_2_1_0_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert {"run", "result", "region", "artifactLocation"} <= set(schema["definitions"])


def test_format_checker_really_checks_uris():
    # Without rfc3986-validator installed, "uri-reference" would silently pass.
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers, "install rfc3986-validator==0.1.1"
    assert not checker.conforms("manuscript/02 長沙.md", "uri-reference")
    assert checker.conforms("manuscript/02%20%E9%95%B7%E6%B2%99.md", "uri-reference")


def test_broken_book_output_is_valid_sarif(broken):
    _, status, doc = broken
    assert status == 1
    assert _errors(doc) == []


def test_the_validator_rejects_what_the_schema_forbids(broken):
    # Guard against a schema or validator that accepts anything.
    _, _, doc = broken
    bad = json.loads(json.dumps(doc))
    bad["runs"][0]["columnKind"] = "bytes"
    bad["runs"][0]["results"][0]["level"] = "fatal"
    del bad["runs"][0]["tool"]["driver"]["name"]
    assert len(_errors(bad)) == 3


def test_clean_book_is_valid_sarif_with_no_results(tmp_path):
    status, doc = _check_sarif(make_book(tmp_path / "book"))
    assert status == 0
    assert _errors(doc) == []
    assert doc["runs"][0]["results"] == []


def test_rule_ids_are_bb_codes_and_declared(broken):
    _, _, doc = broken
    run = doc["runs"][0]
    declared = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert declared and all(re.fullmatch(r"BB\d{3}", i) for i in declared)
    used = {res["ruleId"] for res in run["results"]}
    assert {"BB101", "BB103"} <= used <= declared
    levels = {res["ruleId"]: res["level"] for res in run["results"]}
    assert levels["BB101"] == "error" and levels["BB103"] == "warning"


def _resolve(run: dict, loc: dict) -> Path:
    art = loc["physicalLocation"]["artifactLocation"]
    base = run["originalUriBaseIds"][art["uriBaseId"]]["uri"] if "uriBaseId" in art else ""
    url = urlparse(urljoin(base, art["uri"]))
    assert url.scheme == "file"
    return Path(unquote(url.path))


def _text_at(path: Path, line: int, col: int) -> str:
    """The text from 1-based line/column, columns counted in Unicode code points."""
    return path.read_text(encoding="utf-8").splitlines()[line - 1][col - 1:]


def test_locations_point_at_the_right_file_line_and_column(broken):
    root, _, doc = broken
    _assert_locations(root, doc)


def test_under_github_actions_uris_start_at_the_workspace(broken):
    # Code scanning takes a relative uri from the repository root, whatever its
    # uriBaseId says, so a book in a subfolder must carry that folder in its uris.
    root, _, _ = broken
    status, doc = _check_sarif(root, workspace=root.parent)
    assert status == 1 and _errors(doc) == []
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for res in doc["runs"][0]["results"]}
    assert unquote(min(uris)).startswith(root.name + "/")
    _assert_locations(root, doc)


def _assert_locations(root: Path, doc: dict) -> None:
    run = doc["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    by_rule = {res["ruleId"]: res for res in run["results"]}
    ref = by_rule["BB101"]["locations"][0]
    path = _resolve(run, ref)
    assert path == (root / ODD_NAME).resolve()
    region = ref["physicalLocation"]["region"]
    assert _text_at(path, region["startLine"], region["startColumn"]).startswith("[^zz]")
    orphan = by_rule["BB103"]["locations"][0]
    path = _resolve(run, orphan)
    assert path == (root / "footnotes/01.md").resolve()
    region = orphan["physicalLocation"]["region"]
    assert _text_at(path, region["startLine"], region["startColumn"]).startswith("[^orphan]")
