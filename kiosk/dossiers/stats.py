"""Dossier statistics for the hall display (the retained ``stats`` topic of the contract).

- ``received_today``: dossiers received on the office's current day;
- ``in_progress``: dossiers not finished yet (waiting, processing, asked for more papers),
  whenever they were received;
- ``on_time``: dossiers finished this month no later than their due date;
- ``overdue``: dossiers finished this month after their due date, plus unfinished ones already
  past their due date;
- ``period``: the month counted (``YYYY-MM``); ``source``: where the data came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from kiosk.dossiers.records import DossierRecord
from motcua.clock import iso


def is_overdue(record: DossierRecord, now: datetime) -> bool:
    """Unfinished past the due date, or finished after it."""
    if record.due_at is None:
        return False
    if record.status.unfinished:
        return now > record.due_at
    done = record.done_at
    return done is not None and done > record.due_at


def compute_stats(records: Iterable[DossierRecord], now: datetime, source: str) -> dict:
    received_today = in_progress = on_time = overdue = 0
    month = (now.year, now.month)
    for record in records:
        if record.received_at.date() == now.date():
            received_today += 1
        if record.status.unfinished:
            in_progress += 1
            if record.due_at is not None and now > record.due_at:
                overdue += 1
            continue
        done = record.done_at
        if done is None or (done.year, done.month) != month:
            continue
        if record.due_at is not None and done > record.due_at:
            overdue += 1
        else:
            on_time += 1
    return {
        "received_today": received_today,
        "in_progress": in_progress,
        "on_time": on_time,
        "overdue": overdue,
        "period": f"{now.year:04d}-{now.month:02d}",
        "source": source,
        "updated_at": iso(now),
    }
