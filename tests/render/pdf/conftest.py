"""Fixtures of the render/pdf tests."""
from __future__ import annotations

import pytest

from helpers.pdf import Builder


@pytest.fixture
def builder(tmp_path, monkeypatch) -> Builder:
    """The small print book in tmp_path with a cache that survives between builds; records the pages drawn."""
    return Builder(tmp_path, monkeypatch)
