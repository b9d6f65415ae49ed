"""Headless screenshots of the console: one PNG per kind of screen, rewritten when it changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from counter_console.window import ConsoleWindow


def screen_name(window: ConsoleWindow) -> str:
    """``login``, ``form-<action>``, ``paused``, ``serving``, ``called``, ``open`` or ``closed``."""
    view = window.model.view(window.clock.now())
    if view.screen == "login":
        return "login"
    if window.form_action:
        return f"form-{window.form_action}"
    if view.status == "paused":
        return "paused"
    current = window.model.current
    if current:
        return "serving" if current.get("state") == "serving" else "called"
    return view.status or "login"


class ScreenshotWriter(QObject):
    """Every ``every_ms`` saves ``DIR/<screen>.png`` for the screen the window shows (a child of
    the window, so it lives as long as the window does)."""

    def __init__(self, window: ConsoleWindow, directory: Path, every_ms: int = 1000) -> None:
        super().__init__(window)
        self.window = window
        self.directory = directory
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.capture)
        self.every_ms = every_ms

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.timer.start(self.every_ms)

    def capture(self) -> Path:
        return self.window.save_screenshot(self.directory / f"{screen_name(self.window)}.png")
