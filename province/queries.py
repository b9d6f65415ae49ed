"""Read queries for the dashboard and the monthly reports (PostgreSQL in, plain data out)."""

from __future__ import annotations

import queue
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

import psycopg
from psycopg.rows import dict_row


class Pool:
    """A few autocommit connections shared by the web threads (opened on demand, reused)."""

    def __init__(self, dsn: str, size: int = 4) -> None:
        self.dsn = dsn
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        self._slots.acquire()
        conn = None
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = psycopg.connect(self.dsn, autocommit=True, row_factory=dict_row,
                                       application_name="motcua-province-web")
            yield conn
        except psycopg.OperationalError:
            if conn is not None:
                conn.close()
            conn = None
            raise
        finally:
            if conn is not None and not conn.closed:
                self._idle.put(conn)
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


@dataclass(frozen=True)
class Period:
    """The business day and month the dashboard shows (in the province's timezone)."""

    now: datetime
    day: date

    @property
    def month(self) -> date:
        return self.day.replace(day=1)

    @property
    def next_month(self) -> date:
        return (self.month + timedelta(days=32)).replace(day=1)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


_ONLY = "(%(offices)s::text[] IS NULL OR office = ANY(%(offices)s::text[]))"

OVERVIEW_SQL = f"""
WITH c AS (
    SELECT office, count(*) FILTER (WHERE status = 'open') AS open,
           count(*) FILTER (WHERE status = 'paused') AS paused, count(*) AS total
    FROM counters WHERE {_ONLY} GROUP BY office
), lw AS (
    SELECT office, min(issued_at) AS oldest FROM tickets
    WHERE day = %(day)s AND state = 'waiting' AND {_ONLY} GROUP BY office
), served AS (
    SELECT office, count(*) AS issued, count(*) FILTER (WHERE state = 'done') AS served FROM tickets
    WHERE day = %(day)s AND {_ONLY} GROUP BY office
), rt AS (
    SELECT office, sum(very_satisfied + satisfied)::integer AS good,
           sum(very_satisfied + satisfied + dissatisfied)::integer AS n
    FROM rating_daily WHERE day = %(day)s AND {_ONLY} GROUP BY office
), rm AS (
    SELECT office, sum(very_satisfied + satisfied)::integer AS good,
           sum(very_satisfied + satisfied + dissatisfied)::integer AS n
    FROM rating_daily WHERE day >= %(month)s AND day < %(next_month)s AND {_ONLY} GROUP BY office
), d AS (
    SELECT office, count(*) FILTER (WHERE state <> 'online') AS down, count(*) AS total
    FROM devices WHERE kind <> 'camera' AND {_ONLY} GROUP BY office
), cam AS (
    SELECT office, count(*) FILTER (WHERE state = 'live') AS live, count(*) AS total
    FROM cameras WHERE {_ONLY} GROUP BY office
)
SELECT o.office, o.last_seen,
       coalesce(h.waiting_total, 0) AS waiting,
       extract(epoch FROM %(now)s::timestamptz - lw.oldest)::integer AS longest_wait_s,
       coalesce(c.open, 0) AS counters_open, coalesce(c.paused, 0) AS counters_paused,
       coalesce(c.total, 0) AS counters_total,
       coalesce(served.issued, 0) AS issued_today, coalesce(served.served, 0) AS served_today,
       coalesce(rt.good, 0) AS good_today, coalesce(rt.n, 0) AS ratings_today,
       coalesce(rm.good, 0) AS good_month, coalesce(rm.n, 0) AS ratings_month,
       s.overdue, s.in_progress,
       coalesce(d.down, 0) AS devices_down, coalesce(d.total, 0) AS devices_total,
       coalesce(cam.live, 0) AS cameras_live, coalesce(cam.total, 0) AS cameras_total
FROM offices o
LEFT JOIN halls h USING (office)
LEFT JOIN lw USING (office)
LEFT JOIN c USING (office)
LEFT JOIN served USING (office)
LEFT JOIN rt USING (office)
LEFT JOIN rm USING (office)
LEFT JOIN office_stats s USING (office)
LEFT JOIN d USING (office)
LEFT JOIN cam USING (office)
WHERE {_ONLY.replace('office =', 'o.office =')}
ORDER BY o.office
"""


def overview(conn: psycopg.Connection, period: Period, offices: list[str] | None = None) -> list[dict]:
    """One row of live figures per office, or only for ``offices`` (see ``OVERVIEW_SQL``)."""
    return conn.execute(OVERVIEW_SQL, {"day": period.day, "month": period.month, "next_month": period.next_month,
                                       "now": period.now, "offices": offices}).fetchall()


def hourly_tickets(conn: psycopg.Connection, day: date, tz: str, office: str | None = None) -> list[dict]:
    """Tickets issued and served per hour of ``day`` (province-wide, or one office)."""
    return conn.execute("""
        WITH hours AS (SELECT generate_series(6, 18) AS h), t AS (
            SELECT issued_at, finished_at, state FROM tickets
            WHERE day = %(day)s AND (%(office)s::text IS NULL OR office = %(office)s)
        ), i AS (
            SELECT extract(hour FROM issued_at AT TIME ZONE %(tz)s)::integer AS h, count(*) AS n FROM t GROUP BY 1
        ), s AS (
            SELECT extract(hour FROM finished_at AT TIME ZONE %(tz)s)::integer AS h, count(*) AS n FROM t
            WHERE state = 'done' GROUP BY 1
        )
        SELECT hours.h AS hour, coalesce(i.n, 0) AS issued, coalesce(s.n, 0) AS served
        FROM hours LEFT JOIN i USING (h) LEFT JOIN s USING (h) ORDER BY hours.h
    """, {"day": day, "tz": tz, "office": office}).fetchall()


def satisfaction_by_day(conn: psycopg.Connection, month: date, office: str | None = None) -> list[dict]:
    first, after = month_bounds(month)
    return conn.execute("""
        SELECT day, sum(very_satisfied)::integer AS very_satisfied, sum(satisfied)::integer AS satisfied,
               sum(dissatisfied)::integer AS dissatisfied
        FROM rating_daily WHERE day >= %s AND day < %s AND (%s::text IS NULL OR office = %s)
        GROUP BY day ORDER BY day
    """, (first, after, office, office)).fetchall()


def waiting_curve(conn: psycopg.Connection, office: str, period: Period, tz: str,
                  step_minutes: int = 15) -> list[dict]:
    """People waiting through the day, rebuilt from ticket times (issued, then called or ended),
    every ``step_minutes`` from the first ticket and at the present moment."""
    return conn.execute("""
        WITH span AS (
            SELECT min(issued_at) AS first FROM tickets WHERE day = %(day)s AND office = %(office)s
        ), grid AS (
            SELECT generate_series(date_bin(make_interval(mins => %(step)s), span.first, %(day)s::timestamp
                                            AT TIME ZONE %(tz)s), %(now)s::timestamptz,
                                   make_interval(mins => %(step)s)) AS at
            FROM span WHERE span.first IS NOT NULL
            UNION SELECT %(now)s::timestamptz FROM span WHERE span.first IS NOT NULL
        )
        SELECT grid.at, count(t.number) AS waiting
        FROM grid LEFT JOIN tickets t ON t.day = %(day)s AND t.office = %(office)s
             AND t.issued_at <= grid.at AND coalesce(t.called_at, t.finished_at, 'infinity') > grid.at
        GROUP BY grid.at ORDER BY grid.at
    """, {"day": period.day, "office": office, "now": period.now, "step": step_minutes, "tz": tz}).fetchall()


def office_exists(conn: psycopg.Connection, office: str) -> bool:
    return conn.execute("SELECT 1 FROM offices WHERE office = %s", (office,)).fetchone() is not None


def office_counters(conn: psycopg.Connection, office: str) -> list[dict]:
    return conn.execute("""
        SELECT c.counter, c.name, c.status, c.current_number, c.services, c.paused_reason, c.updated_at,
               c.officer, f.name AS officer_name, f.title AS officer_title
        FROM counters c LEFT JOIN officers f ON f.office = c.office AND f.officer = c.officer
        WHERE c.office = %s ORDER BY length(c.counter), c.counter
    """, (office,)).fetchall()


def office_services(conn: psycopg.Connection, office: str) -> list[dict]:
    return conn.execute("""
        SELECT service, name, open, waiting, est_wait_s, last_called, issued_today FROM services
        WHERE office = %s ORDER BY service
    """, (office,)).fetchall()


def office_officers(conn: psycopg.Connection, office: str, period: Period) -> list[dict]:
    """Each officer's tickets served today and ratings today and this month."""
    return conn.execute("""
        WITH t AS (
            SELECT officer, count(*) AS served,
                   avg(extract(epoch FROM finished_at - started_at)) AS avg_service_s
            FROM tickets WHERE day = %(day)s AND office = %(office)s AND state = 'done' AND officer IS NOT NULL
            GROUP BY officer
        ), r AS (
            SELECT officer,
                   sum(very_satisfied + satisfied) FILTER (WHERE day = %(day)s)::integer AS good_today,
                   sum(very_satisfied + satisfied + dissatisfied) FILTER (WHERE day = %(day)s)::integer AS n_today,
                   sum(very_satisfied)::integer AS very_satisfied, sum(satisfied)::integer AS satisfied,
                   sum(dissatisfied)::integer AS dissatisfied
            FROM rating_daily WHERE office = %(office)s AND day >= %(month)s AND day < %(next_month)s
            GROUP BY officer
        )
        SELECT f.officer, f.name, f.title, coalesce(t.served, 0) AS served_today, t.avg_service_s,
               coalesce(r.good_today, 0) AS good_today, coalesce(r.n_today, 0) AS ratings_today,
               coalesce(r.very_satisfied, 0) AS very_satisfied, coalesce(r.satisfied, 0) AS satisfied,
               coalesce(r.dissatisfied, 0) AS dissatisfied
        FROM officers f LEFT JOIN t USING (officer) LEFT JOIN r USING (officer)
        WHERE f.office = %(office)s ORDER BY f.name
    """, {"office": office, "day": period.day, "month": period.month, "next_month": period.next_month}).fetchall()


def recent_ratings(conn: psycopg.Connection, office: str, limit: int = 10) -> list[dict]:
    return conn.execute("""
        SELECT r.at, r.ticket, r.level, r.counter, r.reasons, r.comment, coalesce(f.name, r.officer) AS officer
        FROM ratings r LEFT JOIN officers f ON f.office = r.office AND f.officer = r.officer
        WHERE r.office = %s ORDER BY r.at DESC LIMIT %s
    """, (office, limit)).fetchall()


def office_devices(conn: psycopg.Connection, office: str) -> list[dict]:
    return conn.execute("""
        SELECT device, kind, state, detail, updated_at FROM devices WHERE office = %s
        ORDER BY state = 'online', device
    """, (office,)).fetchall()


def office_cameras(conn: psycopg.Connection, office: str) -> list[dict]:
    return conn.execute("SELECT camera, state, fps, kbps, at FROM cameras WHERE office = %s ORDER BY camera",
                        (office,)).fetchall()


def monthly_offices(conn: psycopg.Connection, month: date) -> list[dict]:
    """The month's figures per office: tickets, waiting and service times, ratings, dossiers."""
    first, after = month_bounds(month)
    return conn.execute("""
        WITH t AS (
            SELECT office, count(*) AS issued, count(*) FILTER (WHERE state = 'done') AS served,
                   count(*) FILTER (WHERE state = 'no_show') AS no_show,
                   count(*) FILTER (WHERE outcome = 'received') AS dossiers_received,
                   avg(extract(epoch FROM called_at - issued_at)) AS avg_wait_s,
                   avg(extract(epoch FROM finished_at - started_at)) FILTER (WHERE state = 'done') AS avg_service_s
            FROM tickets WHERE day >= %(first)s AND day < %(after)s GROUP BY office
        ), r AS (
            SELECT office, sum(very_satisfied)::integer AS very_satisfied, sum(satisfied)::integer AS satisfied,
                   sum(dissatisfied)::integer AS dissatisfied
            FROM rating_daily WHERE day >= %(first)s AND day < %(after)s GROUP BY office
        ), s AS (
            SELECT DISTINCT ON (office) office, overdue FROM stats_daily
            WHERE day >= %(first)s AND day < %(after)s ORDER BY office, day DESC
        )
        SELECT o.office, coalesce(t.issued, 0) AS issued, coalesce(t.served, 0) AS served,
               coalesce(t.no_show, 0) AS no_show, coalesce(t.dossiers_received, 0) AS dossiers_received,
               t.avg_wait_s, t.avg_service_s,
               coalesce(r.very_satisfied, 0) AS very_satisfied, coalesce(r.satisfied, 0) AS satisfied,
               coalesce(r.dissatisfied, 0) AS dissatisfied, s.overdue
        FROM offices o LEFT JOIN t USING (office) LEFT JOIN r USING (office) LEFT JOIN s USING (office)
        WHERE t.office IS NOT NULL OR r.office IS NOT NULL OR s.office IS NOT NULL
        ORDER BY o.office
    """, {"first": first, "after": after}).fetchall()


def monthly_officers(conn: psycopg.Connection, month: date) -> list[dict]:
    """The month's figures per officer of each office."""
    first, after = month_bounds(month)
    return conn.execute("""
        WITH t AS (
            SELECT office, officer, count(*) FILTER (WHERE state = 'done') AS served,
                   count(*) FILTER (WHERE state = 'no_show') AS no_show,
                   count(*) FILTER (WHERE outcome = 'received') AS dossiers_received,
                   avg(extract(epoch FROM finished_at - started_at)) FILTER (WHERE state = 'done') AS avg_service_s
            FROM tickets WHERE day >= %(first)s AND day < %(after)s AND officer IS NOT NULL
            GROUP BY office, officer
        ), r AS (
            SELECT office, officer, sum(very_satisfied)::integer AS very_satisfied,
                   sum(satisfied)::integer AS satisfied, sum(dissatisfied)::integer AS dissatisfied
            FROM rating_daily WHERE day >= %(first)s AND day < %(after)s GROUP BY office, officer
        )
        SELECT office, officer, coalesce(f.name, officer) AS name, coalesce(f.title, '') AS title,
               coalesce(t.served, 0) AS served, coalesce(t.no_show, 0) AS no_show,
               coalesce(t.dossiers_received, 0) AS dossiers_received, t.avg_service_s,
               coalesce(r.very_satisfied, 0) AS very_satisfied, coalesce(r.satisfied, 0) AS satisfied,
               coalesce(r.dissatisfied, 0) AS dissatisfied
        FROM t FULL JOIN r USING (office, officer)
        LEFT JOIN officers f USING (office, officer)
        ORDER BY office, name
    """, {"first": first, "after": after}).fetchall()
