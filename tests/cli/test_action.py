"""action.yml: a well-formed composite action, and its shell steps really work
(they are run here with bash, the way the runner would, against tiny books)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from helpers.books import CHAPTER, REPO, make_book

ACTION = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]


def _step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def _expressions(node) -> list[str]:
    """Every ${{ … }} in the action, anywhere."""
    if isinstance(node, dict):
        return [e for k, v in node.items() for e in _expressions(k) + _expressions(v)]
    if isinstance(node, list):
        return [e for v in node for e in _expressions(v)]
    return re.findall(r"\$\{\{(.*?)\}\}", node) if isinstance(node, str) else []


def test_metadata_and_inputs():
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert inputs["book-dir"]["default"] == "."
    assert inputs["build"]["default"] == "false" and inputs["sarif"]["default"] == "false"
    assert "python-version" in inputs
    assert all(i.get("description") for i in inputs.values())


def test_every_step_is_well_formed():
    for step in STEPS:
        assert step.get("name"), step
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            # Inputs reach scripts through env, never pasted into the script (injection).
            assert "${{" not in step["run"], step["name"]
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_inputs_used_and_declared():
    # `if:` holds a bare expression, everything else ${{ … }}
    exprs = _expressions(ACTION["runs"]) + [s["if"] for s in STEPS if "if" in s]
    used = {m.group(1) for e in exprs for m in re.finditer(r"inputs\.([\w-]+)", e)}
    assert used == set(ACTION["inputs"])
    conditions = {s["name"]: s.get("if") for s in STEPS}
    assert conditions["bookbuild build"] == "inputs.build == 'true' || inputs.validate == 'true'"
    assert conditions["Upload dist/"] == "inputs.build == 'true' || inputs.validate == 'true'"
    assert conditions["Install DAISY Ace and Chromium"] == "inputs.validate == 'true'"
    assert conditions["Upload SARIF to code scanning"] == "inputs.sarif == 'true'"
    # The SARIF file is written before the check that fails the job on errors.
    names = [s["name"] for s in STEPS]
    assert names.index("bookbuild check (SARIF)") < names.index("bookbuild check")


def test_uses_the_pinned_lock_and_the_setup_fonts():
    install = _step("Install bookbuild")["run"]
    assert '"$ACTION_PATH/requirements.lock"' in install and (REPO / "requirements.lock").is_file()
    assert _step("Install bookbuild")["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    wanted = set(re.search(r"APT_PACKAGES=\(([^)]*)\)", setup).group(1).split()) - {"chromium"}
    apt = _step("Install fonts, poppler and Java")["run"]
    assert wanted <= set(apt.replace("\\", " ").split())
    upload = _step("Upload dist/")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "${{ inputs.book-dir }}/dist/"


def _run_step(name: str, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Run one step's script with bash -e, as the runner does, bookbuild on PATH."""
    output = tmp_path / "github_output"
    output.touch()
    full = {**os.environ, **env, "GITHUB_OUTPUT": str(output), "GITHUB_WORKSPACE": str(tmp_path),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    full.pop("PYTHONPATH", None)
    r = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", _step(name)["run"]],
                       cwd=tmp_path, env=full, capture_output=True, text=True, timeout=300)
    return r, output


@pytest.fixture
def broken(tmp_path):
    return make_book(tmp_path / "book", {"manuscript/01.md": CHAPTER + "\n城破之日[^fall]。\n"})


def test_check_step_annotates_and_fails(tmp_path, broken):
    r, _ = _run_step("bookbuild check", tmp_path, BOOK_DIR="book", STRICT="false")
    assert r.returncode == 1, r.stderr
    assert re.search(r"^::error file=book/manuscript/01\.md,line=7,col=5,title=BB101::", r.stdout, re.M)


def test_check_step_passes_a_clean_book_and_strict_counts_warnings(tmp_path):
    make_book(tmp_path / "book", {"footnotes/01.md": "[^a]: 甲。\n\n[^b]: 乙。\n\n[^c]: 未用。\n"})
    r, _ = _run_step("bookbuild check", tmp_path, BOOK_DIR="book", STRICT="false")
    assert r.returncode == 0 and "::warning" in r.stdout and "BB103" in r.stdout
    r, _ = _run_step("bookbuild check", tmp_path, BOOK_DIR="book", STRICT="true")
    assert r.returncode == 1


def test_sarif_step_writes_the_file_even_when_the_book_has_errors(tmp_path, broken):
    r, output = _run_step("bookbuild check (SARIF)", tmp_path, BOOK_DIR="book")
    assert r.returncode == 0, r.stderr
    assert "file=bookbuild.sarif" in output.read_text(encoding="utf-8").splitlines()
    doc = json.loads((tmp_path / "bookbuild.sarif").read_text(encoding="utf-8"))
    result = doc["runs"][0]["results"][0]
    assert result["ruleId"] == "BB101"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "book/manuscript/01.md"


def test_sarif_step_fails_when_there_is_no_book(tmp_path):
    r, output = _run_step("bookbuild check (SARIF)", tmp_path, BOOK_DIR="nowhere")
    assert r.returncode == 2
    assert output.read_text(encoding="utf-8") == ""


def test_build_step_fills_the_uploaded_folder(tmp_path):
    make_book(tmp_path / "book")
    r, _ = _run_step("bookbuild build", tmp_path, BOOK_DIR="book")
    assert r.returncode == 0, r.stdout + r.stderr
    # The artifact step uploads ${{ inputs.book-dir }}/dist/: one file per edition.
    dist = tmp_path / "book" / "dist"
    assert (dist / "epub.epub").stat().st_size > 0
    assert (dist / "print.pdf").read_bytes().startswith(b"%PDF-")


def test_validate_builds_with_check_and_installs_ace_from_the_lock():
    """`validate: "true"`: the build step adds --check; Ace comes from the
    action's own lock, without a browser download, and is found by bookbuild."""
    build = _step("bookbuild build")
    assert build["env"]["VALIDATE"] == "${{ inputs.validate }}" and "args+=(--check)" in build["run"]
    ace = _step("Install DAISY Ace and Chromium")["run"]
    assert 'cd "$ACTION_PATH/tools/ace"' in ace and "npm ci --ignore-scripts" in ace
    assert (REPO / "tools" / "ace" / "package-lock.json").is_file()
    assert "BOOKBUILD_ACE=$ACTION_PATH/tools/ace/node_modules/.bin/ace-puppeteer" in ace
    assert "PUPPETEER_EXECUTABLE_PATH=" in ace
