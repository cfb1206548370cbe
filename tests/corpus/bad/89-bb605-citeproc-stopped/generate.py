"""The fault: a `pandoc` that runs the real one, except for the citeproc run, where
a real Pandoc reads Markdown that takes its reader minutes (25 `[` open at once)."""
import pathlib

import pypandoc


def generate(book: pathlib.Path) -> None:
    fault = book / ".fault"
    fault.mkdir()
    (fault / "hostile.md").write_text("文字[" * 25 + "\n", encoding="utf-8")
    real = pypandoc.get_pandoc_path()
    script = fault / "pandoc"
    script.write_text(f"""#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    --citeproc) exec "{real}" --from=markdown --to=json "{fault / 'hostile.md'}" ;;
  esac
done
exec "{real}" "$@"
""", encoding="utf-8")
    script.chmod(0o755)
