"""Code 39 barcodes (the dossier code on a receipt slip) read from a grayscale image.

Each character is 9 elements (bar, space, bar, ..., bar), 3 of them wide, then a narrow gap;
the symbol is framed by ``*``. A row of pixels is cut into runs of dark and light; every window
of 9 runs whose 3 widest are clearly wider than the other 6 is looked up in ``PATTERNS``.
Several rows across the image are tried; a result needs the same text on two rows.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

# character -> wide flags of its 9 elements (bar, space, bar, space, bar, space, bar, space, bar)
PATTERNS = {
    "0": "000110100", "1": "100100001", "2": "001100001", "3": "101100000", "4": "000110001",
    "5": "100110000", "6": "001110000", "7": "000100101", "8": "100100100", "9": "001100100",
    "A": "100001001", "B": "001001001", "C": "101001000", "D": "000011001", "E": "100011000",
    "F": "001011000", "G": "000001101", "H": "100001100", "I": "001001100", "J": "000011100",
    "K": "100000011", "L": "001000011", "M": "101000010", "N": "000010011", "O": "100010010",
    "P": "001010010", "Q": "000000111", "R": "100000110", "S": "001000110", "T": "000010110",
    "U": "110000001", "V": "011000001", "W": "111000000", "X": "010010001", "Y": "110010000",
    "Z": "011010000", "-": "010000101", ".": "110000100", " ": "011000100", "*": "010010100",
    "$": "010101000", "/": "010100010", "+": "010001010", "%": "000101010",
}
_BY_PATTERN = {pattern: char for char, pattern in PATTERNS.items()}


def _runs(row: np.ndarray) -> tuple[list[int], bool]:
    """Run lengths of a binarised row and whether the first run is dark."""
    dark = row < (int(row.min()) + int(row.max())) / 2
    edges = np.flatnonzero(np.diff(dark.astype(np.int8))) + 1
    bounds = np.concatenate(([0], edges, [len(dark)]))
    return [int(b - a) for a, b in zip(bounds[:-1], bounds[1:])], bool(dark[0])


def _char(widths: list[int]) -> str | None:
    order = sorted(widths)
    narrow_max, wide_min = order[5], order[6]
    if wide_min < 1.5 * narrow_max:
        return None
    pattern = "".join("1" if w >= wide_min else "0" for w in widths)
    return _BY_PATTERN.get(pattern)


def decode_row(row: np.ndarray) -> str | None:
    """The text of a Code 39 symbol crossing ``row`` (without the ``*`` frame), or None."""
    if row.size < 30 or int(row.max()) - int(row.min()) < 60:
        return None
    runs, first_dark = _runs(row)
    start = 0 if first_dark else 1  # index of the first dark run
    for begin in range(start, len(runs) - 9, 2):
        if _char(runs[begin:begin + 9]) != "*":
            continue
        text, i = [], begin + 10  # skip the start char and its gap
        while i + 9 <= len(runs):
            char = _char(runs[i:i + 9])
            if char is None:
                break
            if char == "*":
                if text:
                    return "".join(text)
                break
            text.append(char)
            i += 10
    return None


def decode(gray: np.ndarray, rows: int = 9) -> str | None:
    """Read a Code 39 symbol from a grayscale image, trying ``rows`` horizontal lines."""
    height = gray.shape[0]
    seen: Counter[str] = Counter()
    for k in range(1, rows + 1):
        found = decode_row(gray[height * k // (rows + 1)])
        if found:
            seen[found] += 1
            if seen[found] >= 2:
                return found
    return None
