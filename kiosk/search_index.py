"""The keystroke search over the catalogue's folded columns, held in memory.

Every word of a query must begin a word of the procedure (its name, field, keywords, result or
documents; a code counts as one word), so "ket ho" already finds "Đăng ký kết hôn". Word
matches are boolean masks over the procedures (numpy), one per vocabulary word; the words
sharing a typed prefix sit next to each other in the sorted vocabulary, so a prefix is one slice.

Ranking: code matches, then names holding the query with its exact accents (at the start, at a
word start, anywhere), names starting with it folded, names holding it folded at a word start, other text (keywords, documents) holding it at
a word start, names holding every word, then the rest; shorter names first within each tier. Rows are numbered in name-length order and each tier is found by ``str.find``
over all rows' texts joined in that order, so a tier stops at its first ``limit`` rows.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

WORD_RE = re.compile(r"\d+(?:\.\d+)*|[^\W_]+")
MAX_QUERY_WORDS = 8
FEW_CANDIDATES = 400


def words_of(folded: str) -> list[str]:
    """Words of a folded text: codes such as "1.004222" stay whole."""
    return WORD_RE.findall(folded)


def _joined(texts: list[str], separator: str) -> tuple[str, list[int]]:
    """``separator + text`` for every text, and where each starts (plus the end)."""
    offsets, length = [], 0
    for text in texts:
        offsets.append(length)
        length += len(separator) + len(text)
    offsets.append(length)
    return "".join(separator + text for text in texts), offsets


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    field: str
    name_lower: str
    name_fold: str
    text_fold: str


class SearchIndex:
    """Build once from ``rows`` (in catalogue order); ``search`` returns row indexes of ``rows``."""

    def __init__(self, rows: list[Row]) -> None:
        order = sorted(range(len(rows)), key=lambda i: (len(rows[i].name), i))
        self.rows = [rows[i] for i in order]
        self.source_index = order
        # every row's text behind a newline, shortest name first; offsets[k] = where row k starts
        # (a space after the newline lets " word" match the first word too)
        self._names_lower, self._name_offsets = _joined([r.name_lower for r in self.rows], "\n")
        self._names_fold, _ = _joined([r.name_fold for r in self.rows], "\n")
        self._texts_fold, self._text_offsets = _joined([r.text_fold for r in self.rows], "\n ")
        self._spaced_texts = [" " + r.text_fold for r in self.rows]
        self._codes = sorted((row.code, i) for i, row in enumerate(self.rows))
        self.name_vocab, self.name_masks = self._masks([words_of(r.name_fold) for r in self.rows])
        self.text_vocab, self.text_masks = self._masks([words_of(r.text_fold) for r in self.rows])
        self._prefix = lru_cache(maxsize=2048)(self._prefix_mask)

    def _masks(self, row_words: list[list[str]]) -> tuple[list[str], np.ndarray]:
        vocab = sorted({w for words in row_words for w in words})
        position = {w: k for k, w in enumerate(vocab)}
        masks = np.zeros((len(vocab), len(row_words)), dtype=bool)
        for row, words in enumerate(row_words):
            masks[[position[w] for w in set(words)], row] = True
        return vocab, masks

    def _prefix_mask(self, which: str, prefix: str) -> np.ndarray:
        vocab, masks = (self.name_vocab, self.name_masks) if which == "name" else (self.text_vocab, self.text_masks)
        lo = bisect_left(vocab, prefix)
        hi = bisect_left(vocab, prefix + "\U0010ffff", lo)
        if lo == hi:
            return np.zeros(masks.shape[1], dtype=bool)
        return masks[lo:hi].any(axis=0)

    def _all(self, which: str, words: list[str]) -> np.ndarray:
        mask = self._prefix(which, words[0])
        for word in words[1:]:
            mask = mask & self._prefix(which, word)
        return mask

    def _code_hits(self, folded: str) -> list[int]:
        if not re.fullmatch(r"[\d.]+", folded):
            return []
        start = bisect_left(self._codes, (folded, -1))
        hits = []
        for code, index in self._codes[start:]:
            if not code.startswith(folded):
                break
            hits.append(index)
        return sorted(hits, key=lambda i: (self.rows[i].code != folded, i))

    def _first_rows(self, big: str, offsets: list[int], needle: str, accept: list[bool], limit: int) -> list[int]:
        """The first ``limit`` rows (shortest names first) whose part of ``big`` holds ``needle``
        and that ``accept``; each row is searched once, at C speed by ``str.find``."""
        found: list[int] = []
        pos = 0
        while len(found) < limit:
            at = big.find(needle, pos)
            if at < 0:
                break
            row = bisect_right(offsets, at) - 1
            if accept[row]:
                found.append(row)
            pos = offsets[row + 1]
        return found

    def _text_phrase(self, needle: str, candidates: np.ndarray, accept: list[bool], limit: int) -> list[int]:
        """Rows whose text holds ``needle``: few candidates are checked one by one, many by one
        pass over all the text."""
        if len(candidates) <= FEW_CANDIDATES:
            found = []
            for i in candidates.tolist():
                if needle in self._spaced_texts[i]:
                    found.append(i)
                    if len(found) == limit:
                        break
            return found
        return self._first_rows(self._texts_fold, self._text_offsets, needle, accept, limit)

    def search(self, exact: str, folded: str, limit: int) -> list[int]:
        """Best rows (indexes into ``self.rows``) for a query given lower-cased (``exact``) and
        folded, both with single spaces. Tiers are looked at best first until ``limit`` rows are
        found; each needs only its first ``limit`` rows, since rows are numbered shortest name
        first and better tiers can take at most that many of them."""
        words = words_of(folded)[:MAX_QUERY_WORDS]
        if not words:
            return []
        in_text = self._all("text", words)
        in_name = self._all("name", words)
        text_ok, name_ok = in_text.tolist(), in_name.tolist()
        candidates = np.flatnonzero(in_text)
        tiers = (
            lambda: self._code_hits(folded),
            lambda: self._first_rows(self._names_lower, self._name_offsets, "\n" + exact, name_ok, limit),
            lambda: self._first_rows(self._names_lower, self._name_offsets, " " + exact, name_ok, limit),
            lambda: self._first_rows(self._names_lower, self._name_offsets, exact, name_ok, limit),
            lambda: self._first_rows(self._names_fold, self._name_offsets, "\n" + folded, name_ok, limit),
            lambda: self._first_rows(self._names_fold, self._name_offsets, " " + folded, name_ok, limit),
            lambda: self._text_phrase(" " + folded, candidates, text_ok, limit),
            lambda: np.flatnonzero(in_name)[:limit].tolist(),
            lambda: candidates[:limit].tolist(),
        )
        ranked: list[int] = []
        seen: set[int] = set()
        for tier in tiers:
            for i in tier():
                if i not in seen:
                    seen.add(i)
                    ranked.append(i)
                    if len(ranked) == limit:
                        return ranked
        return ranked
