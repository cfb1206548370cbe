"""Interior papers and the spine width of a perfect-bound cover (docs/FORMAT.md "Cover editions").

Taiwanese printers quote paper thickness in 條 (1 條 = 0.01 mm: a "9 條"
paper is 0.09 mm) and compute the spine as

    spine (mm) = pages ÷ 2 × caliper (mm)

pages being the printed pages of the interior (after padding to the binding's
multiple): two pages make one leaf, one caliper thick.  The calipers below
follow the trade's rule of thumb — g/m² ÷ 10 + 1 條 for uncoated woodfree
papers (道林紙, 模造紙, 書面紙), g/m² ÷ 10 − 1 條 for matt coated (雪銅紙) — and
are estimates: the printer's own figure, given as `caliper_mm`, always wins.
"""
from __future__ import annotations

# name (as written in book.toml, spaces ignored) → caliper in 條 (0.01 mm)
PAPERS: dict[str, int] = {
    "道林紙70g": 8, "道林紙80g": 9, "道林紙100g": 11, "道林紙120g": 13,
    "模造紙70g": 8, "模造紙80g": 9, "模造紙100g": 11,
    "書面紙100g": 11, "書面紙120g": 13,
    "雪銅紙100g": 9, "雪銅紙120g": 11,
}
DEFAULT_PAPER = "道林紙80g"
TIAO_MM = 0.01     # 1 條


def paper_key(name: str) -> str:
    """`道林紙 80g`, `道林紙80G` → the table's `道林紙80g`."""
    return "".join(name.split()).replace("G", "g")


def caliper_mm(paper: str = "", caliper: float = 0.0) -> float:
    """The sheet thickness in mm: `caliper` when given, else the paper's."""
    if caliper > 0:
        return caliper
    return PAPERS[paper_key(paper or DEFAULT_PAPER)] * TIAO_MM


def spine_mm(pages: int, caliper: float) -> float:
    """Spine width: one caliper per leaf (an odd page count still fills its leaf)."""
    leaves = -(-pages // 2)
    return leaves * caliper
