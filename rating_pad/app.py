"""One rating pad wired up: window, outbox, sender and bus subscriptions."""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from motcua.bus import BusClient, json_handler, new_request_id
from motcua.clock import Clock
from motcua.config import OfficeConfig
from rating_pad.model import CHOICE, REASONS, PadModel
from rating_pad.outbox import Outbox
from rating_pad.sender import OutboxSender
from rating_pad.window import PadWindow

log = logging.getLogger("motcua.rating_pad")


def pad_device_id(cfg: OfficeConfig, counter: str) -> str:
    """The config's rating pad of ``counter``, or ``rating-pad-{counter}`` when none is listed."""
    return next((d.id for d in cfg.devices.rating_pads if d.counter == counter), f"rating-pad-{counter}")


class RatingPad:
    """A pad for ``counter`` on ``bus`` (subscribed; ``start()`` starts its sender). The outbox is
    ``rating_pad-{counter}.sqlite3`` in ``data_dir`` (default: the config's data dir)."""

    def __init__(self, cfg: OfficeConfig, counter: str, bus: BusClient, clock: Clock,
                 data_dir: Path | None = None, retry_s: float = 2.0) -> None:
        self.bus = bus
        self.clock = clock
        self.device_id = pad_device_id(cfg, counter)
        model = PadModel(counter, cfg.counter(counter).name, list(cfg.rating.reasons), cfg.rating.idle_s)
        self.outbox = Outbox((data_dir or cfg.storage.data_dir) / f"rating_pad-{counter}.sqlite3")
        self.sender = OutboxSender(bus, self.outbox, clock, retry_s=retry_s)
        self.window = PadWindow(model, clock, self.record)
        bus.subscribe(bus.topics.counter_state(counter), json_handler(self.window.bridge.counter_state.emit))
        bus.subscribe(bus.topics.rate_request(counter), json_handler(self.window.bridge.rate_request.emit))

    def record(self, payload: dict[str, Any]) -> str:
        """Commit the citizen's rating to the outbox, then wake the sender; its request id."""
        payload = {"id": new_request_id(self.device_id), **payload}
        self.outbox.add(self.window.model.counter_id, payload, self.clock.now())
        log.info("rating %s for %s stored (%s)", payload["id"], payload["ticket"], payload["level"])
        self.sender.wake()
        return payload["id"]

    def start(self) -> None:
        self.sender.start()

    def stop(self) -> None:
        self.sender.stop()
        self.outbox.close()


def save_screens(window: PadWindow, directory: Path, delay_ms: int = 300) -> None:
    """Headless: write ``DIR/<screen>.png`` each time a screen is shown (and idle at start)."""
    def save(screen: str) -> None:
        if window.model.screen == screen:
            window.save_screenshot(directory / f"{screen}.png")

    window.screen_changed.connect(lambda screen: QTimer.singleShot(delay_ms, lambda: save(screen)))
    QTimer.singleShot(5 * delay_ms, lambda: save(window.model.screen))


class AutoCitizen(QObject):
    """Demo only: answers each rate request like a citizen would, the same way for the same ticket.

    Seven in ten are very satisfied, two satisfied, one dissatisfied with the first reason.
    A child of the window, so it lives as long as the window does.
    """

    def __init__(self, window: PadWindow, think_ms: int = 800) -> None:
        super().__init__(window)
        self.window = window
        self.think_ms = think_ms
        window.screen_changed.connect(self._on_screen)

    @staticmethod
    def level_for(ticket: str) -> str:
        roll = zlib.crc32(ticket.encode()) % 10
        return "very_satisfied" if roll < 7 else "satisfied" if roll < 9 else "dissatisfied"

    def _on_screen(self, screen: str) -> None:
        ticket = self.window.model.ticket
        if screen == CHOICE:
            QTimer.singleShot(self.think_ms, lambda: self._choose(ticket))
        elif screen == REASONS:
            QTimer.singleShot(self.think_ms, lambda: self._reason(ticket))

    def _choose(self, ticket: str) -> None:
        if self.window.model.screen == CHOICE and self.window.model.ticket == ticket:
            self.window.choose(self.level_for(ticket))

    def _reason(self, ticket: str) -> None:
        model = self.window.model
        if model.screen == REASONS and model.ticket == ticket:
            self.window.toggle_reason(model.reasons[0])
            self.window.submit()
