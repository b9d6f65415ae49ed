"""Writes a parsed batch to PostgreSQL in one transaction.

Events and ratings are inserted with ``ON CONFLICT DO NOTHING`` on (day, office, event id), so a
message delivered twice (a bridge that reconnects, an office that resends its outbox) counts
once. Rows go in as one JSON document per table (``json_to_recordset``): one statement per table per
batch. Retained state and
the latest state of each ticket are upserts that never replace a newer value with an older one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

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
            spec = "office text, last_seen timestamptz"
            cur.execute(f"""
                INSERT INTO offices (office, last_seen) SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office) DO UPDATE SET last_seen = greatest(offices.last_seen, EXCLUDED.last_seen)
            """, (_records(spec, batch.offices.items()),))

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
        spec = ("day date, office text, event_id text, op text, number text, service text, state text, "
                "counter text, officer text, at timestamptz")
        cur.execute(f"""
            INSERT INTO ticket_events (day, office, event_id, op, number, service, state, counter, officer, at)
            SELECT * FROM json_to_recordset(%s::json) AS r({spec})
            ON CONFLICT DO NOTHING
        """, (_records(spec, ((r.day, r.office, r.event_id, r.op, r.ticket.number, r.ticket.service, r.ticket.state,
                                r.ticket.counter, r.ticket.officer, r.at) for r in rows)),))
        return cur.rowcount

    @staticmethod
    def _tickets(cur: psycopg.Cursor, rows: list[TicketEventRow]) -> None:
        if not rows:
            return
        spec = ("day date, office text, number text, service text, issued_service text, priority boolean, "
                "state text, issued_at timestamptz, called_at timestamptz, started_at timestamptz, "
                "finished_at timestamptz, counter text, officer text, outcome text, dossier text, transfers integer, "
                "updated_at timestamptz, event_seq bigint")
        cur.execute(f"""
            INSERT INTO tickets (day, office, number, service, issued_service, priority, state, issued_at,
                                 called_at, started_at, finished_at, counter, officer, outcome, dossier,
                                 transfers, updated_at, event_seq)
            SELECT * FROM json_to_recordset(%s::json) AS r({spec})
            ON CONFLICT (day, office, number) DO UPDATE SET
                service = EXCLUDED.service, state = EXCLUDED.state, called_at = EXCLUDED.called_at,
                started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                counter = EXCLUDED.counter, officer = EXCLUDED.officer, outcome = EXCLUDED.outcome,
                dossier = EXCLUDED.dossier, transfers = EXCLUDED.transfers,
                updated_at = EXCLUDED.updated_at, event_seq = EXCLUDED.event_seq
            WHERE (tickets.updated_at, tickets.event_seq) < (EXCLUDED.updated_at, EXCLUDED.event_seq)
        """, (_records(spec, ((
            r.day, r.office, r.ticket.number, r.ticket.service, r.ticket.issued_service, r.ticket.priority,
            r.ticket.state, r.issued_at, r.called_at, r.started_at, r.finished_at, r.ticket.counter,
            r.ticket.officer, r.ticket.outcome, r.ticket.dossier, r.ticket.transfers, r.at, r.seq) for r in rows)),))

    @staticmethod
    def _ratings(cur: psycopg.Cursor, rows: list[RatingRow]) -> int:
        if not rows:
            return 0
        spec = ("day date, office text, event_id text, ticket text, level text, officer text, counter text, "
                "at timestamptz, reasons jsonb, comment text, dossier text")
        cur.execute(f"""
            WITH ins AS (
                INSERT INTO ratings (day, office, event_id, ticket, level, officer, counter, at, reasons,
                                     comment, dossier)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
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
        """, (_records(spec, ((r.day, r.office, r.event_id, r.rating.ticket, r.rating.level, r.rating.officer.id,
                                r.rating.counter, r.at, r.rating.reasons, r.comment, r.dossier) for r in rows)),))
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
            spec = "office text, officer text, name text, title text, updated_at timestamptz"
            cur.execute(f"""
                INSERT INTO officers (office, officer, name, title, updated_at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office, officer) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title,
                    updated_at = EXCLUDED.updated_at WHERE officers.updated_at <= EXCLUDED.updated_at
            """, (_records(spec, ((office, officer, *rest) for (office, officer), rest in officers.items())),))

    @staticmethod
    def _counters(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.counters:
            spec = ("office text, counter text, name text, status text, officer text, current_number text, "
                    "services text[], paused_reason text, updated_at timestamptz")
            cur.execute(f"""
                INSERT INTO counters (office, counter, name, status, officer, current_number, services,
                                      paused_reason, updated_at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office, counter) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status,
                    officer = EXCLUDED.officer, current_number = EXCLUDED.current_number,
                    services = EXCLUDED.services, paused_reason = EXCLUDED.paused_reason,
                    updated_at = EXCLUDED.updated_at
                WHERE counters.updated_at <= EXCLUDED.updated_at
            """, (_records(spec, ((
                office, counter, msg.name, msg.status, msg.officer.id if msg.officer else None,
                msg.current.number if msg.current else None, msg.services, msg.paused_reason, at)
                for (office, counter), (at, msg) in batch.counters.items())),))

    @staticmethod
    def _services(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.services:
            spec = ("office text, service text, name text, field text, open boolean, waiting integer, "
                    "est_wait_s integer, last_called text, issued_today integer, updated_at timestamptz")
            cur.execute(f"""
                INSERT INTO services (office, service, name, field, open, waiting, est_wait_s, last_called,
                                      issued_today, updated_at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office, service) DO UPDATE SET name = EXCLUDED.name, field = EXCLUDED.field,
                    open = EXCLUDED.open, waiting = EXCLUDED.waiting, est_wait_s = EXCLUDED.est_wait_s,
                    last_called = EXCLUDED.last_called, issued_today = EXCLUDED.issued_today,
                    updated_at = EXCLUDED.updated_at
                WHERE services.updated_at <= EXCLUDED.updated_at
            """, (_records(spec, ((office, service, m.name, m.field, m.open, m.waiting, m.est_wait_s, m.last_called,
                                    m.issued_today, at) for (office, service), (at, m) in batch.services.items())),))

    @staticmethod
    def _halls(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.halls:
            spec = "office text, waiting_total integer, serving integer, updated_at timestamptz"
            cur.execute(f"""
                INSERT INTO halls (office, waiting_total, serving, updated_at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office) DO UPDATE SET waiting_total = EXCLUDED.waiting_total,
                    serving = EXCLUDED.serving, updated_at = EXCLUDED.updated_at
                WHERE halls.updated_at <= EXCLUDED.updated_at
            """, (_records(spec, ((office, m.waiting_total, len(m.serving), at)
                                  for office, (at, m) in batch.halls.items())),))

    @staticmethod
    def _stats(cur: psycopg.Cursor, batch: Batch) -> None:
        if not batch.stats:
            return
        spec = ("office text, received_today integer, in_progress integer, on_time integer, overdue integer, "
                "period text, source text, updated_at timestamptz, day date")
        records = _records(spec, ((office, m.received_today, m.in_progress, m.on_time, m.overdue, m.period, m.source,
                                   at, at.date()) for office, (at, m) in batch.stats.items()))
        cur.execute(f"""
            INSERT INTO office_stats (office, received_today, in_progress, on_time, overdue, period, source, updated_at)
            SELECT office, received_today, in_progress, on_time, overdue, period, source, updated_at
            FROM json_to_recordset(%s::json) AS r({spec})
            ON CONFLICT (office) DO UPDATE SET received_today = EXCLUDED.received_today,
                in_progress = EXCLUDED.in_progress, on_time = EXCLUDED.on_time, overdue = EXCLUDED.overdue,
                period = EXCLUDED.period, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
            WHERE office_stats.updated_at <= EXCLUDED.updated_at
        """, (records,))
        cur.execute(f"""
            INSERT INTO stats_daily (office, day, received_today, in_progress, on_time, overdue, updated_at)
            SELECT office, day, received_today, in_progress, on_time, overdue, updated_at
            FROM json_to_recordset(%s::json) AS r({spec})
            ON CONFLICT (office, day) DO UPDATE SET received_today = EXCLUDED.received_today,
                in_progress = EXCLUDED.in_progress, on_time = EXCLUDED.on_time, overdue = EXCLUDED.overdue,
                updated_at = EXCLUDED.updated_at
            WHERE stats_daily.updated_at <= EXCLUDED.updated_at
        """, (records,))

    @staticmethod
    def _devices(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.devices:
            spec = "office text, device text, kind text, state text, detail text, updated_at timestamptz"
            cur.execute(f"""
                INSERT INTO devices (office, device, kind, state, detail, updated_at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office, device) DO UPDATE SET kind = EXCLUDED.kind, state = EXCLUDED.state,
                    detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at
                WHERE devices.updated_at <= EXCLUDED.updated_at
            """, (_records(spec, ((office, device, m.kind, m.state, m.detail, at)
                                  for (office, device), (at, m) in batch.devices.items())),))

    @staticmethod
    def _cameras(cur: psycopg.Cursor, batch: Batch) -> None:
        if batch.cameras:
            spec = "office text, camera text, state text, fps real, kbps real, at timestamptz"
            cur.execute(f"""
                INSERT INTO cameras (office, camera, state, fps, kbps, at)
                SELECT * FROM json_to_recordset(%s::json) AS r({spec})
                ON CONFLICT (office, camera) DO UPDATE SET state = EXCLUDED.state, fps = EXCLUDED.fps,
                    kbps = EXCLUDED.kbps, at = EXCLUDED.at
                WHERE cameras.at <= EXCLUDED.at
            """, (_records(spec, ((office, camera, m.state, m.fps, m.kbps, at)
                                  for (office, camera), (at, m) in batch.cameras.items())),))


def _plain(value):
    """JSON for the values json cannot write itself: dates and times as ISO 8601."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _records(spec: str, rows: Iterable[tuple]) -> str:
    """Rows as one JSON array of objects keyed by ``spec``'s column names (for ``json_to_recordset``:
    one parameter per statement, parsed by the server, much cheaper than adapting arrays)."""
    names = [column.split()[0] for column in spec.split(",")]
    return json.dumps([dict(zip(names, row)) for row in rows], default=_plain, ensure_ascii=False,
                      separators=(",", ":"))


def _latest_per_ticket(rows) -> list[TicketEventRow]:
    """The newest event of each ticket in a batch (by time, then by the office's event sequence)."""
    latest: dict[tuple[date, str, str], TicketEventRow] = {}
    for row in rows:
        key = (row.day, row.office, row.ticket.number)
        known = latest.get(key)
        if known is None or (known.at, known.seq) < (row.at, row.seq):
            latest[key] = row
    return list(latest.values())
