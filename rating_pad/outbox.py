"""The rating pad's local outbox: every rating is committed to SQLite before it is sent.

A rating keeps its request id for life, so re-sending it after a timeout, a broker outage or a
restart of the pad can never count twice at ticketd. An entry is ``pending`` until ticketd
replies, then ``sent`` (ok) or ``refused`` (a definitive error such as ``duplicate_rating``),
with the reply kept for the record.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, counter TEXT NOT NULL, ticket TEXT NOT NULL, payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', reply TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, settled_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, created_at);
"""


@dataclass(frozen=True)
class Entry:
    id: str
    counter: str
    ticket: str
    payload: dict[str, Any]
    state: str
    reply: dict[str, Any] | None
    attempts: int
    created_at: str


class Outbox:
    """One SQLite file per pad; safe to use from the Qt thread and the sender thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def add(self, counter: str, payload: dict[str, Any], now: datetime) -> Entry:
        """Commit a rating request (``payload`` with its ``id``, ``ticket``, ``level``...)."""
        with self._lock:
            self.db.execute(
                "INSERT INTO outbox (id, counter, ticket, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (payload["id"], counter, payload["ticket"], json.dumps(payload, ensure_ascii=False),
                 now.isoformat()),
            )
        return self.get(payload["id"])

    def pending(self) -> list[Entry]:
        """Unanswered ratings, oldest first."""
        with self._lock:
            rows = self.db.execute("SELECT * FROM outbox WHERE state='pending' ORDER BY created_at, rowid").fetchall()
        return [_entry(r) for r in rows]

    def get(self, request_id: str) -> Entry:
        with self._lock:
            row = self.db.execute("SELECT * FROM outbox WHERE id=?", (request_id,)).fetchone()
        if row is None:
            raise KeyError(request_id)
        return _entry(row)

    def entries(self) -> list[Entry]:
        with self._lock:
            rows = self.db.execute("SELECT * FROM outbox ORDER BY created_at, rowid").fetchall()
        return [_entry(r) for r in rows]

    def attempted(self, request_id: str) -> None:
        with self._lock:
            self.db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id=?", (request_id,))

    def settle(self, request_id: str, reply: dict[str, Any], now: datetime) -> None:
        """Record ticketd's reply: ``sent`` when ok, ``refused`` otherwise."""
        state = "sent" if reply.get("ok") else "refused"
        with self._lock:
            self.db.execute("UPDATE outbox SET state=?, reply=?, settled_at=? WHERE id=? AND state='pending'",
                            (state, json.dumps(reply, ensure_ascii=False), now.isoformat(), request_id))

    def close(self) -> None:
        with self._lock:
            self.db.close()


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(id=row["id"], counter=row["counter"], ticket=row["ticket"], payload=json.loads(row["payload"]),
                 state=row["state"], reply=json.loads(row["reply"]) if row["reply"] else None,
                 attempts=row["attempts"], created_at=row["created_at"])
