"""Sliding-window figures: packet and bit rates, and latency percentiles."""

from __future__ import annotations

from collections import deque


class RateMeter:
    """Packets per second and kbit/s over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = window_s
        self._events: deque[tuple[float, int]] = deque()
        self._bytes = 0

    def add(self, now: float, size: int) -> None:
        self._events.append((now, size))
        self._bytes += size
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._events and now - self._events[0][0] > self.window_s:
            self._bytes -= self._events.popleft()[1]

    def rates(self, now: float) -> tuple[float, float]:
        """(packets per second, kbit/s)."""
        self._trim(now)
        return len(self._events) / self.window_s, self._bytes * 8 / 1000 / self.window_s


class Percentiles:
    """Values seen in the last ``window_s`` seconds (at most ``limit``), with p50/p95/max."""

    def __init__(self, window_s: float = 30.0, limit: int = 5000) -> None:
        self.window_s = window_s
        self._values: deque[tuple[float, float]] = deque(maxlen=limit)

    def add(self, now: float, value: float) -> None:
        self._values.append((now, value))

    def summary(self, now: float) -> dict[str, float | None]:
        while self._values and now - self._values[0][0] > self.window_s:
            self._values.popleft()
        ordered = sorted(v for _t, v in self._values)
        if not ordered:
            return {"p50": None, "p95": None, "max": None}

        def pick(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

        return {"p50": pick(0.50), "p95": pick(0.95), "max": round(ordered[-1], 4)}
