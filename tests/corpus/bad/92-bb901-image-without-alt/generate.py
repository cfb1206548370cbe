"""A 1200×900 PNG written here (Pillow), not committed as a binary."""
from pathlib import Path

from PIL import Image


def generate(book: Path) -> None:
    (book / "assets").mkdir(exist_ok=True)
    Image.new("RGB", (1200, 900), "white").save(book / "assets" / "x.png")
