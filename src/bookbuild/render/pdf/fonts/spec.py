"""What one derived face is: its names, weight, orientation and the glyphs of its own (tcy, note calls)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaceSpec:
    family: str
    ps_name: str
    style: str = "Regular"
    weight: int = 400
    upright: bool = True                    # pre-rotate CJK (False: horizontal face)
    tcy_runs: frozenset[str] = field(default_factory=frozenset)
    call_numbers: frozenset[str] = field(default_factory=frozenset)
