"""The press step of a cover: where the interior's PDF/X, colour and marks
finishing (issue 17, items 1–3) is applied to the cover too.

One function, so that the cover takes the interior's step unchanged once it
exists; until then a cover leaves here as WeasyPrint drew it (RGB, its own
crop marks when `crop_marks = true`).
"""
from __future__ import annotations

import pikepdf


def finish(pdf: pikepdf.Pdf, ed) -> None:
    """Apply the edition's press settings to the cover, in place."""
    return None
