"""Diagnostics (BBnnn codes) and their output formats: text, json, github, sarif."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

# One-line explanation per code (also the SARIF rule descriptions).
CODES: dict[str, tuple[str, str]] = {
    "BB101": ("error", "note reference without a definition"),
    "BB102": ("error", "note defined twice"),
    "BB103": ("warning", "note defined but never referenced"),
    "BB104": ("error", "note referenced more than once without .again"),
    "BB105": ("error", "empty note"),
    "BB106": ("error", "note reference inside a note"),
    "BB107": ("warning", "legacy note marker left in the text"),
    "BB108": ("error", "malformed note id"),
    "BB109": ("error", "note defined inside a chapter file"),
    "BB201": ("error", "citation key not in sources.yaml"),
    "BB202": ("warning", "source never cited"),
    "BB203": ("error", "citation with an empty key"),
    "BB301": ("error", "glossary term not found"),
    "BB302": ("warning", "glossary entry never used"),
    "BB303": ("error", "glossary see points to a missing entry"),
    "BB304": ("error", "duplicate glossary key or id"),
    "BB401": ("warning", "ASCII punctuation the normalizer would change"),
    "BB402": ("error", "character no font of the edition's chain can draw"),
    "BB403": ("warning", "variation sequence no font of the edition's chain has (its base is drawn)"),
    "BB404": ("error", "unbalanced quotes"),
    "BB405": ("warning", "character converts ambiguously to Simplified"),
    "BB406": ("warning", "raw HTML or TeX: a block is left out, a tag is printed as text"),
    "BB407": ("warning", "content an edition leaves out (YAML metadata in a chapter, an image in a pdf edition)"),
    "BB408": ("warning", "characters only a fallback font has, in an EPUB that does not embed it"),
    "BB501": ("error", "chapter listed in book.toml but missing"),
    "BB502": ("error", "book.toml invalid"),
    "BB503": ("error", "file is not valid UTF-8"),
    "BB504": ("error", "sources.yaml or glossary.yaml invalid"),
    "BB505": ("warning", "chapter file is empty"),
    "BB506": ("warning", "chapter has no # title heading"),
    "BB507": ("warning", ".md in manuscript/ not listed in chapters"),
    "BB508": ("error", "path outside the book root, or a symlink loop"),
    "BB509": ("error", "asset missing or not an image"),
    "BB510": ("error", "a limit exceeded"),
    "BB601": ("error", "output not writable, or disk full"),
    "BB604": ("warning", "message from a renderer or converter (WeasyPrint, Pandoc)"),
    "BB605": ("error", "an external tool (Pandoc, WeasyPrint, a validator) failed"),
    "BB606": ("error", "EPUBCheck found a problem in a built EPUB (build --check)"),
    "BB607": ("error", "DAISY Ace found an accessibility violation in a built EPUB (build --check)"),
    "BB608": ("error", "a validator build --check needs is not installed"),
    "BB701": ("warning", "loose column"),
    "BB702": ("warning", "kinsoku exception"),
    "BB703": ("warning", "glyph drawn as .notdef"),
    "BB704": ("error", "a figure or table the print layout cannot place"),
    "BB801": ("error", "colour outside the file's colour mode (RGB, Lab or spot in a gray/CMYK file)"),
    "BB802": ("error", "font not embedded, or a Type 3 font"),
    "BB803": ("warning", "image under 300 ppi at its placed size"),
    "BB804": ("error", "page boxes missing or inconsistent"),
    "BB805": ("error", "printer's mark inside the bleed"),
    "BB806": ("warning", "text closer to the trim than the safety margin"),
    "BB807": ("error", "PDF/X identification missing (output intent, XMP, Trapped, ID)"),
    "BB808": ("error", "transparency in a PDF/X-1a file"),
    "BB809": ("error", "page count not a multiple of the binding's"),
    "BB810": ("error", "output profile missing or unreadable"),
    "BB901": ("warning", "image without a text alternative"),
    "BB902": ("warning", "image below 300 ppi at its placed size in a print edition"),
    "BB903": ("error", "image larger than the page even as a plate"),
    "BB904": ("error", "cross-reference to no figure or table"),
    "BB905": ("error", "figure or table id given twice"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    file: str          # relative to the book root (POSIX)
    line: int = 1
    col: int = 1
    hint: str = ""
    severity: str = ""  # filled from CODES when empty

    def __post_init__(self):
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code][0])

    def sort_key(self):
        return (self.file, self.line, self.col, self.code)


def diag(code: str, pos, message: str, hint: str = "") -> Diagnostic:
    """Build a diagnostic at a `Pos` (anything with file/line/col)."""
    return Diagnostic(code, message, pos.file, pos.line, pos.col, hint)


WRITE_HINT = "check that the output folder exists, is writable and the disk is not full"


def cannot_write(path, err: OSError | str, file: str | None = None, hint: str = WRITE_HINT) -> Diagnostic:
    """BB601: `path` could not be written (the one constructor for it).

    `file` is where the diagnostic points when that is not the path itself
    (a book file `fix` could not rewrite is named relative to the root)."""
    reason = err if isinstance(err, str) else (err.strerror or str(err))
    return Diagnostic("BB601", f"cannot write {path}: {reason}", str(path) if file is None else file, 1, 1, hint)


def summary(diags) -> tuple[int, int]:
    errors = sum(1 for d in diags if d.severity == "error")
    return errors, sum(1 for d in diags if d.severity == "warning")


def exit_status(diags, strict: bool = False) -> int:
    errors, warnings = summary(diags)
    return 1 if errors or (strict and warnings) else 0


def _display_path(book_dir: Path, file: str, base: Path) -> str:
    full = (book_dir / file).resolve() if file else book_dir.resolve()
    try:
        return os.path.relpath(full, base)
    except ValueError:
        return str(full)


def format_text(diags, book_dir: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    lines = []
    for d in diags:
        hint = f" (hint: {d.hint})" if d.hint else ""
        path = _display_path(book_dir, d.file, cwd)
        lines.append(f"{path}:{d.line}:{d.col}: {d.severity} {d.code} {d.message}{hint}")
    errors, warnings = summary(diags)
    lines.append(f"{errors} error{'s' if errors != 1 else ''}, "
                 f"{warnings} warning{'s' if warnings != 1 else ''}")
    return "\n".join(lines) + "\n"


def to_json_obj(diags, book_dir: Path) -> dict:
    errors, warnings = summary(diags)
    return {
        "book_dir": str(book_dir),
        "diagnostics": [
            {"code": d.code, "severity": d.severity, "message": d.message, "hint": d.hint,
             "file": d.file, "line": d.line, "column": d.col}
            for d in diags
        ],
        "summary": {"errors": errors, "warnings": warnings},
    }


def format_json(diags, book_dir: Path) -> str:
    return json.dumps(to_json_obj(diags, book_dir), ensure_ascii=False, indent=2) + "\n"


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def format_github(diags, book_dir: Path) -> str:
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    out = []
    for d in diags:
        level = "error" if d.severity == "error" else "warning"
        path = _display_path(book_dir, d.file, base)
        msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
        out.append(f"::{level} file={_gh_escape_prop(path)},line={d.line},col={d.col},"
                   f"title={_gh_escape_prop(d.code)}::{_gh_escape_data(msg)}")
    return "\n".join(out) + ("\n" if out else "")


def _sarif_base(book_dir: Path) -> tuple[str, Path, str]:
    """(uriBaseId, base folder, book root's path inside it). Code scanning reads a
    relative uri from the repository root and ignores uriBaseId, so under GitHub
    Actions uris start at $GITHUB_WORKSPACE (as `github` paths do)."""
    root = book_dir.resolve()
    ws = os.environ.get("GITHUB_WORKSPACE")
    ws_path = Path(ws).resolve() if ws else None
    if ws_path and (root == ws_path or ws_path in root.parents):
        rel = root.relative_to(ws_path).as_posix()
        return "%SRCROOT%", ws_path, "" if rel == "." else rel + "/"
    return "BOOKROOT", root, ""


def format_sarif(diags, book_dir: Path) -> str:
    base_id, base, prefix = _sarif_base(book_dir)
    used = sorted({d.code for d in diags} | set(CODES))
    rules = [{"id": c, "shortDescription": {"text": CODES[c][1]},
              "defaultConfiguration": {"level": "error" if CODES[c][0] == "error" else "warning"}}
             for c in used]
    results = [{
        "ruleId": d.code,
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
        "locations": [{"physicalLocation": {
            # a SARIF uri is a URI reference: percent-encode spaces and CJK file names
            "artifactLocation": {"uri": quote(prefix + d.file), "uriBaseId": base_id},
            "region": {"startLine": d.line, "startColumn": d.col}}}],
    } for d in diags]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bookbuild", "informationUri": "https://example.invalid/bookbuild",
                                "rules": rules}},
            "originalUriBaseIds": {base_id: {"uri": base.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github, "sarif": format_sarif}


def format_report(diags, fmt: str, book_dir: Path) -> str:
    """The diagnostics, sorted by place, as one report in `fmt` (text, json, github, sarif)."""
    diags = sorted(diags, key=Diagnostic.sort_key)
    return FORMATTERS[fmt](diags, book_dir)


class BookError(Exception):
    """Raised by loaders when the book cannot be read at all; carries diagnostics."""

    def __init__(self, diagnostics):
        super().__init__("; ".join(f"{d.code} {d.message}" for d in diagnostics))
        self.diagnostics = list(diagnostics)


def as_dict(d: Diagnostic) -> dict:
    return asdict(d)
