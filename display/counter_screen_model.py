"""What a counter's own screen shows, from its retained ``counter/{id}/state`` (plain Python, no Qt).

``CounterScreenModel.screen()`` gives every text of the screen: the counter name, the number
being served (huge), the service, the officer's name and title, "Tạm nghỉ" with the reason when
paused, "Đóng" when closed, and "Mất kết nối" (numbers hidden) while the broker is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from motcua.bus.models import CallEvent, CounterStateMsg
from motcua.i18n import t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CounterScreen:
    """Every text on the screen; ``mode`` picks the colours: serving, idle, paused, closed,
    disconnected or connecting."""

    mode: str
    title: str
    headline: str
    number: str
    service: str
    officer_name: str
    officer_title: str
    detail: str


class CounterScreenModel:
    """One counter's state; mutators return True when the screen changed."""

    def __init__(self, counter: str, name: str) -> None:
        self.counter = counter
        self.name = name
        self.connected = False
        self.ever_connected = False
        self.flash_serial = 0
        self._state: CounterStateMsg | None = None

    def set_connected(self, connected: bool) -> bool:
        if connected == self.connected:
            return False
        self.connected = connected
        self.ever_connected = self.ever_connected or connected
        if not connected:
            self._state = None
        return True

    def apply_state(self, payload: dict[str, Any] | None) -> bool:
        """The retained counter state (None: cleared); ignored while offline."""
        if not self.connected:
            return False
        try:
            self._state = CounterStateMsg.model_validate(payload) if payload is not None else None
        except ValidationError as exc:
            log.warning("ignoring a malformed counter state: %s", exc.errors()[0]["msg"])
            return False
        return True

    def apply_call(self, payload: dict[str, Any]) -> bool:
        """A call (or recall) at this counter makes the number flash."""
        if not self.connected:
            return False
        try:
            event = CallEvent.model_validate(payload)
        except ValidationError as exc:
            log.warning("ignoring a malformed call: %s", exc.errors()[0]["msg"])
            return False
        if event.counter != self.counter:
            return False
        self.flash_serial += 1
        return True

    def screen(self) -> CounterScreen:
        state = self._state
        title = state.name if state else self.name
        if not self.connected:
            key = "disconnected" if self.ever_connected else "connecting"
            return CounterScreen(key, title, t(f"display.{key}_title"), "", "", "", "",
                                 t(f"display.{key}_detail"))
        if state is None or state.status == "closed":
            return CounterScreen("closed", title, "", t("display.counter_closed"), "", "", "",
                                 t("display.counter_closed_detail"))
        officer_name = state.officer.name if state.officer else ""
        officer_title = state.officer.title if state.officer else ""
        if state.status == "paused":
            reason = t("display.counter_paused_reason", reason=state.paused_reason) if state.paused_reason else ""
            return CounterScreen("paused", title, "", t("display.counter_paused"), "", officer_name,
                                 officer_title, reason)
        current = state.current
        if current is None or current.state not in ("called", "serving"):
            return CounterScreen("idle", title, t("display.counter_idle"), t("display.counter_no_number"), "",
                                 officer_name, officer_title, "")
        return CounterScreen("serving", title, t("display.counter_serving"), current.number, current.service_name,
                             officer_name, officer_title, "")
