"""The text of one edition, as both renderers draw it (book.toml settings).

`EditionText.normalize` is what every piece of the author's prose goes
through before a renderer sets it: the §4 rows (normalize.py; row 4 only in
print editions), then `numerals = "chinese"` (numerals.py).  `numbers` writes
generated numbers (note calls, 見第N章注M, folios) in the edition's numerals.

The patterns below are how both renderers find the Latin and digit runs a
vertical edition sets upright or as tcy (VT-12, VT-13).  Each renderer looks
at text differently, so two acronym patterns remain, each kept exactly as
that renderer has always used it:

* the EPUB searches inside a text node (`ACRONYM_IN_TEXT`): 1–3 capitals
  touching no letter, digit, `.`, `-` or `/` (B-29 and U.S. stay sideways);
* the PDF classifies a whole Latin run its unit maker has already cut out
  (`ACRONYM_RUN`): a single letter of either case, or 2–3 capitals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import BookConfig, EditionConfig
from .normalize import normalize_for_render
from .numerals import digit_by_digit, to_chinese_numerals
from .numerals import positional as positional_chinese

DIGIT_RUN = re.compile(r"[0-9]+")
# Any decimal digit (fullwidth too): the EPUB's 見第N章注M labels have always
# converted these (a 〈title〉 label may hold the author's fullwidth digits).
ANY_DIGIT_RUN = re.compile(r"\d+")
# A number with its separators (14.8, 10:30, 1/12, 50%): one unit in print.
NUMBER_RUN = re.compile(r"[0-9][0-9.,:/%-]*")
ACRONYM_IN_TEXT = re.compile(r"(?<![A-Za-z0-9.\-/])[A-Z]{1,3}(?![A-Za-z0-9.\-/])")
ACRONYM_RUN = re.compile(r"[A-Z]{2,3}|[A-Za-z]")


@dataclass(frozen=True)
class EditionText:
    """What an edition does to text (from book.toml)."""
    vertical: bool
    numerals: str                 # "tcy" | "upright" | "sideways" | "chinese"
    long_numbers: str             # "sideways" | "upright"
    range_mark: str = "～"
    interpunct: str = "·"
    pdf: bool = False             # §4 row 4 applies to print editions only
    # Texts already normalized in this build, shared by the editions that render
    # the same book (BuildData.normalized: epub and epub-horizontal set the same
    # paragraphs); the key holds every setting normalize() reads.  Not a setting.
    memo: dict | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, edition: EditionConfig, config: BookConfig | None = None, *, pdf: bool,
           memo: dict | None = None) -> EditionText:
        """The edition's text settings; without a book config, the §4 defaults."""
        marks = {"range_mark": config.range, "interpunct": config.interpunct} if config is not None else {}
        return cls(edition.vertical, edition.numerals, edition.long_numbers, pdf=pdf, memo=memo, **marks)

    def normalize(self, text: str) -> str:
        """§4 rows, then the edition's numeral conversion."""
        if self.memo is None:
            return self._normalize(text)
        key = (self.pdf, self.range_mark, self.interpunct, self.numerals == "chinese", text)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._normalize(text)
        return found

    def _normalize(self, text: str) -> str:
        text = normalize_for_render(text, pdf=self.pdf, range_mark=self.range_mark, interpunct=self.interpunct)
        if self.numerals == "chinese":
            text = to_chinese_numerals(text)
        return text

    def numbers(self, text: str, positional: bool = False, digits: re.Pattern = DIGIT_RUN) -> str:
        """Generated text's numbers in the edition's numerals: unchanged unless
        `numerals = "chinese"`, then positional (15 → 十五) or digit by digit
        (1944 → 一九四四)."""
        if self.numerals != "chinese":
            return text
        if positional:
            return digits.sub(lambda mt: positional_chinese(int(mt.group())), text)
        return digits.sub(lambda mt: digit_by_digit(mt.group()), text)

    def number(self, n: int) -> str:
        """A generated number (a note's): 十五 under `numerals = "chinese"`, else 15."""
        return positional_chinese(n) if self.numerals == "chinese" else str(n)
