"""The kiosk window: header, the current screen, the navigation bar; screen history, the idle
return to home, the lock (only the technician PIN closes it) and screenshots per screen."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.base import KioskContext, Screen
from kiosk.ui.widgets import Header, button
from motcua.config.schema import WEEKDAYS
from motcua.i18n import t

log = logging.getLogger("motcua.kiosk")
ACTIVITY_EVENTS = (QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress)


class KioskWindow(QWidget):
    """Shows one ``Screen`` at a time; ``screen_shown(name)`` fires on every change of look."""

    screen_shown = Signal(str)
    exit_requested = Signal()  # the technician's PIN was accepted

    def __init__(self, ctx: KioskContext, idle_s: float) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.unlocked = False
        self.screens: dict[str, Screen] = {}
        self.history: list[str] = []
        m = ctx.m
        self.header = Header(ctx.cfg.office.name, m)
        self.stack = QStackedWidget()
        self.nav = QWidget()
        self.nav.setObjectName("Page")
        self.back_button = button(t("kiosk.nav_back"), "nav", m.px(110))
        self.home_button = button(t("kiosk.nav_home"), "nav", m.px(110))
        nav = QHBoxLayout(self.nav)
        nav.setContentsMargins(m.px(36), m.px(8), m.px(36), m.px(20))
        nav.setSpacing(m.px(24))
        nav.addWidget(self.back_button)
        nav.addWidget(self.home_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.nav)
        self.back_button.clicked.connect(self.back)
        self.home_button.clicked.connect(self.home)
        ctx.go, ctx.back, ctx.home, ctx.changed = self.go, self.back, self.home, self.changed
        self.idle = QTimer(self, singleShot=True, interval=int(idle_s * 1000))
        self.idle.timeout.connect(self._idle_timeout)
        QApplication.instance().installEventFilter(self)
        self.clock_timer = QTimer(self, interval=10_000)
        self.clock_timer.timeout.connect(self.update_clock)
        self.clock_timer.start()
        self.update_clock()

    # ---- screens and navigation ---------------------------------------------------------
    def add(self, screen: Screen) -> None:
        self.screens[screen.name] = screen
        self.stack.addWidget(screen)

    @property
    def current(self) -> Screen | None:
        return self.screens.get(self.history[-1]) if self.history else None

    def go(self, name: str, **kwargs: object) -> None:
        """Show screen ``name`` (prepared with ``kwargs``); a screen already in the history is
        returned to rather than stacked twice."""
        previous = self.current
        if name in self.history:
            del self.history[self.history.index(name):]
        self.history.append(name)
        screen = self.screens[name]
        if previous is not None and previous is not screen:
            previous.left()
        screen.prepare(**kwargs)
        self._show(screen)

    def back(self) -> None:
        if len(self.history) <= 1:
            self.home()
            return
        self.current.left()
        self.history.pop()
        self._show(self.current)

    def home(self) -> None:
        current = self.current
        if current is not None:
            current.left()
        if self.ctx.flow is not None:
            self.ctx.flow.reset()
        self.history = ["home"]
        self._show(self.screens["home"])

    def _show(self, screen: Screen) -> None:
        self.stack.setCurrentWidget(screen)
        self.nav.setVisible(screen.show_nav)
        screen.entered()
        self.idle.start()
        self.changed()

    def refresh_current(self) -> None:
        if self.current is not None:
            self.current.refresh()
            self.changed()

    def changed(self) -> None:
        if self.current is not None:
            self.screen_shown.emit(self.current.shot_name())

    def update_clock(self) -> None:
        now = self.ctx.clock.now()
        weekday = t(f"kiosk.weekday_{WEEKDAYS[now.weekday()]}")
        self.header.set_time(now.strftime("%H:%M"), f"{weekday}, {now.strftime('%d/%m/%Y')}")

    # ---- idle and lock ------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in ACTIVITY_EVENTS:
            self.idle.start()
        return False

    def _idle_timeout(self) -> None:
        if self.ctx.flow is not None and self.ctx.flow.busy:
            self.idle.start()  # a ticket is on its way: keep it on screen
            return
        if self.history != ["home"]:
            log.info("idle: back to the home screen")
            self.home()

    def unlock_and_close(self) -> None:
        log.info("technician PIN accepted: closing the kiosk")
        self.unlocked = True
        self.close()
        self.exit_requested.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.unlocked:
            event.accept()
        else:
            event.ignore()


class ScreenRecorder:
    """Saves a PNG of the window each time its look changes (a new screen or a new state)."""

    def __init__(self, window: KioskWindow, folder: Path, delay_ms: int = 150) -> None:
        self.window, self.folder, self.delay_ms = window, Path(folder), delay_ms
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("*.png")))
        self.last: str | None = None
        self.saved: list[Path] = []
        window.screen_shown.connect(self.shown)

    def shown(self, name: str) -> None:
        if name == self.last:
            return
        self.last = name
        QTimer.singleShot(self.delay_ms, lambda: self.save(name))

    def save(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:03d}-{name}.png"
        self.window.grab().save(str(path))
        self.saved.append(path)
        log.info("screenshot %s", path)
        return path
