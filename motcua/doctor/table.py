"""A plain-text table for a terminal: columns padded, long cells wrapped at spaces."""

from __future__ import annotations

import textwrap
import unicodedata


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render(headers: list[str], rows: list[list[str]], max_widths: list[int]) -> str:
    """``headers`` and ``rows`` as aligned columns; column i wraps beyond ``max_widths[i]``."""
    wrapped = [[textwrap.wrap(cell, width, break_long_words=False, break_on_hyphens=False) or [""]
                for cell, width in zip(row, max_widths)] for row in rows]
    widths = [max([_width(h)] + [_width(line) for row in wrapped for line in row[i]])
              for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("─" * w for w in widths)]
    for row in wrapped:
        for n in range(max(len(cell) for cell in row)):
            lines.append("  ".join(_pad(cell[n] if n < len(cell) else "", w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
