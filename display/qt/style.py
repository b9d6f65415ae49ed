"""Colours and fonts of the displays: high contrast, big type, fonts with every Vietnamese letter."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

# Noto Sans and DejaVu Sans cover every Vietnamese letter (DejaVu Sans Mono does not: never use it).
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans"]

BACKGROUND = QColor("#0b2545")
PANEL = QColor("#13315c")
PANEL_ALT = QColor("#18406f")
TEXT = QColor("#ffffff")
MUTED = QColor("#b8c7dd")
NUMBER = QColor("#ffd166")
HIGHLIGHT = QColor("#ffb703")
HIGHLIGHT_BLINK = QColor("#fff3c4")
ON_HIGHLIGHT = QColor("#1a1a1a")
GOOD = QColor("#7bd88f")
BAD = QColor("#ff7b7b")
ALERT = QColor("#b00020")
TICKER_BG = QColor("#8a1c1c")
HEADER_BG = QColor("#08325f")
FLASH = QColor("#2f6db5")


def font(px: int, bold: bool = False) -> QFont:
    """A Vietnamese-capable font ``px`` pixels high (pixel sizes: the TV is fixed-resolution)."""
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPixelSize(max(1, int(px)))
    f.setBold(bold)
    return f
