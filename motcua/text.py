"""Vietnamese text handling: NFC at every boundary, accent folding for search."""

from __future__ import annotations

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Normalise to NFC (espeak-ng, printing and comparisons all need it)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Search key: no tone or vowel marks, đ→d, case-folded ("Đăng ký" → "dang ky")."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.translate(_D_MAP).casefold()
