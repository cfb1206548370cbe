"""Does a book's own stylesheet reach a page?  (textpages.py asks, per page.)

A page the book's CSS styles (a colour on `.q`, a rule under `p.n`) is drawn
by WeasyPrint, which applies it; a page no rule of the book's stylesheets
matches is drawn straight into the PDF (textpages.py), which knows only the
package's print.css.  Rules are matched against the page's HTML, the same
document WeasyPrint would get (page_html.py), with cssselect2, WeasyPrint's
own selector engine.  Anything this module cannot judge (an at-rule, a
selector it cannot compile) counts as reaching every page.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import cssselect2
import tinycss2
from tinycss2 import ast


class BookRules:
    """The selectors of the rules in the book's filtered stylesheets (css.book_css)."""

    def __init__(self, sheets: list[str]):
        self.everywhere = False
        self.selectors: list = []
        for text in sheets:
            for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
                self._take(rule)

    def _take(self, rule) -> None:
        if isinstance(rule, ast.QualifiedRule):
            decls = [d for d in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                               skip_comments=True)
                     if isinstance(d, ast.Declaration)]
            if not decls:
                return          # every declaration was filtered out: the rule does nothing
            try:
                self.selectors += cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                self.everywhere = True
        elif not isinstance(rule, ast.ParseError):
            self.everywhere = True      # @page, @media …: may reach any page

    def reach(self, page_html: str) -> bool:
        """True when a rule may style an element of this page (or the check cannot tell)."""
        if self.everywhere:
            return True
        if not self.selectors:
            return False
        try:
            root = ET.fromstring(f"<html><body>{page_html}</body></html>")
        except ET.ParseError:
            return True
        for element in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
            if any(sel.test(element) for sel in self.selectors):
                return True
        return False
