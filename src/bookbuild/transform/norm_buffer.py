"""The working text of one paragraph while the §4 rows run over it.

Every row returns edits `(start, end, new)` on the current text; `Buf.apply`
carries along, for each current char, the offset it had in the input (or -1
for a char a row wrote) and whether it is locked (a caller's protected span
or an inline object).  That is what lets `fix_text` report its changes as
offsets into the author's file however many rows touched a spot.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..charclass import is_variation_selector
from .norm_chars import OBJ, SEE_THROUGH, SPACES, builtin_protected, is_han


@dataclass(frozen=True, slots=True)
class Change:
    """Input text[start:end] == old becomes new."""
    start: int
    end: int
    old: str
    new: str


def object_mask(text: str) -> bytearray:
    """1 at every inline object (U+FFFC): it never changes."""
    lock = bytearray(len(text))
    i = text.find(OBJ)
    while i >= 0:
        lock[i] = 1
        i = text.find(OBJ, i + 1)
    return lock


class Buf:
    __slots__ = ("text", "orig", "lock", "_builtin")

    def __init__(self, text: str, orig: list[int], lock: bytearray):
        self.text = text
        self.orig = orig   # input offset of each char, -1 where a row wrote it
        self.lock = lock   # 1: caller-protected or inline object (never changes)
        self._builtin: bytearray | None = None

    @classmethod
    def of(cls, text: str, base: int = 0, lock: bytearray | None = None) -> Buf:
        if lock is None:
            lock = object_mask(text)
        return cls(text, list(range(base, base + len(text))), lock)

    # ---------------------------------------------------------- protection
    @property
    def builtin(self) -> bytearray:
        """Built-in protected spans (URLs, 1.7, 10:30 …) of the current text."""
        if self._builtin is None:
            self._builtin = builtin_protected(self.text)
        return self._builtin

    def frozen(self, i: int) -> bool:
        """True if char i may not be modified."""
        return bool(self.lock[i] or self.builtin[i])

    def any_frozen(self, start: int, end: int) -> bool:
        return any(self.lock[start:end]) or any(self.builtin[start:end])

    # ------------------------------------------------------------ context
    def left(self, i: int) -> int:
        """Index of the nearest meaningful char before i, or -1.

        Spaces, locked chars (Markdown syntax, note calls) and CJK dashes and
        ellipses are looked through: `走吧[^n1]!` is in CJK context."""
        t, lock = self.text, self.lock
        j = i - 1
        while j >= 0 and (t[j] in SPACES or lock[j] or t[j] in SEE_THROUGH):
            j -= 1
        return j

    def right(self, i: int) -> int:
        """Index of the nearest meaningful char after i, or len(text)."""
        t, lock, n = self.text, self.lock, len(self.text)
        j = i + 1
        while j < n and (t[j] in SPACES or lock[j] or t[j] in SEE_THROUGH):
            j += 1
        return j

    def han_at(self, j: int) -> bool:
        return 0 <= j < len(self.text) and is_han(self.text[j])

    def cjk(self, start: int, end: int | None = None) -> bool:
        """§4 CJK context of text[start:end]: the nearest char on the left or on the right is Han."""
        end = start + 1 if end is None else end
        return self.han_at(self.left(start)) or self.han_at(self.right(end - 1))

    def cjk_after_word(self, i: int) -> bool:
        """CJK context, or punctuation right after a Latin word or number that
        is written into Han text without a space (`日軍OSS.`, `生於1944.`),
        unless a letter or digit follows (`Node.js`)."""
        if self.cjk(i):
            return True
        t = self.text
        if i + 1 < len(t) and t[i + 1].isascii() and t[i + 1].isalnum():
            return False
        j = i - 1
        while j >= 0 and t[j].isascii() and t[j].isalnum():
            j -= 1
        word = j < i - 1
        while j > 0 and is_variation_selector(t[j]):     # 葛󠄀OSS.: the selector's base decides
            j -= 1
        return word and self.han_at(j)

    # ------------------------------------------------------------- edits
    def apply(self, edits) -> bool:
        """Apply sorted, non-overlapping edits; skip those touching frozen chars.
        Returns True if the text changed."""
        t = self.text
        parts: list[str] = []
        orig: list[int] = []
        lock = bytearray()
        pos = 0
        changed = False
        for start, end, new in edits:
            if start < pos or t[start:end] == new or self.any_frozen(start, end):
                continue
            parts.append(t[pos:start])
            orig.extend(self.orig[pos:start])
            lock += self.lock[pos:start]
            parts.append(new)
            orig.extend([-1] * len(new))
            lock += bytes(len(new))
            pos = end
            changed = True
        if not changed:
            return False
        parts.append(t[pos:])
        orig.extend(self.orig[pos:])
        lock += self.lock[pos:]
        self.text, self.orig, self.lock = "".join(parts), orig, lock
        self._builtin = None
        return True

    def changes(self, source: str, base: int, length: int) -> list[Change]:
        """Edits from source[base:base+length] (what this buffer started as) to
        the current text: maximal runs between chars that kept their place,
        as offsets into `source`."""
        out: list[Change] = []
        prev_o, prev_c = base - 1, -1
        anchors = [(o, c) for c, o in enumerate(self.orig) if o >= 0]
        for o, c in anchors + [(base + length, len(self.text))]:
            if o - prev_o > 1 or c - prev_c > 1:
                old, new = source[prev_o + 1:o], self.text[prev_c + 1:c]
                if len(old) == len(new) > 1:   # `:"` -> `：「`: one change per char
                    out += [Change(prev_o + 1 + k, prev_o + 2 + k, a, b)
                            for k, (a, b) in enumerate(zip(old, new)) if a != b]
                elif old != new:
                    out.append(Change(prev_o + 1, o, old, new))
            prev_o, prev_c = o, c
        return out
