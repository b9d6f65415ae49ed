"""Full screen that also holds without a window manager (a bare X or cage kiosk session)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def show_full_screen(window: QWidget) -> None:
    """Cover the whole screen first, then ask for the full-screen state (which needs a WM)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    window.setGeometry(screen.geometry())
    window.showFullScreen()
