"""The office clock: real time in the office's timezone, optionally started at ``MOTCUA_NOW``."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


class Clock:
    """Wall clock in ``tz``; with ``start`` it begins at that instant and then runs in real time."""

    def __init__(self, tz: str = DEFAULT_TZ, start: datetime | None = None) -> None:
        self.tz = ZoneInfo(tz)
        self._offset = 0.0
        if start is not None:
            if start.tzinfo is None:
                raise ValueError("MOTCUA_NOW needs a UTC offset, e.g. 2026-11-23T08:00:00+07:00")
            self._offset = start.timestamp() - time.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self._offset, self.tz)

    @classmethod
    def from_env(cls, tz: str = DEFAULT_TZ) -> "Clock":
        raw = os.environ.get("MOTCUA_NOW", "").strip()
        return cls(tz, datetime.fromisoformat(raw) if raw else None)


def business_day(now: datetime, reset_at: dtime) -> date:
    """The office day ``now`` belongs to: days change at ``reset_at`` local time, not at midnight."""
    shifted = now - timedelta(hours=reset_at.hour, minutes=reset_at.minute)
    return shifted.date()


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with offset and whole seconds, as the contract writes times."""
    return None if dt is None else dt.replace(microsecond=0).isoformat()
