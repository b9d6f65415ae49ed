"""ticketd's SQLite store (WAL, synchronous=FULL): the day's tickets and counters, calls, ratings,
counter events, request ids with their replies, and the history of past days.

The service writes each batch of requests in one transaction before it publishes anything. The
rows of a batch wait in memory and go to SQLite one statement per table (``flush``, before a
read and before the commit): a statement executed row by row costs twice as much on this path.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Iterator

import orjson

from ticketd.model import Call, CounterState, CounterStatus, Rating, Ticket, TicketState

_TICKET_COLUMNS = [f.name for f in fields(Ticket)]
_DATETIME_COLUMNS = {"issued_at", "called_at", "started_at", "finished_at"}
_ticket_row = attrgetter(*_TICKET_COLUMNS)
_SAVE_TICKET = (f"INSERT OR REPLACE INTO tickets (day, {', '.join(_TICKET_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in range(len(_TICKET_COLUMNS) + 1))})")
# The buffered writes, in the order ``flush`` executes them (a request's reply is set after the
# request is stored).
_WRITES = (
    _SAVE_TICKET,
    "INSERT OR REPLACE INTO counters VALUES (?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO calls (day, number, counter, service, recall, at) VALUES (?, ?, ?, ?, ?, ?)",
    "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO counter_events (day, counter, officer_id, op, ticket, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO outbox (seq, topic, payload) VALUES (?, ?, ?)",
    "INSERT OR REPLACE INTO requests (seq, id, topic, reply, ticket, at) VALUES (?, ?, ?, ?, ?, ?)",
    "UPDATE requests SET reply=? WHERE seq=?",
)
_TICKETS, _COUNTERS, _CALLS, _RATINGS, _COUNTER_EVENTS, _OUTBOX, _REQUESTS, _REPLIES = range(len(_WRITES))

# Schema migrations: index i takes PRAGMA user_version from i to i + 1. Append, never edit.
MIGRATIONS: list[str] = [
    f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tickets (
        day TEXT NOT NULL, {", ".join(f"{c} {'INTEGER' if c in ('seq', 'priority', 'transfers', 'rated') else 'TEXT'}" for c in _TICKET_COLUMNS)},
        PRIMARY KEY (day, number));
    CREATE TABLE tickets_history AS SELECT * FROM tickets WHERE 0;
    CREATE INDEX tickets_history_day ON tickets_history(day);
    CREATE TABLE counters (
        id TEXT PRIMARY KEY, status TEXT NOT NULL, officer_id TEXT, current TEXT,
        paused_reason TEXT, since_priority INTEGER NOT NULL, credits TEXT NOT NULL);
    CREATE TABLE calls (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL, number TEXT NOT NULL,
        counter TEXT NOT NULL, service TEXT NOT NULL, recall INTEGER NOT NULL, at TEXT NOT NULL);
    CREATE INDEX calls_day ON calls(day);
    CREATE TABLE ratings (
        day TEXT NOT NULL, ticket TEXT NOT NULL, level TEXT NOT NULL, reasons TEXT NOT NULL,
        comment TEXT, officer_id TEXT NOT NULL, counter TEXT NOT NULL, at TEXT NOT NULL,
        request_id TEXT NOT NULL, PRIMARY KEY (day, ticket));
    CREATE TABLE counter_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL, counter TEXT NOT NULL,
        officer_id TEXT, op TEXT NOT NULL, ticket TEXT, detail TEXT, at TEXT NOT NULL);
    CREATE INDEX counter_events_day ON counter_events(day);
    CREATE TABLE requests (
        id TEXT PRIMARY KEY, topic TEXT NOT NULL, reply TEXT, ticket TEXT, at TEXT NOT NULL);
    """,
    # 2: events for the province, kept until the broker has acknowledged them
    """
    CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('instance', lower(hex(randomblob(6))));
    """,
    # 3: tickets keyed by their primary key alone (WITHOUT ROWID): saving a ticket again rewrites
    # its page instead of deleting it from one, appending it to another and re-indexing it
    f"""
    CREATE TABLE tickets_keyed (
        day TEXT NOT NULL, {", ".join(f"{c} {'INTEGER' if c in ('seq', 'priority', 'transfers', 'rated') else 'TEXT'}" for c in _TICKET_COLUMNS)},
        PRIMARY KEY (day, number)) WITHOUT ROWID;
    INSERT INTO tickets_keyed SELECT * FROM tickets;
    DROP TABLE tickets;
    ALTER TABLE tickets_keyed RENAME TO tickets;
    """,
    # 4: request ids in a log without an index of its own (ticketd keeps id -> seq in memory: the
    # index of random ids cost four pages a commit); counters keyed by id alone (WITHOUT ROWID)
    """
    CREATE TABLE requests_log (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL, topic TEXT NOT NULL, reply TEXT, ticket TEXT, at TEXT NOT NULL);
    INSERT INTO requests_log (id, topic, reply, ticket, at) SELECT id, topic, reply, ticket, at FROM requests ORDER BY at;
    DROP TABLE requests;
    ALTER TABLE requests_log RENAME TO requests;
    CREATE TABLE counters_keyed (
        id TEXT PRIMARY KEY, status TEXT NOT NULL, officer_id TEXT, current TEXT,
        paused_reason TEXT, since_priority INTEGER NOT NULL, credits TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO counters_keyed SELECT id, status, officer_id, current, paused_reason, since_priority, credits FROM counters;
    DROP TABLE counters;
    ALTER TABLE counters_keyed RENAME TO counters;
    """,
]


_DATETIME_INDEXES = [i for i, name in enumerate(_TICKET_COLUMNS) if name in _DATETIME_COLUMNS]


def _ticket_values(day: str, ticket: Ticket) -> list:
    """The row of a ticket (SQLite stores the booleans as integers by itself)."""
    values = [day, *_ticket_row(ticket)]
    for index in _DATETIME_INDEXES:
        value = values[index + 1]
        if value is not None:
            values[index + 1] = value.isoformat()
    return values


def _decode_ticket(row: sqlite3.Row) -> Ticket:
    values = {}
    for name in _TICKET_COLUMNS:
        value = row[name]
        if name in _DATETIME_COLUMNS and value is not None:
            value = datetime.fromisoformat(value)
        values[name] = value
    values["priority"] = bool(values["priority"])
    values["rated"] = bool(values["rated"])
    values["state"] = TicketState(values["state"])
    return Ticket(**values)


class Store:
    """One SQLite file; use from one thread (ticketd's worker)."""

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._pending: list[list[tuple]] = [[] for _ in _WRITES]  # rows not yet in SQLite
        self._marks: list[int] | None = None  # inside ``item()``: where its rows start
        self._item_savepoint = False  # whether the item has opened a savepoint (its rows were flushed)
        self._migrate()
        # Every id the requests table has, with its row (and maybe a few ids of rows undone: a
        # row written again under the same seq simply replaces nothing). Most requests are new:
        # this spares them a query, and the table an index.
        self._request_seqs: dict[str, int] = {}
        self._next_request_seq = 1
        self._load_request_seqs()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(f"{self.path} has schema {version}, newer than this motcua ({len(MIGRATIONS)})")
        for index in range(version, len(MIGRATIONS)):
            with self.transaction():
                self._apply(MIGRATIONS[index], index + 1)

    def _apply(self, script: str, version: int) -> None:
        for statement in filter(str.strip, script.split(";")):
            self.db.execute(statement)
        self.db.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; inside one already (a batch), its statements join that one."""
        if self.db.in_transaction:
            yield
            return
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Make the transaction durable (the fsync; safe to call from another thread once the
        owner has called ``flush``)."""
        self.flush()
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        for rows in self._pending:
            rows.clear()
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def flush(self) -> None:
        """Write the rows waiting in memory. Inside ``item()``, the rows of the items before it are
        written as they are and its own under a savepoint, so that it can still be undone."""
        if not any(self._pending):
            return
        if self._marks is not None and not self._item_savepoint:
            self._write(self._marks)
            self._marks = [0] * len(_WRITES)
            self.db.execute("SAVEPOINT item")
            self._item_savepoint = True
        self._write([len(rows) for rows in self._pending])

    def _write(self, counts: list[int]) -> None:
        """Execute, and take out of memory, the first ``counts[i]`` rows of each statement."""
        for statement, rows, count in zip(_WRITES, self._pending, counts):
            if count:
                self.db.executemany(statement, rows[:count])
                del rows[:count]

    @contextmanager
    def item(self) -> Iterator[None]:
        """One request's writes in a batch: all of them are kept, or none if it raises."""
        self._marks = [len(rows) for rows in self._pending]
        self._item_savepoint = False
        try:
            yield
        except BaseException:
            for rows, mark in zip(self._pending, self._marks):
                del rows[mark:]
            if self._item_savepoint:
                self.db.execute("ROLLBACK TO item")
                self.db.execute("RELEASE item")
            raise
        else:
            if self._item_savepoint:
                self.db.execute("RELEASE item")
        finally:
            self._marks = None
            self._item_savepoint = False

    def close(self) -> None:
        self.db.close()

    # ---- the current day ---------------------------------------------------------------------
    def day(self) -> date | None:
        row = self.db.execute("SELECT value FROM meta WHERE key='day'").fetchone()
        return date.fromisoformat(row[0]) if row else None

    def set_day(self, day: date) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('day', ?)", (day.isoformat(),))

    def load_tickets(self, day: date) -> list[Ticket]:
        rows = self.db.execute("SELECT * FROM tickets WHERE day=? ORDER BY issued_at, number", (day.isoformat(),))
        return [_decode_ticket(r) for r in rows]

    def load_counters(self) -> list[CounterState]:
        return [
            CounterState(
                id=r["id"], status=CounterStatus(r["status"]), officer_id=r["officer_id"], current=r["current"],
                paused_reason=r["paused_reason"], since_priority=r["since_priority"], credits=json.loads(r["credits"]),
            )
            for r in self.db.execute("SELECT * FROM counters")
        ]

    def load_recent_calls(self, day: date, limit: int = 10) -> list[Call]:
        rows = self.db.execute(
            "SELECT * FROM calls WHERE day=? ORDER BY seq DESC LIMIT ?", (day.isoformat(), limit)
        )
        return [Call(r["number"], r["counter"], r["service"], bool(r["recall"]), datetime.fromisoformat(r["at"]))
                for r in rows]

    # ---- writes (inside a transaction) -------------------------------------------------------
    def save_tickets(self, day: date, tickets: Iterable[Ticket]) -> None:
        day_text = day.isoformat()
        self._pending[_TICKETS].extend(_ticket_values(day_text, t) for t in tickets)

    def save_counters(self, counters: Iterable[CounterState]) -> None:
        self._pending[_COUNTERS].extend(
            (c.id, c.status.value, c.officer_id, c.current, c.paused_reason, c.since_priority,
             orjson.dumps(c.credits).decode()) for c in counters)

    def save_calls(self, day: date, calls: Iterable[Call]) -> None:
        self._pending[_CALLS].extend(
            (day.isoformat(), c.number, c.counter, c.service, int(c.recall), c.at.isoformat()) for c in calls)

    def save_rating(self, day: date, rating: Rating, request_id: str) -> None:
        self._pending[_RATINGS].append(
            (day.isoformat(), rating.ticket, rating.level, json.dumps(list(rating.reasons), ensure_ascii=False),
             rating.comment, rating.officer_id, rating.counter, rating.at.isoformat(), request_id))

    def log_counter_event(self, day: date, counter: str, officer_id: str | None, op: str,
                          ticket: str | None, detail: str | None, at: datetime) -> None:
        self._pending[_COUNTER_EVENTS].append((day.isoformat(), counter, officer_id, op, ticket, detail, at.isoformat()))

    # ---- the event outbox --------------------------------------------------------------------
    def instance(self) -> str:
        """A random id of this database, so event ids stay unique across offices and reinstalls."""
        return self.db.execute("SELECT value FROM meta WHERE key='instance'").fetchone()[0]

    def next_outbox_seq(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='outbox'").fetchone()
        return (row[0] if row else 0) + 1

    def add_outbox(self, seq: int, topic: str, payload: str) -> None:
        self._pending[_OUTBOX].append((seq, topic, payload))

    def pending_outbox(self) -> list[tuple[int, str, str]]:
        self.flush()
        return [tuple(r) for r in self.db.execute("SELECT seq, topic, payload FROM outbox ORDER BY seq")]

    def drop_outbox(self, seqs: Iterable[int]) -> None:
        self.flush()
        self.db.executemany("DELETE FROM outbox WHERE seq=?", [(s,) for s in seqs])

    # ---- request ids -------------------------------------------------------------------------
    def _load_request_seqs(self) -> None:
        self._request_seqs = {id_: seq for seq, id_ in self.db.execute("SELECT seq, id FROM requests ORDER BY seq")}
        self._next_request_seq = max(self._next_request_seq, max(self._request_seqs.values(), default=0) + 1)

    def _request_row(self, request_id: str, columns: str) -> sqlite3.Row | None:
        seq = self._request_seqs.get(request_id)
        if seq is None:
            return None
        self.flush()
        return self.db.execute(f"SELECT {columns} FROM requests WHERE seq=?", (seq,)).fetchone()

    def reply_for(self, request_id: str) -> tuple[bool, str | None, str | None]:
        """(known, stored reply JSON or None while pending, ticket number) for a request id."""
        row = self._request_row(request_id, "reply, ticket")
        return (False, None, None) if row is None else (True, row["reply"], row["ticket"])

    def remember_request(self, request_id: str, topic: str, reply: str | None, ticket: str | None,
                         at: datetime) -> None:
        seq = self._request_seqs.get(request_id)
        if seq is None:
            seq = self._request_seqs[request_id] = self._next_request_seq
            self._next_request_seq += 1
        self._pending[_REQUESTS].append((seq, request_id, topic, reply, ticket, at.isoformat()))

    def set_reply(self, request_id: str, reply: str) -> None:
        """The reply of a request remembered without one (its print job has answered)."""
        self._pending[_REPLIES].append((reply, self._request_seqs[request_id]))

    def request_topic(self, request_id: str) -> str | None:
        row = self._request_row(request_id, "topic")
        return row["topic"] if row else None

    # ---- the daily reset ---------------------------------------------------------------------
    def archive_day(self, old_day: date, new_day: date, counters: Iterable[CounterState], keep_requests_days: int = 7) -> None:
        """Move ``old_day``'s tickets to history, reset counters, start ``new_day``."""
        self.flush()
        self.db.execute("INSERT INTO tickets_history SELECT * FROM tickets WHERE day=?", (old_day.isoformat(),))
        self.db.execute("DELETE FROM tickets WHERE day=?", (old_day.isoformat(),))
        self.save_counters(counters)
        self.set_day(new_day)
        cutoff = date.fromordinal(new_day.toordinal() - keep_requests_days).isoformat()
        self.db.execute("DELETE FROM requests WHERE at < ?", (cutoff,))
        self._load_request_seqs()
