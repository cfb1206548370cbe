"""A 5 MB chapter with no line break after its title (not committed: size)."""
import pathlib


def generate(book: pathlib.Path) -> None:
    unit = "衡陽守城四十七日，軍民死傷甚眾。"
    body = unit * (5 * 1024 * 1024 // len(unit.encode("utf-8")))
    (book / "manuscript/02.md").write_text("# 第二章　長\n\n" + body, encoding="utf-8")
