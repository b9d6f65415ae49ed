"""Picture health from key-frame thumbnails, and the debounced state that is published.

``PictureCheck`` looks at small grey thumbnails of decoded key frames: a picture with almost no
spread of brightness is ``black`` (lens covered, camera dark, a blank "no signal" screen), the same
picture for ``frozen_s`` is ``frozen``. ``HealthTracker`` turns the raw state seen each second
into the published one with hysteresis: a worse state must hold ``enter_s``, recovery to ``live``
must hold ``clear_s``, so a flickering camera does not flood the bus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from camera_bridge.settings import HealthSettings

STATES = ("live", "stalled", "offline", "frozen", "black")
DEVICE_STATE = {"live": "online", "frozen": "degraded", "black": "degraded", "stalled": "degraded",
                "offline": "offline"}


class PictureCheck:
    """Feed thumbnails (2-D uint8 arrays) in time order; ``verdict`` says ok, black or frozen."""

    def __init__(self, settings: HealthSettings) -> None:
        self.settings = settings
        self._last: np.ndarray | None = None
        self._same_since: float | None = None
        self.verdict = "ok"
        self.mean = 0.0
        self.std = 0.0

    def observe(self, thumb: np.ndarray, now: float) -> str:
        pixels = thumb.astype(np.float32)
        self.mean, self.std = float(pixels.mean()), float(pixels.std())
        same = (self._last is not None and self._last.shape == pixels.shape
                and float(np.abs(pixels - self._last).mean()) <= self.settings.frozen_mad)
        if not same:
            self._same_since = now
        self._last = pixels
        if self.std < self.settings.black_std:
            self.verdict = "black"
        elif self._same_since is not None and now - self._same_since >= self.settings.frozen_s:
            self.verdict = "frozen"
        else:
            self.verdict = "ok"
        return self.verdict

    def reset(self) -> None:
        self._last, self._same_since, self.verdict = None, None, "ok"


def raw_state(worker_state: str, picture: str, since_packet_s: float, offline_after_s: float,
              stall_after_s: float) -> str:
    """The state right now, before debouncing, from what the worker last reported and how long
    ago its last packet was (a worker that stopped reporting may still say ``live``)."""
    if worker_state == "live" and since_packet_s < stall_after_s:
        return picture if picture in ("black", "frozen") else "live"
    return "stalled" if since_packet_s < offline_after_s else "offline"


@dataclass
class HealthTracker:
    """Debounces raw states; ``update`` returns the new published state when it changes."""

    enter_s: float
    clear_s: float
    published: str | None = None
    _candidate: str | None = None
    _since: float = 0.0

    def update(self, raw: str, now: float) -> str | None:
        if raw not in STATES:
            raise ValueError(f"unknown state {raw!r}")
        if self.published is None:  # the first state is news at once
            self.published, self._candidate = raw, None
            return raw
        if raw == self.published:
            self._candidate = None
            return None
        if raw != self._candidate:
            self._candidate, self._since = raw, now
        hold = self.clear_s if raw == "live" else self.enter_s
        if now - self._since >= hold:
            self.published, self._candidate = raw, None
            return raw
        return None
