"""What the uplink has sent but the receiver has not yet confirmed: the true end-to-end backlog.

The bridge cannot see into ZeroMQ's queue, the kernel's send buffer or a modem's buffers on the way;
the receiver's acknowledgements can. The age of the oldest unconfirmed packet (on the bridge's own
clock) is how far behind the far end is, whatever is buffering on the way; it drives the decision
to drop GOPs, and the confirmed ones give the latency figure.
"""

from __future__ import annotations

from collections import deque


class InFlight:
    def __init__(self) -> None:
        self._sent: deque[tuple[int, float]] = deque()  # (seq, read time), in send order
        self.session: int | None = None

    def sent(self, session: int, seq: int, read_at: float) -> None:
        if session != self.session:
            self.clear()
            self.session = session
        self._sent.append((seq, read_at))

    def acked(self, session: int, seq: int, now: float) -> float | None:
        """Forget everything up to ``seq``; returns that packet's latency (read -> confirmed)."""
        if session != self.session:
            return None
        latency = None
        while self._sent and self._sent[0][0] <= seq:
            latency = now - self._sent.popleft()[1]
        return latency

    def oldest_age(self, now: float) -> float:
        return now - self._sent[0][1] if self._sent else 0.0

    def clear(self) -> None:
        self._sent.clear()

    def __len__(self) -> int:
        return len(self._sent)
