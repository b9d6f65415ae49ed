"""What the hall TV shows, built from retained state and ``call`` events (plain Python, no Qt).

``HallModel.apply(topic, payload, now)`` takes every message the hall subscribes to; the view
reads ``counter_rows()``, ``recent()``, ``waiting_rows()`` and ``stats()``. ``now`` is a
monotonic time in seconds, so the call queue is tested without sleeping.

Calls are queued: each one stays the highlighted newest call for at least ``min_show_s``, so two
counters calling in the same millisecond are both shown, one after the other, in arrival order.
Losing the broker clears everything: the TV shows "Mất kết nối" rather than stale numbers, and
rebuilds its whole view from the retained state the broker sends again on reconnect.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from motcua.bus import Topics
from motcua.bus.models import CallEvent, CounterStateMsg, HallMsg, ServiceStateMsg, StatsMsg
from motcua.i18n import t

log = logging.getLogger(__name__)

RECENT_SIZE = 4


@dataclass(frozen=True)
class CallItem:
    """One call as the hall lists it."""

    number: str
    counter: str
    counter_name: str
    at: str
    recall: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.number, self.counter, self.at)


@dataclass(frozen=True)
class CounterRow:
    """One open or paused counter: its name, the number it serves (or None) and a caption."""

    counter: str
    name: str
    number: str | None
    caption: str
    paused: bool


@dataclass(frozen=True)
class WaitingRow:
    service: str
    name: str
    waiting: int
    wait_text: str
    open: bool


@dataclass(frozen=True)
class StatsView:
    received_today: int
    in_progress: int
    on_time: int
    overdue: int
    period: str


def vi_datetime(dt: datetime) -> str:
    """"Thứ Hai, 23/11/2026 08:05"."""
    return t("display.datetime", weekday=t(f"display.weekday_{dt.weekday()}"),
             date=dt.strftime("%d/%m/%Y"), time=dt.strftime("%H:%M"))


def wait_text(seconds: int) -> str:
    """An estimated wait as people say it: "dưới 1 phút", "~12 phút", "~1 giờ 05 phút"."""
    if seconds < 60:
        return t("display.wait_under_minute")
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return t("display.wait_minutes", minutes=minutes)
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return t("display.wait_whole_hours", hours=hours)
    return t("display.wait_hours", hours=hours, minutes=f"{rest:02d}")


class HallModel:
    """The hall's state; every mutator returns True when what the TV shows changed."""

    def __init__(self, office: str, counters: Sequence[tuple[str, str]], services: Sequence[tuple[str, str]],
                 min_show_s: float, recent_size: int = RECENT_SIZE) -> None:
        self.topics = Topics(office)
        self.counter_order = [c for c, _ in counters]
        self.counter_names = dict(counters)
        self.service_order = [s for s, _ in services]
        self.service_names = dict(services)
        self.min_show_s = min_show_s
        self.recent_size = recent_size
        self.connected = False
        self.ever_connected = False
        self.highlight_serial = 0
        self._counters: dict[str, CounterStateMsg] = {}
        self._services: dict[str, ServiceStateMsg] = {}
        self._hall: HallMsg | None = None
        self._stats: StatsMsg | None = None
        self._pending: deque[CallItem] = deque()
        self._shown: deque[CallItem] = deque(maxlen=recent_size)  # newest first
        self._showing: CallItem | None = None
        self._shown_since = 0.0

    @classmethod
    def from_config(cls, cfg: Any, recent_size: int = RECENT_SIZE) -> HallModel:
        """A model for an ``OfficeConfig``: its counters and services, in config order."""
        return cls(cfg.office.id, [(c.id, c.name) for c in cfg.counters],
                   [(s.code, s.name) for s in cfg.services], cfg.hall.call_min_show_s, recent_size)

    # ---- input -------------------------------------------------------------------------------
    def set_connected(self, connected: bool) -> bool:
        if connected == self.connected:
            return False
        self.connected = connected
        if connected:
            self.ever_connected = True
        else:
            self._counters.clear()
            self._services.clear()
            self._hall = None
            self._stats = None
            self._pending.clear()
            self._shown.clear()
            self._showing = None
        return True

    def apply(self, topic: str, payload: dict[str, Any] | None, now: float) -> bool:
        """Take one message (``payload`` None: a cleared retained topic); ignored while offline."""
        if not self.connected:
            return False
        parts = self.topics.parts(topic)
        try:
            if parts == ["call"]:
                return payload is not None and self._on_call(CallEvent.model_validate(payload), now)
            if len(parts) == 3 and parts[0] == "counter" and parts[2] == "state":
                return self._put(self._counters, parts[1], payload, CounterStateMsg)
            if len(parts) == 3 and parts[0] == "service" and parts[2] == "state":
                return self._put(self._services, parts[1], payload, ServiceStateMsg)
            if parts == ["hall"]:
                self._hall = HallMsg.model_validate(payload) if payload is not None else None
                if self._hall is not None and not self._hall.recent and not self._pending:
                    self._shown.clear()  # a new office day (or a reset office): no call yet
                    self._showing = None
                return True
            if parts == ["stats"]:
                self._stats = StatsMsg.model_validate(payload) if payload is not None else None
                return True
        except ValidationError as exc:
            log.warning("ignoring a malformed message on %s: %s", topic, exc.errors()[0]["msg"])
        return False

    @staticmethod
    def _put(table: dict, key: str, payload: dict[str, Any] | None, model: type) -> bool:
        if payload is None:
            table.pop(key, None)
        else:
            table[key] = model.model_validate(payload)
        return True

    def _on_call(self, event: CallEvent, now: float) -> bool:
        item = CallItem(event.number, event.counter, event.counter_name, event.at, event.recall)
        if self._showing is None or (not self._pending and now - self._shown_since >= self.min_show_s):
            self._show(item, now)
        else:
            self._pending.append(item)
        return True

    def _show(self, item: CallItem, now: float) -> None:
        self._showing = item
        self._shown.appendleft(item)
        self._shown_since = now
        self.highlight_serial += 1

    def tick(self, now: float) -> bool:
        """Move the next queued call to the highlight once the current one has had its time."""
        if self._pending and now - self._shown_since >= self.min_show_s:
            self._show(self._pending.popleft(), now)
            return True
        return False

    def next_tick_in(self, now: float) -> float | None:
        """Seconds until ``tick`` has something to do (None: no call is waiting)."""
        if not self._pending:
            return None
        return max(0.0, self._shown_since + self.min_show_s - now)

    # ---- views -------------------------------------------------------------------------------
    @property
    def showing(self) -> CallItem | None:
        """The call being highlighted because it just arrived (None after a rebuild)."""
        return self._showing

    def recent(self) -> list[CallItem]:
        """The last calls, newest first; the first one is highlighted. Queued calls wait their turn;
        the retained ``hall`` list fills in the calls made before this display started."""
        pending = {item.key for item in self._pending}
        items: list[CallItem] = list(self._shown)
        seen = {item.key for item in items}
        for call in self._hall.recent if self._hall else []:
            item = CallItem(call.number, call.counter, call.counter_name, call.at)
            if item.key not in pending and item.key not in seen:
                items.append(item)
                seen.add(item.key)
        return items[: self.recent_size]

    def counter_rows(self) -> list[CounterRow]:
        """Every open or paused counter, in config order."""
        ids = self.counter_order + sorted(set(self._counters) - set(self.counter_order))
        rows = []
        for counter in ids:
            state = self._counters.get(counter)
            if state is None or state.status == "closed":
                continue
            paused = state.status == "paused"
            current = state.current if state.current and state.current.state in ("called", "serving") else None
            if paused:
                caption = t("display.hall_counter_paused")
            elif current:
                caption = current.service_name
            else:
                caption = t("display.hall_counter_idle")
            rows.append(CounterRow(counter, state.name, current.number if current else None, caption, paused))
        return rows

    def waiting_rows(self) -> list[WaitingRow]:
        """Waiting count and estimated wait of every known service, in config order."""
        codes = self.service_order + sorted(set(self._services) - set(self.service_order))
        rows = []
        for code in codes:
            state = self._services.get(code)
            if state is None:
                continue
            if not state.open:
                when = t("display.hall_service_closed")
            elif state.waiting == 0:
                when = "—"
            else:
                when = wait_text(state.est_wait_s)
            rows.append(WaitingRow(code, state.name, state.waiting, when, state.open))
        return rows

    def waiting_total(self) -> int | None:
        return self._hall.waiting_total if self._hall else None

    def stats(self) -> StatsView | None:
        s = self._stats
        if s is None:
            return None
        return StatsView(s.received_today, s.in_progress, s.on_time, s.overdue, s.period)
