"""The bounded queue between a camera and the uplink: whole GOPs in, whole GOPs dropped.

A packet enters only as part of an admitted GOP. At each key frame the queue decides: if the
oldest packet still queued here, or sent but not yet confirmed by the receiver (``backlog_s``),
is older than ``max_age_s`` (the uplink is not keeping up) or the queue holds more than
``max_bytes``, the new GOP is dropped whole, from its key frame to the next one. If a GOP
already admitted would overflow ``max_bytes`` mid-way, the rest of it is dropped (its decodable
head stays). A single frame is never dropped alone, so the receiver never gets a GOP with a hole
in it, and latency stays bounded on a slow link instead of growing.

A token bucket paces output to the camera's budget (``rate_bps``): ``peek`` shows the next packet
only when the budget allows; ``pop`` it once the socket has accepted it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueueCounters:
    packets_in: int = 0
    packets_sent: int = 0
    bytes_sent: int = 0
    dropped_packets: int = 0
    dropped_bytes: int = 0
    dropped_gops: int = 0
    cut_gops: int = 0  # GOPs whose tail was dropped


@dataclass
class Queued:
    item: Any
    size: int
    key: bool
    enqueued: float


@dataclass
class GopQueue:
    max_age_s: float
    max_bytes: int
    rate_bps: float  # the camera's uplink budget, in bits per second
    burst_bytes: int  # token bucket depth; a larger packet waits for a full bucket, then borrows
    counters: QueueCounters = field(default_factory=QueueCounters)

    def __post_init__(self) -> None:
        if self.burst_bytes <= 0 or self.rate_bps <= 0:
            raise ValueError("the budget and the burst must be positive")
        self._queue: deque[Queued] = deque()
        self._bytes = 0
        self._dropping = True  # nothing is sent before the first key frame
        self._tokens = float(self.burst_bytes)
        self._refilled: float | None = None

    # ---- input ----------------------------------------------------------------------------
    def offer(self, item: Any, size: int, key: bool, now: float, backlog_s: float = 0.0) -> bool:
        """Queue one packet (or drop it with its GOP); True if it was queued. ``backlog_s``: age of
        the oldest packet sent but not yet confirmed."""
        self.counters.packets_in += 1
        if key:
            self._dropping = self._congested(now, backlog_s)
            if self._dropping:
                self.counters.dropped_gops += 1
        elif not self._dropping and self._bytes + size > self.max_bytes:
            self._dropping = True
            self.counters.cut_gops += 1
        if self._dropping:
            self.counters.dropped_packets += 1
            self.counters.dropped_bytes += size
            return False
        self._queue.append(Queued(item, size, key, now))
        self._bytes += size
        return True

    def _congested(self, now: float, backlog_s: float) -> bool:
        return (max(backlog_s, self.oldest_age(now)) > self.max_age_s
                or (bool(self._queue) and self._bytes >= self.max_bytes))

    def flush(self) -> None:
        """Drop what is queued and wait for the next key frame (a new camera session, or a link
        that dropped and lost what was in flight)."""
        self.counters.dropped_packets += len(self._queue)
        self.counters.dropped_bytes += self._bytes
        self._queue.clear()
        self._bytes = 0
        self._dropping = True

    # ---- output ---------------------------------------------------------------------------
    def peek(self, now: float) -> Queued | None:
        """The next packet to send, if the budget allows it now."""
        if not self._queue:
            return None
        self._refill(now)
        head = self._queue[0]
        return head if self._tokens >= min(head.size, self.burst_bytes) else None

    def pop(self) -> Queued:
        """Remove the packet ``peek`` returned, once the socket took it."""
        head = self._queue.popleft()
        self._bytes -= head.size
        self._tokens -= head.size
        self.counters.packets_sent += 1
        self.counters.bytes_sent += head.size
        return head

    def _refill(self, now: float) -> None:
        if self._refilled is not None:
            self._tokens = min(float(self.burst_bytes),
                               self._tokens + (now - self._refilled) * self.rate_bps / 8)
        self._refilled = now

    def wait_s(self, now: float) -> float:
        """How long until the head packet fits the budget (0 if it does or the queue is empty)."""
        if not self._queue:
            return 0.0
        self._refill(now)
        need = min(self._queue[0].size, self.burst_bytes) - self._tokens
        return need * 8 / self.rate_bps + 1e-6 if need > 0 else 0.0  # a hair over, for rounding

    # ---- figures --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._queue)

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def oldest_age(self, now: float) -> float:
        return now - self._queue[0].enqueued if self._queue else 0.0
