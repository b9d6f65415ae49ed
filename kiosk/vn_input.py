"""Typing Vietnamese on the on-screen keyboard: a text buffer with tone keys.

A tone key (sắc, huyền, hỏi, ngã, nặng) marks the vowel of the last word where Vietnamese
spelling puts it (the traditional placement used in official documents: "hòa", "thủy", "quý",
"già", "hoàng", "người"); pressing the same tone again removes it. Typing without any tone works
just as well: search folds accents away.
"""

from __future__ import annotations

import unicodedata

from motcua.text import nfc

TONE_MARKS = {
    "sac": "\u0301",
    "huyen": "\u0300",
    "hoi": "\u0309",
    "nga": "\u0303",
    "nang": "\u0323",
}
_TONE_SET = frozenset(TONE_MARKS.values())
VOWELS = frozenset("aăâeêioôơuưy")
MARKED_VOWELS = frozenset("ăâêôơư")


def _split_tone(char: str) -> tuple[str, str | None]:
    """A letter without its tone mark, and the mark (or None)."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((c for c in decomposed if c in _TONE_SET), None)
    base = nfc("".join(c for c in decomposed if c not in _TONE_SET))
    return base, tone


def tone_position(word: str) -> int | None:
    """Index of the letter of ``word`` that carries the tone, or None (no vowel)."""
    bases = [_split_tone(c)[0].lower() for c in word]
    vowels = [i for i, c in enumerate(bases) if c in VOWELS]
    if len(bases) > 1 and bases[0] == "q" and bases[1] == "u" and 1 in vowels:
        vowels.remove(1)
    if len(bases) > 2 and bases[0] == "g" and bases[1] == "i" and bases[2] in VOWELS and 1 in vowels:
        vowels.remove(1)
    if not vowels:
        return None
    cluster = [vowels[0]]
    for index in vowels[1:]:
        if index != cluster[-1] + 1:
            break
        cluster.append(index)
    marked = [i for i in cluster if bases[i] in MARKED_VOWELS]
    if marked:
        return marked[-1]
    if len(cluster) >= 3:
        return cluster[1]
    if len(cluster) == 2:
        return cluster[1] if cluster[-1] < len(word) - 1 else cluster[0]
    return cluster[0]


def apply_tone(word: str, tone: str) -> str:
    """``word`` with ``tone`` (a key of ``TONE_MARKS``) on its tone vowel; the same tone again
    removes it. Any other tone already in the word is replaced."""
    mark = TONE_MARKS[tone]
    position = tone_position(word)
    if position is None:
        return word
    letters = [_split_tone(c) for c in word]
    had = letters[position][1]
    bases = [base for base, _ in letters]
    if had != mark:
        bases[position] = nfc(bases[position] + mark)
    return "".join(bases)


class TextBuffer:
    """What the citizen typed on the on-screen keyboard (NFC, at most ``max_len`` characters)."""

    def __init__(self, max_len: int = 60, upper: bool = False) -> None:
        self.max_len, self.upper = max_len, upper
        self.text = ""

    def set(self, text: str) -> None:
        self.text = nfc(text)[: self.max_len]

    def insert(self, chars: str) -> None:
        chars = chars.upper() if self.upper else chars.lower()
        if chars == " " and (not self.text or self.text.endswith(" ")):
            return
        self.set(self.text + chars)

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def clear(self) -> None:
        self.text = ""

    def tone(self, tone: str) -> None:
        head, sep, last = self.text.rpartition(" ")
        self.text = head + sep + apply_tone(last, tone)
