"""What the take-a-number screens show about each service: open or closed (retained
``service/+/state`` from ticketd, else the configured hours), its issuing hours, who is waiting.

Fields (lĩnh vực) group services in config order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, time

from motcua.config import OfficeConfig
from motcua.config.schema import WEEKDAYS, ServiceConfig, WeeklyHours
from motcua.i18n import t


@dataclass(frozen=True)
class ServiceOption:
    code: str
    name: str
    field: str
    open: bool
    hours_today: str  # "07:30–11:30, 13:30–17:00" or the text for a closed day
    hours_week: str  # "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00"
    waiting: int | None
    est_wait_s: int | None
    note: str  # one line for the button: waiting and wait, or why it is closed


@dataclass(frozen=True)
class FieldOption:
    name: str
    services: tuple[ServiceOption, ...]

    @property
    def open(self) -> bool:
        return any(s.open for s in self.services)

    @property
    def waiting(self) -> int | None:
        counts = [s.waiting for s in self.services if s.waiting is not None]
        return sum(counts) if counts else None


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def windows_text(windows: list[tuple[time, time]]) -> str:
    return ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in windows)


def week_text(hours: WeeklyHours) -> str:
    """Weekly issuing hours with runs of equal days merged: "Thứ Hai – Thứ Sáu: 07:30–11:30"."""
    parts = []
    days = [(i, hours.for_weekday(i)) for i in range(7)]
    i = 0
    while i < 7:
        windows = days[i][1]
        j = i
        while j + 1 < 7 and days[j + 1][1] == windows:
            j += 1
        if windows:
            first, last = t(f"kiosk.weekday_{WEEKDAYS[i]}"), t(f"kiosk.weekday_{WEEKDAYS[j]}")
            span = first if i == j else f"{first} – {last}"
            parts.append(f"{span}: {windows_text(windows)}")
        i = j + 1
    return "; ".join(parts)


def open_by_hours(service: ServiceConfig, now: datetime) -> bool:
    return any(a <= now.time() < b for a, b in service.hours.for_weekday(now.weekday()))


def minutes_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return t("kiosk.minutes", minutes=minutes)


class ServiceBoard:
    """Services and fields as the kiosk shows them; ``update`` takes a retained service state
    (any thread), the rest is read by the UI."""

    def __init__(self, cfg: OfficeConfig) -> None:
        self.cfg = cfg
        self._states: dict[str, dict] = {}
        self._lock = threading.Lock()

    def update(self, state: dict) -> bool:
        """Record a ``service/{code}/state`` payload; False when it names no configured service."""
        code = str(state.get("service", ""))
        if not any(s.code == code for s in self.cfg.services):
            return False
        with self._lock:
            self._states[code] = dict(state)
        return True

    @property
    def known(self) -> frozenset[str]:
        """Codes of the services whose state ticketd has published."""
        with self._lock:
            return frozenset(self._states)

    def option(self, service: ServiceConfig, now: datetime) -> ServiceOption:
        with self._lock:
            state = self._states.get(service.code)
        today = service.hours.for_weekday(now.weekday())
        is_open = bool(state["open"]) if state and "open" in state else open_by_hours(service, now)
        waiting = int(state["waiting"]) if state and state.get("waiting") is not None else None
        est = int(state["est_wait_s"]) if state and state.get("est_wait_s") is not None else None
        quota_full = bool(
            state and service.daily_quota is not None and int(state.get("issued_today") or 0) >= service.daily_quota
        )
        if quota_full:
            is_open = False
            note = t("kiosk.service_quota_full")
        elif not is_open:
            note = t("kiosk.service_closed_hours", hours=windows_text(today)) if today else t("kiosk.service_closed_today")
        elif waiting:
            note = t("kiosk.service_waiting", count=waiting, wait=minutes_text(est or 0))
        elif waiting == 0:
            note = t("kiosk.service_no_queue")
        else:  # no state from ticketd yet: the hours are what we know
            note = t("kiosk.service_hours_today", hours=windows_text(today))
        return ServiceOption(
            code=service.code, name=service.name, field=service.field, open=is_open,
            hours_today=windows_text(today) if today else t("kiosk.service_closed_today"),
            hours_week=week_text(service.hours), waiting=waiting, est_wait_s=est, note=note,
        )

    def fields(self, now: datetime) -> list[FieldOption]:
        grouped: dict[str, list[ServiceOption]] = {}
        for service in self.cfg.services:
            grouped.setdefault(service.field, []).append(self.option(service, now))
        return [FieldOption(name, tuple(options)) for name, options in grouped.items()]

    def field(self, name: str, now: datetime) -> FieldOption | None:
        return next((f for f in self.fields(now) if f.name == name), None)
