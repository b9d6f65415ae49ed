"""The live view: recomputes the dashboard after each written batch and pushes what changed.

One thread wakes when the aggregator has written something (at most every ``min_interval_s``,
and every ``refresh_s`` anyway so waiting times keep ticking), queries PostgreSQL once for all
offices, renders each office's row, and sends every browser only the rows whose HTML changed,
plus the fragments of the office pages that browsers are watching. A slow browser gets the
latest update, never a growing backlog.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Iterable
from zoneinfo import ZoneInfo

import psycopg

from motcua.clock import Clock
from province import pages, queries
from province.config import ProvinceConfig
from province.queries import Period, Pool

log = logging.getLogger("province.live")

FIGURES = ("waiting", "longest_wait_s", "counters_open", "counters_total", "served_today", "good_today",
           "ratings_today", "good_month", "ratings_month", "overdue", "devices_down", "devices_total",
           "cameras_live", "cameras_total")


@dataclass
class Client:
    """One browser's event stream: the office it watches (None = overview) and its next message."""

    office: str | None
    _message: str | None = None
    _ready: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False

    def offer(self, message: str) -> None:
        with self._ready:
            self._message = message if self._message is None else _merge(self._message, message)
            self._ready.notify()

    def take(self, timeout: float) -> str | None:
        """The next message, or None after ``timeout`` (or when closed)."""
        with self._ready:
            if self._message is None and not self.closed:
                self._ready.wait(timeout)
            message, self._message = self._message, None
            return message

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify()


def _merge(older: str, newer: str) -> str:
    """Two pending updates as one: rows and fragments of the newer win, the rest is kept."""
    a, b = json.loads(older), json.loads(newer)
    for key in ("rows", "fragments", "figures"):
        if key in a or key in b:
            a[key] = {**a.get(key, {}), **b.get(key, {})}
    for key in ("version", "order", "at"):
        if key in b:
            a[key] = b[key]
    return json.dumps(a, ensure_ascii=False)


class Live:
    def __init__(self, cfg: ProvinceConfig, pool: Pool, clock: Clock) -> None:
        self.cfg, self.pool, self.clock = cfg, pool, clock
        self.tz = ZoneInfo(cfg.province.timezone)
        self.limits = pages.Thresholds(cfg.live.long_wait_minutes, cfg.live.low_satisfaction_pct,
                                       cfg.live.stale_minutes)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._publishing = threading.Lock()  # one recomputation at a time (loop or first page)
        self._dirty: set[str] = set()
        self._clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        # the last published overview
        self.version = 0
        self._data: dict[str, dict] = {}  # the overview row of each office
        self._rows: dict[str, str] = {}  # its HTML
        self._order: list[str] = []
        self._fragments: dict[str, str] = {}
        self._charts_at = 0.0
        self._office_fragments: dict[str, dict[str, str]] = {}

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> "Live":
        self._thread = threading.Thread(target=self._run, name="province-live", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            client.close()
        if self._thread:
            self._thread.join(timeout=5)

    def notify(self, offices: Iterable[str]) -> None:
        """Called by the aggregator after a committed batch."""
        with self._lock:
            self._dirty.update(offices)
        self._wake.set()

    def period(self) -> Period:
        now = self.clock.now().astimezone(self.tz)
        return Period(now=now, day=now.date())

    # ---- clients --------------------------------------------------------------------------
    def subscribe(self, office: str | None, seen_version: int | None) -> tuple[int, Client]:
        """Register a stream; it first gets everything it has not seen (nothing, if its page is current)."""
        client = Client(office)
        with self._lock:
            key = next(self._ids)
            self._clients[key] = client
            if office is None and seen_version != self.version and self.version:
                client.offer(self._catch_up_message())
            elif office is not None and office in self._office_fragments and seen_version != self.version:
                client.offer(json.dumps({"version": self.version, "fragments": self._office_fragments[office]},
                                        ensure_ascii=False))
        self._wake.set()
        return key, client

    def unsubscribe(self, key: int) -> None:
        with self._lock:
            client = self._clients.pop(key, None)
        if client:
            client.close()

    # ---- snapshots for a first page -------------------------------------------------------
    def overview_snapshot(self) -> tuple[int, list[str], dict[str, str]]:
        """Version, row HTML in order, and fragments; computed now if nothing was published yet."""
        with self._lock:
            if self.version:
                return self.version, [self._rows[o] for o in self._order], dict(self._fragments)
        self._publish(set(), refresh=True)
        with self._lock:
            return self.version, [self._rows[o] for o in self._order], dict(self._fragments)

    def office_snapshot(self, office: str) -> tuple[int, dict[str, str]] | None:
        with self.pool.connection() as conn:
            if not queries.office_exists(conn, office):
                return None
            fragments = self._office(conn, office, self.period())
        with self._lock:
            self._office_fragments[office] = fragments
            return self.version, fragments

    # ---- the loop -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(self.cfg.live.refresh_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            try:
                self._publish(dirty, refresh=not woken)
            except psycopg.Error as exc:
                log.warning("live view query failed: %s", exc)
                self._stop.wait(1.0)
            self._stop.wait(self.cfg.live.min_interval_s)

    def _publish(self, dirty: set[str], refresh: bool) -> None:
        with self._publishing:
            self._publish_now(dirty, refresh)

    def _publish_now(self, dirty: set[str], refresh: bool) -> None:
        """Re-query the offices that changed (every office on a refresh), render their rows, push."""
        period = self.period()
        full = refresh or not self._data
        with self.pool.connection() as conn:
            rows = queries.overview(conn, period, None if full else sorted(dirty)) if full or dirty else []
            charts_due = time.monotonic() - self._charts_at >= self.cfg.live.chart_every_s
            if charts_due:
                hourly = queries.hourly_tickets(conn, period.day, self.cfg.province.timezone)
                satisfaction = queries.satisfaction_by_day(conn, period.month)
            with self._lock:
                watched = {c.office for c in self._clients.values() if c.office}
            offices = {o: self._office(conn, o, period) for o in watched if refresh or o in dirty
                       or o not in self._office_fragments}
        names = self.cfg.offices
        fresh = {r["office"]: r for r in rows}
        data = fresh if full else {**self._data, **fresh}
        html = {o: pages.office_row(r, names, self.limits, period.now, self.tz) for o, r in fresh.items()}
        order = sorted(data, key=lambda o: (pages.office_label(o, names).casefold(), o))
        fragments = {"tiles": pages.tiles(list(data.values()), self.limits, period.now, self.tz)}
        if charts_due:
            fragments["chart-hourly"] = pages.hourly_chart(hourly)
            fragments["chart-satisfaction"] = pages.satisfaction_chart(satisfaction, period.month)
            self._charts_at = time.monotonic()
        with self._lock:
            changed = {o: h for o, h in html.items() if self._rows.get(o) != h}
            order_changed = order != self._order
            self.version += 1
            self._data, self._order = data, order
            self._rows = {o: html.get(o, self._rows.get(o, "")) for o in order}
            self._fragments.update(fragments)
            message = json.dumps({"version": self.version, "at": period.now.isoformat(), "rows": changed,
                                  "figures": {o: _figures(data[o]) for o in changed}, "fragments": fragments,
                                  **({"order": order} if order_changed else {})}, ensure_ascii=False)
            office_messages = {}
            for office, frags in offices.items():
                delta = {k: v for k, v in frags.items() if self._office_fragments.get(office, {}).get(k) != v}
                self._office_fragments[office] = frags
                if delta:
                    office_messages[office] = json.dumps({"version": self.version, "fragments": delta},
                                                         ensure_ascii=False)
            for client in self._clients.values():
                if client.office is None:
                    client.offer(message)
                elif client.office in office_messages:
                    client.offer(office_messages[client.office])

    def _catch_up_message(self) -> str:
        """Everything of the overview, for a browser whose page is older than the last update."""
        return json.dumps({"version": self.version, "rows": dict(self._rows), "order": self._order,
                           "figures": {o: _figures(r) for o, r in self._data.items()},
                           "fragments": self._fragments},
                          ensure_ascii=False)

    def _office(self, conn: psycopg.Connection, office: str, period: Period) -> dict[str, str]:
        row = next(iter(queries.overview(conn, period, [office])), None)
        return {
            "office-summary": pages.summary(row, self.limits, period.now, self.tz),
            "office-counters": pages.counters_table(queries.office_counters(conn, office)),
            "office-officers": pages.officers_table(queries.office_officers(conn, office, period)),
            "office-services": pages.services_table(queries.office_services(conn, office)),
            "office-ratings": pages.ratings_table(queries.recent_ratings(conn, office), self.tz),
            "office-devices": pages.devices_table(queries.office_devices(conn, office),
                                                  queries.office_cameras(conn, office), self.tz),
            "chart-waiting": pages.waiting_chart(
                queries.waiting_curve(conn, office, period, self.cfg.province.timezone), self.tz),
            "chart-office-hourly": pages.hourly_chart(
                queries.hourly_tickets(conn, period.day, self.cfg.province.timezone, office)),
            "chart-office-satisfaction": pages.satisfaction_chart(
                queries.satisfaction_by_day(conn, period.month, office), period.month),
        }


def _figures(row: dict) -> dict:
    return {key: row[key] for key in FIGURES}
