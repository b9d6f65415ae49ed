"""Wiring of the hall and counter screens: bus → bridge (Qt thread) → model → window.

``HallApp`` and ``CounterApp`` take a ``BusClient`` that is not started yet (they subscribe
first, so the first connection already brings the retained state); ``run_hall`` and
``run_counter`` are the whole processes behind ``motcua display hall|counter N``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from display.counter_screen_model import CounterScreenModel
from display.hall_model import HallModel, vi_datetime
from display.qt import style
from display.qt.bridge import BusBridge
from display.qt.counter_view import CounterWindow
from display.qt.fullscreen import show_full_screen
from display.qt.hall_view import HallTexts, HallWindow
from display.qt.screenshots import Screenshotter
from motcua.bus import BusClient
from motcua.clock import Clock
from motcua.config import OfficeConfig
from motcua.runtime import EXIT_OK, bus_for, office_clock

log = logging.getLogger(__name__)

CLOCK_MS = 1000


class HallApp(QObject):
    """The hall TV: ``window`` shows ``model``, fed by ``bus``."""

    def __init__(self, cfg: OfficeConfig, bus: BusClient, clock: Clock,
                 screenshots: Path | None = None, keep: int = 50) -> None:
        super().__init__()
        self.clock = clock
        self.model = HallModel.from_config(cfg)
        self.window = HallWindow(HallTexts.from_config(cfg))
        self.shooter = Screenshotter(self.window, screenshots, "hall", keep) if screenshots else None
        self._clock_text = vi_datetime(clock.now())
        self._render_queued = False
        self._queue_timer = QTimer(self)
        self._queue_timer.setSingleShot(True)
        self._queue_timer.timeout.connect(self._tick)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(CLOCK_MS)
        self._clock_timer.timeout.connect(self._update_clock)
        self._clock_timer.start()
        self.bridge = BusBridge(bus, self)
        self.bridge.message.connect(self._on_message)
        self.bridge.connection.connect(self._on_connection)
        topics = bus.topics
        for topic in (topics.counter_state(), topics.service_state(), topics.hall(), topics.stats(), topics.call()):
            self.bridge.subscribe(topic)
        self.render()

    def _on_message(self, topic: str, payload: object) -> None:
        if self.model.apply(topic, payload, time.monotonic()):
            self._schedule_queue()
            self._queue_render()

    def _on_connection(self, connected: bool) -> None:
        log.info("broker %s", "connected" if connected else "lost: showing the disconnected banner")
        if self.model.set_connected(connected):
            self.render()

    def _tick(self) -> None:
        if self.model.tick(time.monotonic()):
            self.render()
        self._schedule_queue()

    def _schedule_queue(self) -> None:
        wait = self.model.next_tick_in(time.monotonic())
        if wait is not None and not self._queue_timer.isActive():
            self._queue_timer.start(int(wait * 1000) + 1)

    def _queue_render(self) -> None:
        """Render once after the messages already queued (ticketd publishes in bursts)."""
        if not self._render_queued:
            self._render_queued = True
            QTimer.singleShot(0, self.render)

    def _update_clock(self) -> None:
        text = vi_datetime(self.clock.now())
        if text != self._clock_text:
            self._clock_text = text
            self.window.set_clock(text)
            if self.shooter:
                self.shooter.changed()

    def render(self) -> None:
        self._render_queued = False
        self.window.render_model(self.model, self._clock_text)
        if self.shooter:
            self.shooter.changed()


class CounterApp(QObject):
    """One counter's screen: ``window`` shows ``model``, fed by ``bus``."""

    def __init__(self, cfg: OfficeConfig, counter: str, bus: BusClient,
                 screenshots: Path | None = None, keep: int = 50) -> None:
        super().__init__()
        definition = cfg.counter(counter)
        self.model = CounterScreenModel(counter, definition.name)
        self.window = CounterWindow(definition.name)
        self.shooter = Screenshotter(self.window, screenshots, f"counter-{counter}", keep) if screenshots else None
        self.bridge = BusBridge(bus, self)
        self.bridge.message.connect(self._on_message)
        self.bridge.connection.connect(self._on_connection)
        self._state_topic = bus.topics.counter_state(counter)
        self.bridge.subscribe(self._state_topic)
        self.bridge.subscribe(bus.topics.call())
        self.render()

    def _on_message(self, topic: str, payload: object) -> None:
        if topic == self._state_topic:
            changed = self.model.apply_state(payload)
        else:
            changed = payload is not None and self.model.apply_call(payload)
        if changed:
            self.render()

    def _on_connection(self, connected: bool) -> None:
        if self.model.set_connected(connected):
            self.render()

    def render(self) -> None:
        self.window.render_screen(self.model.screen(), self.model.flash_serial)
        if self.shooter:
            self.shooter.changed()


# ---- processes -------------------------------------------------------------------------------

def qt_app() -> QApplication:
    """The process's QApplication, with a Vietnamese-capable default font."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(style.font(24))
    return app


def show(window, size: tuple[int, int] | None, windowed: bool) -> None:
    """Full screen on a real display; a fixed size offscreen, in a window, or when asked."""
    offscreen = QApplication.platformName() in ("offscreen", "minimal")
    if size:
        window.resize(*size)
    if windowed or offscreen or size:
        window.show()
    else:
        show_full_screen(window)


def _exec(app: QApplication, bus: BusClient) -> int:
    """Run the Qt loop until SIGTERM/SIGINT, then publish offline and disconnect."""
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()
    wake.start(250)  # let Python run its signal handlers while Qt waits
    wake.timeout.connect(lambda: None)
    try:
        app.exec()
    finally:
        bus.stop()
    return EXIT_OK


def display_id(cfg: OfficeConfig, kind: str, counter: str | None = None) -> str:
    """The configured id of this display (``devices.displays``), else a default."""
    for device in cfg.devices.displays:
        if device.kind == kind and (counter is None or device.counter == counter):
            return device.id
    return f"{kind}-display" if counter is None else f"counter-display-{counter}"


def run_hall(cfg: OfficeConfig, device_id: str | None, screenshots: Path | None, keep: int,
             size: tuple[int, int] | None, windowed: bool) -> int:
    app = qt_app()
    device = device_id or display_id(cfg, "hall")
    bus = bus_for(cfg, f"display-{device}", device_id=device, kind="display")
    hall = HallApp(cfg, bus, office_clock(cfg), screenshots, keep)
    show(hall.window, size, windowed)
    bus.start()
    log.info("hall display %s on %s (%s)", device, QApplication.platformName(), os.environ.get("DISPLAY", "no DISPLAY"))
    return _exec(app, bus)


def run_counter(cfg: OfficeConfig, counter: str, device_id: str | None, screenshots: Path | None, keep: int,
                size: tuple[int, int] | None, windowed: bool) -> int:
    app = qt_app()
    device = device_id or display_id(cfg, "counter", counter)
    bus = bus_for(cfg, f"display-{device}", device_id=device, kind="display")
    screen = CounterApp(cfg, counter, bus, screenshots, keep)
    show(screen.window, size, windowed)
    bus.start()
    return _exec(app, bus)
