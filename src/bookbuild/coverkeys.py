"""The keys of a cover edition (docs/FORMAT.md "Cover editions"), checked apart from config.py.

What the keys do is render/cover's business; whether they can work together
— an interior that is a pdf edition, a paper the table knows, a price with an
ISBN to stand beside — is checked here, as presskeys.py does for the press keys.
"""
from __future__ import annotations

from .papers import PAPERS, paper_key
from .presskeys import PRESS_KEYS, press_problems

COVER_KEYS = {"interior": str, "paper": str, "caliper_mm": float, "flaps_mm": float, "cover_image": str,
              "back_text": str, "price": str, "bleed": float, "crop_marks": bool,
              **{k: v for k, v in PRESS_KEYS.items() if k != "pages_multiple_of"}}


def cover_problems(ed, editions, book_isbn: str) -> list[tuple[str, str, str]]:
    """(key, message, hint) for each cover setting that cannot work; `editions`: all of the book's."""
    table = f"editions.{ed.name}"
    pdfs = [e.name for e in editions if e.format == "pdf"]
    out = list(press_problems(ed))           # pdfx, color, bleed…: as on the interior
    if ed.interior not in pdfs:
        out.append(("interior", f'[{table}] interior = "{ed.interior}" is not a pdf edition of this book',
                    f"name the pdf edition the cover wraps: {', '.join(pdfs) or 'add one'}"))
    if ed.paper and paper_key(ed.paper) not in PAPERS:
        out.append(("paper", f'[{table}] paper = "{ed.paper}" is not in the paper table',
                    f"use one of {', '.join(PAPERS)}, or give the printer's caliper_mm"))
    for key, top in (("caliper_mm", 1.0), ("flaps_mm", 200.0)):
        if not 0 <= getattr(ed, key) <= top:
            out.append((key, f"[{table}] {key} = {getattr(ed, key)} is outside 0–{top:g} mm",
                        "give the size in millimetres"))
    isbn = ed.isbn or next((e.isbn for e in editions if e.name == ed.interior), "") or book_isbn
    if ed.price and not (len(ed.price) == 5 and ed.price.isascii() and ed.price.isdigit()):
        out.append(("price", f'[{table}] price = "{ed.price}" is not 5 digits',
                    'the EAN-5 add-on is 5 digits, e.g. price = "90350"'))
    elif ed.price and not isbn:
        out.append(("price", f"[{table}] price needs an ISBN: the add-on is printed beside its barcode",
                    f'give [{table}] isbn = "…" (or the interior\'s or [book]\'s)'))
    return out
