"""Hands broker messages and the connection state over to the Qt thread.

Bus handlers run in the MQTT network thread; they only emit a signal, which Qt queues to the
thread of the bridge (the GUI thread), where models and widgets are touched.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from motcua.bus import BusClient, Incoming, PayloadError

log = logging.getLogger(__name__)

POLL_MS = 200


class BusBridge(QObject):
    """``message(topic, payload or None)`` for every message; ``connection(bool)`` on changes."""

    message = Signal(str, object)
    connection = Signal(bool)
    _connected_hook = Signal()

    def __init__(self, bus: BusClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self._connected = False
        self._connected_hook.connect(self._check)
        # The hook runs before the retained state of the new session arrives, so the GUI thread
        # hears "connected" before the messages that follow it.
        bus.on_connect(self._connected_hook.emit)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)
        self._poll.start()

    def subscribe(self, topic_filter: str) -> None:
        self.bus.subscribe(topic_filter, self._on_message)

    def _on_message(self, msg: Incoming) -> None:
        if not msg.raw:
            self.message.emit(msg.topic, None)
            return
        try:
            payload = msg.json()
        except PayloadError as exc:
            log.warning("ignoring %s: %s", msg.topic, exc)
            return
        self.message.emit(msg.topic, payload)

    def _check(self) -> None:
        connected = self.bus.connected.is_set()
        if connected != self._connected:
            self._connected = connected
            self.connection.emit(connected)
