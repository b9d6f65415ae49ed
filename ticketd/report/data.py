"""Read ticketd's SQLite file, read-only, for a range of office days.

Tickets of past days are in ``tickets_history``, the current day's in ``tickets``; calls,
ratings and counter events carry their ``day``. Nothing here writes: the file is opened with
``mode=ro``, so a report can run beside a live ticketd.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class TicketRow:
    day: date
    number: str
    issued_service: str
    service: str
    state: str
    issued_at: datetime
    first_called_at: datetime | None  # first call (not a recall) of the day; None if never called
    started_at: datetime | None
    finished_at: datetime | None
    counter: str | None
    officer_id: str | None
    outcome: str | None


@dataclass(frozen=True)
class EventRow:
    day: date
    counter: str
    officer_id: str | None
    op: str
    ticket: str | None
    detail: str | None
    at: datetime


@dataclass(frozen=True)
class RatingRow:
    day: date
    ticket: str
    level: str
    reasons: tuple[str, ...]
    officer_id: str
    counter: str
    at: datetime


@dataclass
class ReportData:
    start: date
    end: date
    current_day: date | None  # the day ticketd is on (its tickets may still be waiting)
    tickets: list[TicketRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    ratings: list[RatingRow] = field(default_factory=list)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def open_readonly(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise FileNotFoundError(f"no ticketd database at {path}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def load(path: Path, start: date, end: date) -> ReportData:
    """Every ticket, counter event and rating of the days ``start``..``end`` (inclusive)."""
    db = open_readonly(path)
    try:
        span = (start.isoformat(), end.isoformat())
        meta = db.execute("SELECT value FROM meta WHERE key='day'").fetchone()
        data = ReportData(start, end, date.fromisoformat(meta[0]) if meta else None)
        first_calls = {
            (r["day"], r["number"]): r["at"]
            for r in db.execute("SELECT day, number, MIN(at) AS at FROM calls WHERE recall=0 AND day BETWEEN ? AND ? "
                                "GROUP BY day, number", span)
        }
        rows = db.execute(
            "SELECT * FROM (SELECT * FROM tickets_history UNION ALL SELECT * FROM tickets) "
            "WHERE day BETWEEN ? AND ? ORDER BY day, issued_at, number", span)
        for r in rows:
            data.tickets.append(TicketRow(
                day=date.fromisoformat(r["day"]), number=r["number"], issued_service=r["issued_service"],
                service=r["service"], state=r["state"], issued_at=_dt(r["issued_at"]),
                first_called_at=_dt(first_calls.get((r["day"], r["number"]))) or _dt(r["called_at"]),
                started_at=_dt(r["started_at"]), finished_at=_dt(r["finished_at"]), counter=r["counter"],
                officer_id=r["officer_id"], outcome=r["outcome"]))
        for r in db.execute("SELECT * FROM counter_events WHERE day BETWEEN ? AND ? ORDER BY seq", span):
            data.events.append(EventRow(date.fromisoformat(r["day"]), r["counter"], r["officer_id"], r["op"],
                                        r["ticket"], r["detail"], _dt(r["at"])))
        for r in db.execute("SELECT * FROM ratings WHERE day BETWEEN ? AND ? ORDER BY at", span):
            data.ratings.append(RatingRow(date.fromisoformat(r["day"]), r["ticket"], r["level"],
                                          tuple(json.loads(r["reasons"])), r["officer_id"], r["counter"],
                                          _dt(r["at"])))
    finally:
        db.close()
    return data
