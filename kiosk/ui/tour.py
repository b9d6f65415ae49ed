"""``motcua kiosk --tour``: the kiosk walks itself through every screen once, pressing its own
buttons (take a number, search "khai sinh", open a procedure, look up a dossier), then waits on
the home screen. For installers checking a new kiosk, and for the demo's screenshots.

It takes one real ticket through ticketd, as a citizen would.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QTimer

from kiosk.dossiers.sources import SourceUnavailable
from kiosk.flow import TakeState
from kiosk.ui.app import KioskApp

log = logging.getLogger("motcua.kiosk.tour")


class Tour:
    def __init__(self, app: KioskApp, pause_ms: int = 1500) -> None:
        self.app, self.pause_ms = app, pause_ms
        self.window, self.ctx = app.window, app.ctx
        self.steps: list[Callable[[], bool]] = [
            self.take_number, self.first_field, self.first_open_service, self.ticket_answered, self.home,
            self.search, self.first_result, self.home,
            self.dossier, self.dossier_code, self.dossier_factor, self.dossier_result, self.home,
        ]
        self.timer = QTimer(interval=pause_ms)
        self.timer.timeout.connect(self._tick)
        self.sample = self._sample_dossier()

    def start(self) -> None:
        self.timer.start()

    def _tick(self) -> None:
        if not self.steps:
            self.timer.stop()
            log.info("tour finished")
            return
        if self.steps[0]():  # a step returns False to be tried again on the next tick
            self.steps.pop(0)

    def _sample_dossier(self):
        source = self.ctx.lookup.source
        try:
            records = source.all() if source is not None else []
        except SourceUnavailable:
            records = []
        unfinished = [r for r in records if r.status.unfinished]
        return (unfinished or records or [None])[0]

    def take_number(self) -> bool:
        self.window.screens["home"].take.click()
        return True

    def first_field(self) -> bool:
        fields = self.window.screens["fields"]
        opened = [name for name, b in fields.buttons.items() if b.note.property("closed") == "false"]
        if not opened:
            log.info("tour: every field is closed now; skipping the ticket")
            self.steps[1:4] = [lambda: True] * 3
            return True
        fields.buttons[opened[0]].click()
        return True

    def first_open_service(self) -> bool:
        services = self.window.screens["services"]
        enabled = [b for b in services.buttons.values() if b.isEnabled()]
        if enabled:
            enabled[0].click()
        return True

    def ticket_answered(self) -> bool:
        flow = self.ctx.flow
        if flow.state is TakeState.SENDING:
            return False
        if flow.state is TakeState.NO_ANSWER and flow.sends < 3:
            flow.retry()
            return False
        return True

    def home(self) -> bool:
        self.window.home()
        return True

    def search(self) -> bool:
        self.window.screens["home"].search.click()
        self.window.screens["search"].set_query("khai sinh")
        return True

    def first_result(self) -> bool:
        hits = self.window.screens["search"].hits
        if hits:
            self.window.go("procedure", code=hits[0].code)
        return True

    def dossier(self) -> bool:
        self.window.screens["home"].dossier.click()
        return True

    def dossier_code(self) -> bool:
        if self.sample is not None:
            screen = self.window.screens["dossier"]
            screen.buffer.set(self.sample.code)
            screen.refresh()
            screen.start_lookup()
        return True

    def dossier_factor(self) -> bool:
        current = self.window.current
        if current is not None and current.name == "dossier" and current.runner.busy:
            return False
        if current is not None and current.name == "factor" and self.sample and self.sample.id_last4:
            current.buffer.set(self.sample.id_last4)
            current.start_lookup()
        return True

    def dossier_result(self) -> bool:
        current = self.window.current
        return not (current is not None and current.name == "factor" and current.runner.busy)
