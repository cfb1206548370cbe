"""Regenerate bench/lexicon.txt, the word pool of the stress book.

Run once by hand (the generator itself reads only lexicon.txt, so it needs
neither pypinyin nor OpenCC and its output never changes with their
versions):

    python bench/make_lexicon.py > bench/lexicon.txt

Words: pypinyin's phrase list, converted to Taiwan Traditional with
OpenCC ``s2twp``, kept only when every character is a Big5 level-1
("common") character, so the font covers them all and the text looks like
ordinary Traditional Chinese.  A greedy pass first takes words that bring
new characters (so the pool covers ~4,400 distinct Han characters), then
the pool is topped up with random words.  The order of the file is the
frequency rank the generator uses.
"""
from __future__ import annotations

import json
import os
import random
import sys

POOL_SIZE = 7000
SEED = 20240807


def _big5_level1(ch: str) -> bool:
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xA440 <= int.from_bytes(b, "big") <= 0xC67E


def candidate_words() -> list[str]:
    import opencc
    import pypinyin

    path = os.path.join(os.path.dirname(pypinyin.__file__), "phrases_dict.json")
    with open(path, encoding="utf-8") as fh:
        phrases = json.load(fh)
    conv = opencc.OpenCC("s2twp")
    words = set()
    for simp in phrases:
        if not 2 <= len(simp) <= 4 or simp.endswith("儿"):
            continue
        trad = conv.convert(simp)
        if len(trad) == len(simp) and all(_big5_level1(c) for c in trad):
            words.add(trad)
    return sorted(words)


def choose_pool(words: list[str], size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    rng.shuffle(words)
    # Two-character words first: they dominate real Chinese text, so they
    # should hold the frequent ranks.
    words.sort(key=lambda w: len(w) != 2)
    seen: set[str] = set()
    pool, rest = [], []
    for w in words:
        (pool if set(w) - seen else rest).append(w)
        seen.update(w)
    pool += rest[: max(0, size - len(pool))]
    rng.shuffle(pool)
    pool.sort(key=lambda w: len(w) != 2)
    return pool


def main() -> None:
    pool = choose_pool(candidate_words(), POOL_SIZE, SEED)
    sys.stdout.write("\n".join(pool) + "\n")


if __name__ == "__main__":
    main()
