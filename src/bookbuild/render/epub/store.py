"""What the stores' reading systems read besides the EPUB standard.

Apple Books: `META-INF/com.apple.ibooks.display-options.xml` with
`specified-fonts` (Apple Books Asset Guide, "Display options") and the
matching `ibooks:specified-fonts` meta in the package: true makes Apple Books
use the book's font by default — only when the edition embeds it, since a
font named in the CSS but not in the book is not on the reader's device.
"""
from __future__ import annotations

from ...config import EditionConfig

IBOOKS_PREFIX = ("ibooks", "http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/")
DISPLAY_OPTIONS = "META-INF/com.apple.ibooks.display-options.xml"


def specified_fonts(edition: EditionConfig) -> str:
    """The value of ibooks:specified-fonts and of the display option."""
    return "true" if edition.embed_font else "false"


def display_options(edition: EditionConfig) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<display_options>\n  <platform name="*">\n'
            f'    <option name="specified-fonts">{specified_fonts(edition)}</option>\n'
            '  </platform>\n</display_options>\n').encode()


def container_files(edition: EditionConfig) -> dict[str, bytes]:
    """Files added to the archive outside the package (META-INF)."""
    return {DISPLAY_OPTIONS: display_options(edition)}
