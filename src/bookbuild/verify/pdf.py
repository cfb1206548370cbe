"""Reopen a built PDF and check what must hold for every vertical print edition.

Checks (docs/VERTICAL-TYPOGRAPHY.md): fonts are only the derived faces, embedded
and subset (VT-28, via `pdffonts`); the text layer has no forbidden code
points (VT-31, via `pdftotext`); the catalog has `/Lang` and
`/ViewerPreferences /Direction /R2L`, every page is portrait and has no
`/Rotate` (VT-29, via pikepdf).  Each failed check is one `Problem`.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf

# VT-31: vertical forms, Kangxi radicals, radical supplements, PUA, format chars, U+FFFD.
FORBIDDEN = re.compile(
    "[\uFE10-\uFE1F\uFE30-\uFE4F\u2F00-\u2FDF\u2E80-\u2EFF\uE000-\uF8FF"
    "\U000F0000-\U0010FFFF\u200B-\u200D\u2060\uFEFF\uFFFD]")
FONT_TYPES = {"CID TrueType", "CID Type 0C", "CID Type 0C (OT)", "CID TrueType (OT)"}
SUBSET = re.compile(r"^[A-Z]{6}\+(.+)$")


@dataclass(frozen=True, slots=True)
class Problem:
    check: str      # "fonts" | "text" | "catalog" | "pages" | "tools"
    message: str
    page: int = 0   # 1-based page, 0 = whole document


@dataclass(frozen=True, slots=True)
class FontRow:
    name: str
    type: str
    emb: bool
    sub: bool
    uni: bool


_STYLE = re.compile(r"-(Regular|Bold|Italic|Oblique|Bold-Italic|Bold-Oblique)$")


def pdf_font_name(family: str) -> str:
    """The BaseFont WeasyPrint writes for a family (spaces become hyphens)."""
    return family.replace(" ", "-")


def font_family_of(base_font: str) -> str:
    """BaseFont without subset tag and style suffix: `ABCDEF+Fam-Bold` → `Fam`.

    WeasyPrint names a font after its Pango description, which appends the
    style of a bold face (`BookbuildTateB-Bold`).
    """
    m = SUBSET.match(base_font)
    return _STYLE.sub("", m.group(1) if m else base_font)


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          encoding="utf-8", errors="replace").stdout


def pdffonts(path: Path) -> list[FontRow]:
    """Parse `pdffonts` output; the dash line gives the fixed column widths."""
    lines = _run(["pdffonts", str(path)]).splitlines()
    if len(lines) < 2:
        return []
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    rows = []
    for line in lines[2:]:
        cells = [line[a:b + 1].strip() for a, b in spans]
        if len(cells) < 6:
            continue
        rows.append(FontRow(cells[0], cells[1], cells[3] == "yes", cells[4] == "yes",
                            cells[5] == "yes"))
    return rows


def check_fonts(path: Path, allowed_families: set[str]) -> list[Problem]:
    allowed = {pdf_font_name(f) for f in allowed_families}
    out = []
    rows = pdffonts(path)
    if not rows:
        out.append(Problem("fonts", "the PDF has no fonts"))
    for r in rows:
        m = SUBSET.match(r.name)
        if font_family_of(r.name) not in allowed:
            out.append(Problem("fonts", f"font {r.name} is not a derived face ({', '.join(sorted(allowed))})"))
        if not (r.emb and r.sub and m):
            out.append(Problem("fonts", f"font {r.name} is not embedded and subset"))
        if r.type not in FONT_TYPES:
            out.append(Problem("fonts", f"font {r.name} has type {r.type}, not a CID font"))
    return out


def page_texts(path: Path, raw: bool = True) -> list[str]:
    """Text of each page (pdftotext pages are separated by form feeds)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else []) + [str(path), "-"]
    pages = _run(args).split("\f")
    if pages and pages[-1].strip() == "":
        pages = pages[:-1]
    return pages


def check_text(path: Path) -> list[Problem]:
    out = []
    for i, text in enumerate(page_texts(path, raw=False), 1):
        bad = sorted({f"U+{ord(c):04X}" for c in FORBIDDEN.findall(text)})
        if bad:
            out.append(Problem("text", f"forbidden code points in the text layer: {', '.join(bad[:10])}", i))
    return out


def check_catalog(pdf: pikepdf.Pdf, language: str) -> list[Problem]:
    out = []
    root = pdf.Root
    if str(root.get("/Lang", "")) != language:
        out.append(Problem("catalog", f"/Lang is {str(root.get('/Lang', '')) or 'missing'}, not {language}"))
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, pikepdf.Dictionary) or prefs.get("/Direction") != pikepdf.Name.R2L:
        out.append(Problem("catalog", "/ViewerPreferences has no /Direction /R2L"))
    return out


def check_pages(pdf: pikepdf.Pdf, size: tuple[float, float] | None = None) -> list[Problem]:
    out = []
    for i, page in enumerate(pdf.pages, 1):
        x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
        w, h = abs(x1 - x0), abs(y1 - y0)
        if int(page.obj.get("/Rotate", 0)) != 0:
            out.append(Problem("pages", "page has /Rotate", i))
        if w >= h:
            out.append(Problem("pages", f"page is not portrait ({w:.1f}×{h:.1f} pt)", i))
        elif size and (abs(w - size[0]) > 0.5 or abs(h - size[1]) > 0.5):
            out.append(Problem("pages", f"page is {w:.1f}×{h:.1f} pt, not {size[0]:.1f}×{size[1]:.1f}", i))
    return out


def verify_pdf(path: Path, *, language: str, allowed_families: set[str],
               size: tuple[float, float] | None = None) -> list[Problem]:
    """Run every check on the PDF at `path`; [] when it passes."""
    path = Path(path)
    try:
        with pikepdf.open(path) as pdf:
            problems = check_catalog(pdf, language) + check_pages(pdf, size)
    except (pikepdf.PdfError, OSError) as e:
        return [Problem("pages", f"cannot open {path.name}: {e}")]
    try:
        problems += check_fonts(path, allowed_families) + check_text(path)
    except (OSError, subprocess.CalledProcessError) as e:
        problems.append(Problem("tools", f"poppler failed on {path.name}: {e}"))
    return problems
