"""Counter commands over the bus: a fresh request id per command, the same id on every retry."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any, Callable

from motcua.bus import BusClient, RequestTimeout, new_request_id

log = logging.getLogger("motcua.counter")

Done = Callable[[dict[str, Any] | None], None]  # the reply, or None when every attempt timed out
Retrying = Callable[[int], None]  # the number of the attempt about to start (2, 3...)


class CommandSender:
    """Sends ``counter/{counter}/cmd`` requests for one counter.

    Each ``send`` makes one request id. The bus re-sends it every ``retry_every`` seconds until
    ``timeout``; after a timeout the same payload (same id) is sent again, up to ``attempts``
    times, so a command is applied at most once however often it is re-sent.
    """

    def __init__(self, bus: BusClient, counter: str, name: str, timeout: float = 6.0,
                 retry_every: float = 2.0, attempts: int = 3) -> None:
        self.bus = bus
        self.counter = counter
        self.name = name
        self.timeout = timeout
        self.retry_every = retry_every
        self.attempts = attempts
        self._lock = threading.Lock()
        self._in_flight = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._in_flight > 0

    def send(self, op: str, fields: dict[str, Any], on_done: Done,
             on_retry: Retrying | None = None) -> str:
        """Send ``op`` with ``fields``; ``on_done(reply or None)`` runs in a bus thread."""
        payload = {"id": new_request_id(self.name), "op": op, **fields}
        with self._lock:
            self._in_flight += 1
        self._attempt(payload, 1, on_done, on_retry)
        return payload["id"]

    def _attempt(self, payload: dict[str, Any], attempt: int, on_done: Done,
                 on_retry: Retrying | None) -> None:
        future = self.bus.request_async(self.bus.topics.counter_cmd(self.counter), payload,
                                        timeout=self.timeout, retry_every=self.retry_every)

        def finished(fut: Future) -> None:
            error = fut.exception()
            if isinstance(error, RequestTimeout) and attempt < self.attempts:
                log.warning("no reply to %s (%s), attempt %d; sending it again", payload["id"], payload["op"], attempt)
                if on_retry is not None:
                    on_retry(attempt + 1)
                self._attempt(payload, attempt + 1, on_done, on_retry)
                return
            with self._lock:
                self._in_flight -= 1
            if error is not None:
                log.warning("giving up on %s (%s): %s", payload["id"], payload["op"], error)
                on_done(None)
            else:
                on_done(fut.result())

        future.add_done_callback(finished)
