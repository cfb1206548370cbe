#!/usr/bin/env python3
"""Generate the deterministic stress book (issue 9).

    python bench/make_stress_book.py OUT [--scale S] [--chapters N] [--seed N] [--figures N] [--force]

A scale unit is the default book: 20 body chapters, ≈ 440,000 CJK characters
(body and notes), 2,000 notes, 200 sources, 300 glossary terms, plus a
preface and an afterword.  `--scale S` multiplies every total; the number of
body chapters is round(20 × S) (at least one), so a small scale gives fewer
chapters and, below 1/20, one shorter chapter.  `--chapters N` overrides the
chapter count while keeping the totals of the scale.  `--figures N` adds N
figures (PNG and SVG, captioned, cross-referenced: stress_figures.py) to the
body chapters.

The same arguments always give the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stress_chapter import notes_file, place_events, prose, render  # noqa: E402
from stress_figures import add_figures, figure_files  # noqa: E402
from stress_refs import Source, Term, glossary_yaml, make_sources, make_terms, sources_yaml  # noqa: E402
from stress_text import TextMaker, cjk_count, han_set, load_lexicon  # noqa: E402

UNIT = {"chapters": 20, "cjk": 440_000, "notes": 2000, "sources": 200, "terms": 300}
FRONT_BACK_WEIGHT = 0.25     # preface and afterword, each, relative to a chapter
BODY_CITES_PER_NOTE = 0.10   # body citations (they become notes of their own)
AGAIN_PER_NOTE = 0.03
DEFAULT_SEED = 1944


@dataclass
class Part:
    """One manuscript file and its notes file."""
    stem: str
    kind: str                 # front, body, back
    weight: float
    cjk: int = 0
    notes: list[str] = field(default_factory=list)       # note ids, in order
    cites: list[Source] = field(default_factory=list)   # body citations
    terms: list[Term] = field(default_factory=list)     # body term uses
    note_cites: dict[str, Source] = field(default_factory=dict)


def split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that add up to total (largest remainder)."""
    w = sum(weights)
    raw = [total * x / w for x in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def plan(tm: TextMaker, scale: float, chapters: int | None) -> tuple[list[Part], list[Source], list[Term]]:
    """Split the scale's totals over the parts and assign every source and term."""
    n_ch = chapters or max(1, round(UNIT["chapters"] * scale))
    width = max(3, len(str(n_ch)))
    parts = [Part("a-preface", "front", FRONT_BACK_WEIGHT)]
    parts += [Part(f"c{i:0{width}d}", "body", 1.0) for i in range(1, n_ch + 1)]
    parts.append(Part("z-afterword", "back", FRONT_BACK_WEIGHT))
    weights = [p.weight for p in parts]
    total = {k: max(1, round(v * scale)) for k, v in UNIT.items()}
    for p, c, n in zip(parts, split(total["cjk"], weights), split(total["notes"], weights)):
        p.cjk = c
        p.notes = [f"{p.stem.replace('-', '')}n{k:03d}" for k in range(1, n + 1)]
    sources = make_sources(tm, total["sources"])
    terms = make_terms(tm, total["terms"])
    _assign_citations(tm, parts, sources, total["notes"])
    shuffled = terms[:]
    tm.rng.shuffle(shuffled)
    for p, n in zip(parts, split(len(terms), weights)):
        p.terms, shuffled = shuffled[:n], shuffled[n:]
    return parts, sources, terms


def _assign_citations(tm: TextMaker, parts: list[Part], sources: list[Source], notes: int) -> None:
    """Body citations and citations in notes; every source is cited at least once."""
    rng = tm.rng
    body = split(round(notes * BODY_CITES_PER_NOTE), [p.weight for p in parts])
    in_notes = min(notes, max(len(sources) - sum(body), round(notes * 0.3)))
    all_notes = [(p, nid) for p in parts for nid in p.notes]
    note_slots = rng.sample(all_notes, in_notes)
    slots: list[tuple[Part, str | None]] = [(p, None) for p, k in zip(parts, body) for _ in range(k)]
    slots += note_slots
    cited = sources[:]
    rng.shuffle(cited)
    cited += [rng.choice(sources) for _ in range(len(slots) - len(cited))]
    for (part, nid), src in zip(slots, cited):
        if nid is None:
            part.cites.append(src)
        else:
            part.note_cites[nid] = src


def generate(out: Path, scale: float = 1.0, chapters: int | None = None,
             seed: int = DEFAULT_SEED, figures: int = 0) -> dict[str, int]:
    """Write the book into `out` (created); return its counts (`book_stats`)."""
    tm = TextMaker(random.Random(seed), load_lexicon())
    parts, sources, terms = plan(tm, scale, chapters)
    files: dict[str, str] = {}
    earlier: list[str] = []
    for p in parts:
        notes_md, notes_cjk = notes_file(tm, p.notes, p.note_cites, terms)
        blocks = prose(tm, max(200, p.cjk - notes_cjk))
        again = round(len(p.notes) * AGAIN_PER_NOTE)
        place_events(tm, blocks, p.notes, again, earlier, p.cites, p.terms)
        files[f"manuscript/{p.stem}.md"] = render(blocks)
        if p.notes:
            files[f"footnotes/{p.stem}.md"] = notes_md
        earlier += p.notes
    files["footnotes/sources.yaml"] = sources_yaml(sources)
    files["footnotes/glossary.yaml"] = glossary_yaml(tm, terms)
    files["book.toml"] = book_toml(parts, scale, chapters, seed)
    images = figure_files(figures)
    body = {rel: files[rel] for rel in _body_chapters(parts)}
    files.update(add_figures(body, sorted(images)) if images else {})
    for rel, data in {**files, **images}.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="\n")
    return book_stats(out)


def _body_chapters(parts: list[Part]) -> set[str]:
    return {f"manuscript/{p.stem}.md" for p in parts if p.kind == "body"}


def book_toml(parts: list[Part], scale: float, chapters: int | None, seed: int) -> str:
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"bookbuild-stress/{scale}/{chapters}/{seed}")
    entries = []
    for p in parts:
        f = f"manuscript/{p.stem}.md"
        entries.append(f'  "{f}",' if p.kind == "body" else f'  {{ file = "{f}", kind = "{p.kind}" }},')
    return "\n".join([
        "[book]",
        'title = "壓力測試之書"',
        'subtitle = "bookbuild 基準用書"',
        'authors = ["基準生成器"]',
        'language = "zh-Hant-TW"',
        f'identifier = "urn:uuid:{ident}"',
        'publisher = "bookbuild"',
        'date = "2026-01-01"',
        'edition_statement = "初版"',
        "chapters = [", *entries, "]",
        "",
        "[editions.epub]", 'format = "epub"', 'writing = "vertical"', "",
        "[editions.epub-horizontal]", 'format = "epub"', 'writing = "horizontal"', "",
        "[editions.print]", 'format = "pdf"', 'writing = "vertical"', 'page = "A5"',
        'font = "Noto Serif CJK TC"', 'numerals = "tcy"', 'notes = "page"', "",
    ])


_NOTE_DEF = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:", re.M)
_NOTE_REF = re.compile(r"\[\^([A-Za-z0-9_-]+)\](?!:)(\{\.again\})?")
_CITE = re.compile(r"@([A-Za-z0-9_-]+)")


def book_stats(root: Path) -> dict[str, int]:
    """Counts read back from the files (not from the generator's plan)."""
    chapters = (root / "book.toml").read_text(encoding="utf-8")
    body = [(root / f).read_text(encoding="utf-8") for f in sorted(
        str(p.relative_to(root)) for p in (root / "manuscript").glob("*.md"))]
    notes = [p.read_text(encoding="utf-8") for p in sorted((root / "footnotes").glob("*.md"))]
    text = "".join(body + notes)
    refs = [m for b in body for m in _NOTE_REF.finditer(b)]
    glossary = (root / "footnotes/glossary.yaml").read_text(encoding="utf-8")
    return {
        "chapters": len(re.findall(r'^  "manuscript/', chapters, re.M)),
        "cjk_chars": cjk_count(text),
        "distinct_han": len(han_set(text + glossary)),
        "notes": sum(len(_NOTE_DEF.findall(n)) for n in notes),
        "note_refs": sum(1 for m in refs if not m.group(2)),
        "again_refs": sum(1 for m in refs if m.group(2)),
        "body_citations": sum(len(_CITE.findall(b)) for b in body),
        "note_citations": sum(len(_CITE.findall(n)) for n in notes),
        "sources": len(re.findall(r"^- id: ", (root / "footnotes/sources.yaml").read_text(
            encoding="utf-8"), re.M)),
        "terms": len(re.findall(r"^\S", glossary, re.M)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--chapters", type=int, default=None)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--figures", type=int, default=0, help="add N figures (PNG and SVG) to the body chapters")
    ap.add_argument("--force", action="store_true", help="replace OUT if it holds a book")
    args = ap.parse_args(argv)
    if args.scale <= 0 or (args.chapters is not None and args.chapters < 1):
        ap.error("--scale must be > 0 and --chapters >= 1")
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        if not (args.force and (out / "book.toml").is_file()):
            ap.error(f"{out} is not empty (use --force to replace a generated book)")
        shutil.rmtree(out)
    stats = generate(out, args.scale, args.chapters, args.seed, args.figures)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
