"""Looking up one dossier for a citizen: the optional second factor, a lock after repeated wrong
answers, and the result as ready-to-show Vietnamese text (``DossierView``)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from kiosk.dossiers.codes import check_typed
from kiosk.dossiers.records import DossierRecord, Status
from kiosk.dossiers.sources import DossierSource, SourceUnavailable
from kiosk.dossiers.stats import is_overdue
from motcua.clock import Clock
from motcua.i18n import t

STATUS_KIND = {
    Status.WAITING: "progress",
    Status.PROCESSING: "progress",
    Status.NEEDS_MORE: "warning",
    Status.REJECTED: "rejected",
    Status.READY: "done",
    Status.RETURNED: "done",
}


class Outcome(Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    INVALID_CODE = "invalid_code"
    NEED_FACTOR = "need_factor"
    WRONG_FACTOR = "wrong_factor"
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class DossierView:
    """A dossier as the kiosk shows it (every string in Vietnamese)."""

    code: str
    procedure: str
    status: str
    status_kind: str  # progress | warning | rejected | done
    received: str
    due: str
    done: str | None
    overdue: bool
    overdue_text: str | None
    collect_place: str
    applicant: str | None
    note: str | None


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    code: str
    view: DossierView | None = None

    @property
    def message(self) -> str:
        return t(f"kiosk.dossier_{self.outcome.value}", code=self.code)


def format_time(value: datetime) -> str:
    """``25/11/2026`` or ``25/11/2026 lúc 14:00`` (times at midnight are dates only)."""
    if (value.hour, value.minute) == (0, 0):
        return value.strftime("%d/%m/%Y")
    return t("kiosk.date_at_time", date=value.strftime("%d/%m/%Y"), time=value.strftime("%H:%M"))


def mask_name(name: str | None) -> str | None:
    """Family name kept, other words cut to an initial: "Nguyễn Văn An" → "Nguyễn V** A**"."""
    if not name:
        return None
    words = name.split()
    return " ".join([words[0]] + [w[0] + "**" for w in words[1:]])


def view_of(record: DossierRecord, now: datetime, default_place: str) -> DossierView:
    overdue = is_overdue(record, now)
    overdue_text = None
    if overdue and record.due_at is not None:
        end = now if record.status.unfinished else (record.done_at or now)
        days = max(1, (end.date() - record.due_at.date()).days)
        key = "kiosk.dossier_overdue_open" if record.status.unfinished else "kiosk.dossier_overdue_done"
        overdue_text = t(key, days=days)
    done = record.returned_at if record.status is Status.RETURNED and record.returned_at else record.finished_at
    return DossierView(
        code=record.code,
        procedure=record.procedure,
        status=t(f"kiosk.status_{record.status.value}"),
        status_kind=STATUS_KIND[record.status],
        received=format_time(record.received_at),
        due=format_time(record.due_at) if record.due_at else t("kiosk.dossier_no_due"),
        done=format_time(done) if done and not record.status.unfinished else None,
        overdue=overdue,
        overdue_text=overdue_text,
        collect_place=record.collect_place or default_place,
        applicant=mask_name(record.applicant),
        note=record.note,
    )


class DossierLookup:
    """Looks dossiers up in ``source``; with ``second_factor`` the last 4 digits of the
    applicant's ID number are required, and ``max_failures`` wrong answers lock a code for
    ``lock_s`` seconds."""

    def __init__(self, source: DossierSource | None, clock: Clock, second_factor: bool, default_place: str,
                 max_failures: int = 5, lock_s: float = 300.0) -> None:
        self.source, self.clock = source, clock
        self.second_factor, self.default_place = second_factor, default_place
        self.max_failures, self.lock_s = max_failures, lock_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _locked(self, code: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [at for at in self._failures.get(code, []) if now - at < self.lock_s]
            self._failures[code] = recent
            return len(recent) >= self.max_failures

    def _fail(self, code: str) -> None:
        with self._lock:
            self._failures.setdefault(code, []).append(time.monotonic())

    def lookup(self, typed_code: str, id_last4: str | None = None) -> LookupResult:
        """Blocking (the source may be slow): call it from a worker thread."""
        check = check_typed(typed_code)
        code = check.text
        if not check.valid:
            return LookupResult(Outcome.INVALID_CODE, code)
        if self.source is None:
            return LookupResult(Outcome.NOT_CONFIGURED, code)
        if self.second_factor and not id_last4:
            return LookupResult(Outcome.NEED_FACTOR, code)
        if self.second_factor and self._locked(code):
            return LookupResult(Outcome.LOCKED, code)
        try:
            record = self.source.find(code)
        except SourceUnavailable:
            return LookupResult(Outcome.UNAVAILABLE, code)
        if record is None:
            return LookupResult(Outcome.NOT_FOUND, code)
        if self.second_factor and record.id_last4 != id_last4:
            self._fail(code)
            return LookupResult(Outcome.WRONG_FACTOR, code)
        return LookupResult(Outcome.FOUND, code, view_of(record, self.clock.now(), self.default_place))
