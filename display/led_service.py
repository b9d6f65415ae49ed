"""``motcua display led``: every serial LED line of ``devices.led_boards`` shows the current number
of each mapped counter, from the retained ``counter/{id}/state``.

Each line gets its own broker connection, so its retained ``device/{id}/status`` (online, or
offline with ``open_failed`` / ``write_timeout`` / ``write_failed`` from ``LedBus``) has its own
last will. What a board shows: the number being called or served; ``----`` while the counter is
closed or paused; blank while it is open with nobody called.
"""

from __future__ import annotations

import logging
from pydantic import ValidationError

from display.led import LedBus
from motcua.bus import BusClient, Incoming, PayloadError
from motcua.bus.models import CounterStateMsg
from motcua.config import OfficeConfig
from motcua.config.schema import LedBoardDevice
from motcua.runtime import bus_for

log = logging.getLogger(__name__)

NOT_SERVING = "----"


def led_text(state: CounterStateMsg | None) -> str:
    """What a counter's board shows for its state (None: no state known, blank)."""
    if state is None:
        return ""
    if state.status in ("closed", "paused"):
        return NOT_SERVING
    current = state.current
    return current.number if current and current.state in ("called", "serving") else ""


class LedLine:
    """One ``LedBoardDevice``: its serial ``LedBus`` fed by its own ``BusClient``."""

    def __init__(self, device: LedBoardDevice, bus: BusClient) -> None:
        self.device, self.bus = device, bus
        self.counters = {str(board.counter) for board in device.boards}
        self.led = LedBus(device, on_status=self._on_status)
        bus.subscribe(bus.topics.counter_state(), self._on_state)

    def start(self) -> None:
        self.led.start()
        self.bus.start()

    def stop(self) -> None:
        self.led.stop()
        self.bus.stop()

    def _on_state(self, msg: Incoming) -> None:
        parts = self.bus.topics.parts(msg.topic)
        if len(parts) != 3 or parts[1] not in self.counters:
            return
        state: CounterStateMsg | None = None
        if msg.raw:
            try:
                state = CounterStateMsg.model_validate(msg.json())
            except (PayloadError, ValidationError) as exc:
                log.warning("ignoring a malformed state on %s: %s", msg.topic, exc)
                return
        self.led.show(parts[1], led_text(state))

    def _on_status(self, _device_id: str, state: str, detail: str) -> None:
        self.bus.set_status(state, detail or None)


def led_lines(cfg: OfficeConfig) -> list[LedLine]:
    return [LedLine(device, bus_for(cfg, f"led-{device.id}", device_id=device.id, kind="led"))
            for device in cfg.devices.led_boards]
