"""Forwards the outbox to ticketd: each pending rating is sent with its own id until a reply.

Runs in one thread. A reply settles the entry (ok, or a definitive refusal such as
``duplicate_rating``); ``internal`` is the one error worth repeating. No reply (broker down,
ticketd restarting) leaves it pending and the thread tries again every ``retry_s`` and at once
after the bus reconnects.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from motcua.bus import BusClient, RequestTimeout
from motcua.clock import Clock
from rating_pad.outbox import Entry, Outbox

log = logging.getLogger("motcua.rating_pad")

RETRYABLE = {"internal"}


class OutboxSender:
    def __init__(self, bus: BusClient, outbox: Outbox, clock: Clock, retry_s: float = 2.0,
                 request_timeout: float = 5.0,
                 on_settled: Callable[[Entry, dict[str, Any]], None] | None = None) -> None:
        self.bus = bus
        self.outbox = outbox
        self.clock = clock
        self.retry_s = retry_s
        self.request_timeout = request_timeout
        self.on_settled = on_settled
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rating-outbox", daemon=True)
        bus.on_connect(self.wake)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=self.request_timeout + 2)

    def wake(self) -> None:
        """Try now (a new rating, or the broker is back)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.retry_s)
            self._wake.clear()
            if self.bus.connected.is_set():
                self.flush()

    def flush(self) -> int:
        """Send every pending rating once, oldest first; how many were settled."""
        settled = 0
        for entry in self.outbox.pending():
            if self._stopping.is_set():
                break
            self.outbox.attempted(entry.id)
            try:
                reply = self.bus.request(self.bus.topics.counter_rating(entry.counter), entry.payload,
                                         timeout=self.request_timeout, retry_every=1.0)
            except RequestTimeout:
                log.info("rating %s for %s not answered yet; kept for later", entry.id, entry.ticket)
                break
            code = (reply.get("error") or {}).get("code")
            if not reply.get("ok") and code in RETRYABLE:
                log.warning("rating %s: ticketd failed (%s); will retry", entry.id, code)
                continue
            self.outbox.settle(entry.id, reply, self.clock.now())
            settled += 1
            if reply.get("ok"):
                log.info("rating %s for %s delivered", entry.id, entry.ticket)
            else:
                log.info("rating %s for %s refused: %s", entry.id, entry.ticket, code)
            if self.on_settled is not None:
                self.on_settled(entry, reply)
        return settled
