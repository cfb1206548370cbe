"""ISBNs as book.toml gives them: validated (python-stdnum) and written as urn:isbn:."""
from __future__ import annotations


def _stdnum():
    # deferred: python-stdnum's package import pulls pydoc and ssl (≈ 0.01–0.04 s),
    # paid by every command that reads a book.toml, though only an ISBN needs it
    from stdnum import isbn
    return isbn


def isbn_urn(value: str) -> str:
    """A valid ISBN-10 or ISBN-13 (hyphens, spaces allowed) as urn:isbn: and
    13 digits, the form TDPF's guide asks for in dc:identifier."""
    stdnum_isbn = _stdnum()
    return "urn:isbn:" + stdnum_isbn.compact(stdnum_isbn.to_isbn13(value))


def isbn_problem(value: str) -> str:
    """Why value is not a valid ISBN-10/13, or "" when it is."""
    stdnum_isbn = _stdnum()
    try:
        stdnum_isbn.validate(value)
    except stdnum_isbn.InvalidChecksum:
        digits = stdnum_isbn.compact(value)
        expected = (stdnum_isbn.ean.calc_check_digit(digits[:-1]) if len(digits) == 13
                    else stdnum_isbn._calc_isbn10_check_digit(digits[:-1]))
        return f"has a wrong check digit: {digits[-1]}, the digits before it give {expected}"
    except stdnum_isbn.ValidationError:
        return "is not an ISBN: 10 or 13 digits (the last of an ISBN-10 may be X), hyphens allowed"
    if len(stdnum_isbn.compact(value)) == 13 and not stdnum_isbn.compact(value).startswith(("978", "979")):
        return "is not an ISBN: an ISBN-13 begins with 978 or 979"
    return ""
