"""The print stylesheet of one build: @font-face rules for the derived faces,
the page geometry, print.css and the book's own styles with the declarations
that would break the grid removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import tinycss2
from tinycss2 import ast

from ....check.assets import css_problem
from ....config import EditionConfig
from ....model import Book
from ..fonts.derived import DerivedFonts
from ..layout.frame import Frame, css_pt
from ..layout.layout_types import BOLD_ROLES
from .page_html import role_class


@dataclass(frozen=True, slots=True)
class Faces:
    """CSS family names of the derived faces (VT-28: nothing else may appear)."""
    upright: str
    horizontal: str
    bold: str

    @classmethod
    def of(cls, fonts: DerivedFonts) -> Faces:
        return cls(fonts.upright_family, fonts.horizontal_family, fonts.bold_family)


def face_files(fonts: DerivedFonts) -> dict[str, Path]:
    """Family → derived font file (a horizontal edition's upright and horizontal face are one)."""
    return {fonts.upright_family: fonts.upright, fonts.horizontal_family: fonts.horizontal,
            fonts.bold_family: fonts.bold}


def stylesheet(book: Book, ed: EditionConfig, frame: Frame, fonts: DerivedFonts) -> str:
    """Everything the pages of one build are drawn with."""
    faces = Faces.of(fonts)
    urls = {family: path.as_uri() for family, path in face_files(fonts).items()}
    base = (resources.files("bookbuild") / "data" / "styles" / "print.css").read_text(encoding="utf-8")
    own = [base, geometry_css(frame, faces)] + [book_css(t) for t in book_styles(book, ed)]
    # @font-face first: the faces must be known before any rule uses them.
    return font_css(faces, urls) + "\n" + "\n".join(own)


def book_styles(book: Book, ed: EditionConfig) -> list[str]:
    """The book's styles/all.css and styles/<edition>.css, as written."""
    paths = [book.root / "styles" / name for name in ("all.css", f"{ed.name}.css")]
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file()]


def font_css(faces: Faces, urls: dict[str, str]) -> str:
    """@font-face rules for the derived faces (family → file URL)."""
    out = []
    for family, url in urls.items():
        weight = "bold" if family == faces.bold else "normal"
        out.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); font-weight: {weight}; }}')
    return "\n".join(out)


def geometry_css(frame: Frame, faces: Faces) -> str:
    """Page size and the only font families allowed (no fallbacks, VT-28).  No
    `marks`: WeasyPrint would draw them inside the bleed; finishing/marks.py
    draws them outside it."""
    bold = ", ".join(f"p.{role_class(r)}" for r in sorted(BOLD_ROLES))
    marks = "none"
    return f"""
@page {{ size: {css_pt(frame.width)} {css_pt(frame.height)}; margin: 0; bleed: {css_pt(frame.bleed)}; marks: {marks}; }}
html {{ font-family: "{faces.upright}"; font-size: {css_pt(frame.s)}; line-height: {css_pt(frame.s)}; }}
section.page {{ width: {css_pt(frame.width)}; height: {css_pt(frame.height)}; }}
{bold} {{ font-family: "{faces.bold}"; font-weight: bold; }}
.folio, .rh {{ font-family: "{faces.horizontal}"; }}
"""


# ------------------------------------------------------------ book styles

# docs/FORMAT.md "Files and safety": in pdf editions the grid comes from the
# geometry keys; these properties would break it (or bring characters and
# fonts the derived faces do not have) and are dropped from the book's CSS.
_BANNED = re.compile(
    r"^(font|font-family|font-size|font-feature-settings|font-variant.*|line-height|letter-spacing|"
    r"word-spacing|text-indent|text-align|text-align-last|text-transform|white-space|writing-mode|"
    r"direction|unicode-bidi|content|margin.*|padding.*|(min-|max-)?(width|height)|inset.*|"
    r"position|top|left|right|bottom|float|display|transform.*|size|marks|bleed)$")
_DROP_AT = {"import", "font-face", "namespace"}


def book_css(text: str) -> str:
    """The book's stylesheet without the grid-breaking declarations; nothing
    from a stylesheet too large or too deeply nested to parse safely
    (check/assets.py reports it, BB510)."""
    if css_problem(text) is not None:
        return ""

    return tinycss2.serialize(_filter_rules(tinycss2.parse_stylesheet(text, skip_comments=True)))


def _filter_rules(rules):
    out = []
    for rule in rules:
        if isinstance(rule, ast.QualifiedRule):
            rule.content = _filter_decls(rule.content)
        elif isinstance(rule, ast.AtRule):
            kw = rule.lower_at_keyword
            if kw in _DROP_AT:
                continue
            if rule.content is not None and kw in ("media", "supports", "layer"):
                rule.content = _filter_rules(tinycss2.parse_rule_list(rule.content))
            elif rule.content is not None:   # @page and its margin boxes
                rule.content = _filter_decls(rule.content)
        out.append(rule)
    return out


def _filter_decls(content):
    """Keep the allowed declarations; drop nested at-rules (e.g. @page margin
    boxes, whose `content` would bring text the layout never saw)."""
    kept = []
    for node in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True):
        if isinstance(node, ast.Declaration) and not _BANNED.match(node.lower_name):
            important = " !important" if node.important else ""
            kept.append(f"{node.name}:{tinycss2.serialize(node.value).strip()}{important}")
    return tinycss2.parse_component_value_list(" " + "; ".join(kept) + " ")
