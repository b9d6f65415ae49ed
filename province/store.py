"""Writes a parsed batch to PostgreSQL in one transaction.

Events and ratings are inserted with ``ON CONFLICT DO NOTHING`` on (day, office, event id), so a
message delivered twice (a bridge that reconnects, an office that resends its outbox) counts
once. Rows go in as arrays (``unnest``): one statement per table per batch. Retained state and
the latest state of each ticket are upserts that never replace a newer value with an older one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from province.ingest import Batch, RatingRow, TicketEventRow
from province.migrations import PARTITIONED, migrate

log = logging.getLogger("province.store")

# table of a cleared retained key -> (SQL table, key column or None for one row per office)
_CLEARABLE = {
    "counters": ("counters", "counter"), "services": ("services", "service"), "devices": ("devices", "device"),
    "cameras": ("cameras", "camera"), "halls": ("halls", None), "stats": ("office_stats", None),
}


@dataclass(frozen=True)
class Written:
    """What a batch changed: new (not redelivered) events and ratings, and the offices touched."""

    ticket_events: int
    ratings: int
    offices: frozenset[str]


class Store:
    """One connection, used by the aggregator's single writer thread."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection | None = None
        self._months: set[date] = set()

    def connect(self) -> "Store":
        self.close()
        self.conn = psycopg.connect(self.dsn, autocommit=True, application_name="motcua-province")
        migrate(self.conn)
        self._months.clear()
        return self

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def ensure_months(self, months: set[date]) -> None:
        for month in sorted(months - self._months):
            with self.conn.transaction():
                for table in PARTITIONED:
                    self.conn.execute("SELECT motcua_ensure_month(%s, %s)", (table, month))
            self._months.add(month)

    def write(self, batch: Batch) -> Written:
        """Write ``batch`` in one transaction (all of it or nothing)."""
        self.ensure_months(batch.months())
        with self.conn.transaction(), self.conn.cursor() as cur:
            self._offices(cur, batch)
            self._clear(cur, batch)
            new_events = self._ticket_events(cur, list(batch.ticket_events.values()))
            self._tickets(cur, _latest_per_ticket(batch.ticket_events.values()))
            new_ratings = self._ratings(cur, list(batch.ratings.values()))
            self._officers(cur, batch)
            self._counters(cur, batch)
            self._services(cur, batch)
            self._halls(cur, batch)
            self._stats(cur, batch)
            self._devices(cur, batch)
            self._cameras(cur, batch)
        return Written(new_events, new_ratings, frozenset(batch.offices))

    # ---- rows -----------------------------------------------------------------------------
    @staticmethod
    def _offices(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.offices:
            cur.execute("""
                INSERT INTO offices (office, last_seen)
                SELECT * FROM unnest(%s::text[], %s::timestamptz[])
                ON CONFLICT (office) DO UPDATE SET last_seen = greatest(offices.last_seen, EXCLUDED.last_seen)
            """, (list(batch.offices), list(batch.offices.values())))

    @staticmethod
    def _clear(cur: psycopg.Cursor, batch: Batch) -> None:
        for attribute, office, key in sorted(batch.cleared):
            table, column = _CLEARABLE[attribute]
            if column:
                cur.execute(f"DELETE FROM {table} WHERE office = %s AND {column} = %s", (office, key))
            else:
                cur.execute(f"DELETE FROM {table} WHERE office = %s", (office,))

    @staticmethod
    def _ticket_events(cur: psycopg.Cursor, rows: list[TicketEventRow]) -> int:
        if not rows:
            return 0
        cur.execute("""
            INSERT INTO ticket_events (day, office, event_id, op, number, service, state, counter, officer, at)
            SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                                 %s::text[], %s::text[], %s::text[], %s::timestamptz[])
            ON CONFLICT DO NOTHING
        """, _columns(rows, lambda r: (r.day, r.office, r.event_id, r.op, r.ticket.number, r.ticket.service,
                                       r.ticket.state, r.ticket.counter, r.ticket.officer, r.at)))
        return cur.rowcount

    @staticmethod
    def _tickets(cur: psycopg.Cursor, rows: list[TicketEventRow]) -> None:
        if not rows:
            return
        cur.execute("""
            INSERT INTO tickets (day, office, number, service, issued_service, priority, state, issued_at,
                                 called_at, started_at, finished_at, counter, officer, outcome, dossier,
                                 transfers, updated_at, event_seq)
            SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[],
                                 %s::text[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[],
                                 %s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::text[],
                                 %s::integer[], %s::timestamptz[], %s::bigint[])
            ON CONFLICT (day, office, number) DO UPDATE SET
                service = EXCLUDED.service, state = EXCLUDED.state, called_at = EXCLUDED.called_at,
                started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                counter = EXCLUDED.counter, officer = EXCLUDED.officer, outcome = EXCLUDED.outcome,
                dossier = EXCLUDED.dossier, transfers = EXCLUDED.transfers,
                updated_at = EXCLUDED.updated_at, event_seq = EXCLUDED.event_seq
            WHERE (tickets.updated_at, tickets.event_seq) < (EXCLUDED.updated_at, EXCLUDED.event_seq)
        """, _columns(rows, lambda r: (
            r.day, r.office, r.ticket.number, r.ticket.service, r.ticket.issued_service, r.ticket.priority,
            r.ticket.state, r.issued_at, r.called_at, r.started_at, r.finished_at, r.ticket.counter,
            r.ticket.officer, r.ticket.outcome, r.ticket.dossier, r.ticket.transfers, r.at, r.seq)))

    @staticmethod
    def _ratings(cur: psycopg.Cursor, rows: list[RatingRow]) -> int:
        if not rows:
            return 0
        cur.execute("""
            WITH ins AS (
                INSERT INTO ratings (day, office, event_id, ticket, level, officer, counter, at, reasons,
                                     comment, dossier)
                SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                                     %s::text[], %s::timestamptz[], %s::jsonb[], %s::text[], %s::text[])
                ON CONFLICT DO NOTHING
                RETURNING office, day, officer, level
            ), rollup AS (
                INSERT INTO rating_daily AS d (office, day, officer, very_satisfied, satisfied, dissatisfied)
                SELECT office, day, officer, count(*) FILTER (WHERE level = 'very_satisfied'),
                       count(*) FILTER (WHERE level = 'satisfied'), count(*) FILTER (WHERE level = 'dissatisfied')
                FROM ins GROUP BY office, day, officer
                ON CONFLICT (office, day, officer) DO UPDATE SET
                    very_satisfied = d.very_satisfied + EXCLUDED.very_satisfied,
                    satisfied = d.satisfied + EXCLUDED.satisfied,
                    dissatisfied = d.dissatisfied + EXCLUDED.dissatisfied
            )
            SELECT count(*) FROM ins
        """, _columns(rows, lambda r: (
            r.day, r.office, r.event_id, r.rating.ticket, r.rating.level, r.rating.officer.id, r.rating.counter,
            r.at, json.dumps(r.rating.reasons, ensure_ascii=False), r.comment, r.dossier)))
        return int(cur.fetchone()[0])

    @staticmethod
    def _officers(cur: psycopg.Cursor, batch: Batch) -> None:
        officers: dict[tuple[str, str], tuple[str, str, datetime]] = {}

        def keep(office: str, officer, at: datetime) -> None:
            known = officers.get((office, officer.id))
            if known is None or known[2] <= at:
                officers[(office, officer.id)] = (officer.name, officer.title, at)

        for (office, _counter), (at, msg) in batch.counters.items():
            if msg.officer is not None:
                keep(office, msg.officer, at)
        for row in batch.ratings.values():
            keep(row.office, row.rating.officer, row.at)
        if officers:
            cur.execute("""
                INSERT INTO officers (office, officer, name, title, updated_at)
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[])
                ON CONFLICT (office, officer) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title,
                    updated_at = EXCLUDED.updated_at WHERE officers.updated_at <= EXCLUDED.updated_at
            """, _columns(officers.items(), lambda kv: (kv[0][0], kv[0][1], *kv[1])))

    @staticmethod
    def _counters(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.counters:
            cur.execute("""
                INSERT INTO counters (office, counter, name, status, officer, current_number, services,
                                      paused_reason, updated_at)
                SELECT o, c, n, s, f, cur, string_to_array(sv, ','), p, u
                FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                            %s::text[], %s::timestamptz[]) AS r(o, c, n, s, f, cur, sv, p, u)
                ON CONFLICT (office, counter) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status,
                    officer = EXCLUDED.officer, current_number = EXCLUDED.current_number,
                    services = EXCLUDED.services, paused_reason = EXCLUDED.paused_reason,
                    updated_at = EXCLUDED.updated_at
                WHERE counters.updated_at <= EXCLUDED.updated_at
            """, _columns(batch.counters.items(), lambda kv: (
                kv[0][0], kv[0][1], kv[1][1].name, kv[1][1].status, kv[1][1].officer.id if kv[1][1].officer else None,
                kv[1][1].current.number if kv[1][1].current else None, ",".join(kv[1][1].services),
                kv[1][1].paused_reason, kv[1][0])))

    @staticmethod
    def _services(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.services:
            cur.execute("""
                INSERT INTO services (office, service, name, field, open, waiting, est_wait_s, last_called,
                                      issued_today, updated_at)
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[], %s::integer[],
                                     %s::integer[], %s::text[], %s::integer[], %s::timestamptz[])
                ON CONFLICT (office, service) DO UPDATE SET name = EXCLUDED.name, field = EXCLUDED.field,
                    open = EXCLUDED.open, waiting = EXCLUDED.waiting, est_wait_s = EXCLUDED.est_wait_s,
                    last_called = EXCLUDED.last_called, issued_today = EXCLUDED.issued_today,
                    updated_at = EXCLUDED.updated_at
                WHERE services.updated_at <= EXCLUDED.updated_at
            """, _columns(batch.services.items(), lambda kv: (
                kv[0][0], kv[0][1], kv[1][1].name, kv[1][1].field, kv[1][1].open, kv[1][1].waiting,
                kv[1][1].est_wait_s, kv[1][1].last_called, kv[1][1].issued_today, kv[1][0])))

    @staticmethod
    def _halls(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.halls:
            cur.execute("""
                INSERT INTO halls (office, waiting_total, serving, updated_at)
                SELECT * FROM unnest(%s::text[], %s::integer[], %s::integer[], %s::timestamptz[])
                ON CONFLICT (office) DO UPDATE SET waiting_total = EXCLUDED.waiting_total,
                    serving = EXCLUDED.serving, updated_at = EXCLUDED.updated_at
                WHERE halls.updated_at <= EXCLUDED.updated_at
            """, _columns(batch.halls.items(), lambda kv: (kv[0], kv[1][1].waiting_total, len(kv[1][1].serving),
                                                             kv[1][0])))

    @staticmethod
    def _stats(cur: psycopg.Cursor, batch: Batch) -> None:
        if not batch.stats:
            return
        rows = _columns(batch.stats.items(), lambda kv: (
            kv[0], kv[1][1].received_today, kv[1][1].in_progress, kv[1][1].on_time, kv[1][1].overdue,
            kv[1][1].period, kv[1][1].source, kv[1][0], kv[1][0].date()))
        cur.execute("""
            INSERT INTO office_stats (office, received_today, in_progress, on_time, overdue, period, source, updated_at)
            SELECT o, r, i, t, v, p, s, u FROM unnest(%s::text[], %s::integer[], %s::integer[], %s::integer[],
                %s::integer[], %s::text[], %s::text[], %s::timestamptz[], %s::date[]) AS x(o, r, i, t, v, p, s, u, d)
            ON CONFLICT (office) DO UPDATE SET received_today = EXCLUDED.received_today,
                in_progress = EXCLUDED.in_progress, on_time = EXCLUDED.on_time, overdue = EXCLUDED.overdue,
                period = EXCLUDED.period, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
            WHERE office_stats.updated_at <= EXCLUDED.updated_at
        """, rows)
        cur.execute("""
            INSERT INTO stats_daily (office, day, received_today, in_progress, on_time, overdue, updated_at)
            SELECT o, d, r, i, t, v, u FROM unnest(%s::text[], %s::integer[], %s::integer[], %s::integer[],
                %s::integer[], %s::text[], %s::text[], %s::timestamptz[], %s::date[]) AS x(o, r, i, t, v, p, s, u, d)
            ON CONFLICT (office, day) DO UPDATE SET received_today = EXCLUDED.received_today,
                in_progress = EXCLUDED.in_progress, on_time = EXCLUDED.on_time, overdue = EXCLUDED.overdue,
                updated_at = EXCLUDED.updated_at
            WHERE stats_daily.updated_at <= EXCLUDED.updated_at
        """, rows)

    @staticmethod
    def _devices(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.devices:
            cur.execute("""
                INSERT INTO devices (office, device, kind, state, detail, updated_at)
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[])
                ON CONFLICT (office, device) DO UPDATE SET kind = EXCLUDED.kind, state = EXCLUDED.state,
                    detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at
                WHERE devices.updated_at <= EXCLUDED.updated_at
            """, _columns(batch.devices.items(), lambda kv: (kv[0][0], kv[0][1], kv[1][1].kind, kv[1][1].state,
                                                               kv[1][1].detail, kv[1][0])))

    @staticmethod
    def _cameras(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.cameras:
            cur.execute("""
                INSERT INTO cameras (office, camera, state, fps, kbps, at)
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::real[], %s::real[], %s::timestamptz[])
                ON CONFLICT (office, camera) DO UPDATE SET state = EXCLUDED.state, fps = EXCLUDED.fps,
                    kbps = EXCLUDED.kbps, at = EXCLUDED.at
                WHERE cameras.at <= EXCLUDED.at
            """, _columns(batch.cameras.items(), lambda kv: (kv[0][0], kv[0][1], kv[1][1].state, kv[1][1].fps,
                                                               kv[1][1].kbps, kv[1][0])))


def _columns(items, row) -> list[list]:
    """Rows (made by ``row`` from each item) turned into one list per column, for ``unnest``."""
    rows = [row(item) for item in items]
    return [list(column) for column in zip(*rows)]


def _latest_per_ticket(rows) -> list[TicketEventRow]:
    """The newest event of each ticket in a batch (by time, then by the office's event sequence)."""
    latest: dict[tuple[date, str, str], TicketEventRow] = {}
    for row in rows:
        key = (row.day, row.office, row.ticket.number)
        known = latest.get(key)
        if known is None or (known.at, known.seq) < (row.at, row.seq):
            latest[key] = row
    return list(latest.values())
