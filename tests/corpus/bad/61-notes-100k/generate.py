"""100,000 notes in ten chapters of 10,000 (not committed: size)."""
import pathlib

N = 100_000
PER_CHAPTER = 10_000


def generate(book: pathlib.Path) -> None:
    listed = []
    for c in range(N // PER_CHAPTER):
        rel = f"manuscript/n{c + 1:02d}.md"
        listed.append(f'  "{rel}",')
        first = c * PER_CHAPTER
        paras = [f"# 第{c + 2}章　注\n"]
        for p in range(first, first + PER_CHAPTER, 10):
            paras.append("".join(f"衡陽守城第{i}日[^n{i}]。" for i in range(p, p + 10)) + "\n")
        (book / rel).write_text("\n".join(paras), encoding="utf-8")
        notes = "\n".join(f"[^n{i}]: 第{i}條注。\n" for i in range(first, first + PER_CHAPTER))
        (book / f"footnotes/n{c + 1:02d}.md").write_text(notes, encoding="utf-8")
    toml = (book / "book.toml").read_text(encoding="utf-8")
    toml = toml.replace('  "manuscript/01.md",', '  "manuscript/01.md",\n' + "\n".join(listed))
    (book / "book.toml").write_text(toml, encoding="utf-8")
