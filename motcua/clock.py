"""The office clock: real time in the office's timezone, optionally started at ``MOTCUA_NOW``."""

from __future__ import annotations

import functools

import os
import time
from datetime import date, datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


class Clock:
    """Wall clock in ``tz``; with ``start`` it begins at that instant and then runs ``speed`` times
    faster than real time (1 = real time; the soak test runs office hours at 60×)."""

    def __init__(self, tz: str = DEFAULT_TZ, start: datetime | None = None, speed: float = 1.0) -> None:
        self.tz = ZoneInfo(tz)
        self.speed = speed
        self._origin_real = time.time()
        self._origin = self._origin_real
        if start is not None:
            if start.tzinfo is None:
                raise ValueError("MOTCUA_NOW needs a UTC offset, e.g. 2026-11-23T08:00:00+07:00")
            self._origin = start.timestamp()

    def now(self) -> datetime:
        elapsed = (time.time() - self._origin_real) * self.speed
        return datetime.fromtimestamp(self._origin + elapsed, self.tz)

    @classmethod
    def from_env(cls, tz: str = DEFAULT_TZ) -> "Clock":
        """``MOTCUA_NOW`` (start instant) and ``MOTCUA_SPEED`` (extension: a speed factor)."""
        raw = os.environ.get("MOTCUA_NOW", "").strip()
        speed = float(os.environ.get("MOTCUA_SPEED", "1") or 1)
        return cls(tz, datetime.fromisoformat(raw) if raw else None, speed)


def business_day(now: datetime, reset_at: dtime) -> date:
    """The office day ``now`` belongs to: days change at ``reset_at`` local time, not at midnight."""
    shifted = now - timedelta(hours=reset_at.hour, minutes=reset_at.minute)
    return shifted.date()


@functools.lru_cache(maxsize=4096)  # the same ticket times are written into many messages
def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with offset and whole seconds, as the contract writes times."""
    return None if dt is None else dt.replace(microsecond=0).isoformat()
