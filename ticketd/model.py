"""Plain data of the queue engine: definitions from config and the day's mutable state.

No I/O and no clock reads here or in ``ticketd.engine``: every time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


OUTCOMES = ("received", "returned", "advised", "other")
RATING_LEVELS = ("very_satisfied", "satisfied", "dissatisfied")


@dataclass(frozen=True)
class ServiceDef:
    code: str
    name: str
    field: str
    prefix: str
    # weekday (0 = Monday) -> list of (start, end) issuing windows; a weekday absent = closed
    hours: dict[int, list[tuple[time, time]]]
    daily_quota: int | None = None
    avg_service_s: float = 480.0


@dataclass(frozen=True)
class CounterDef:
    id: str
    name: str
    services: list[str]
    # service code -> weight (>= 1); empty = plain oldest-first across the services
    weights: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficerDef:
    id: str
    name: str
    title: str


@dataclass(frozen=True)
class Policy:
    priority_mode: str = "strict"  # "strict" | "interleave"
    interleave_every: int = 3  # interleave: one priority ticket after every N others
    starvation_s: int = 1800  # a ticket waiting longer than this is called before weights apply
    rating_window_s: int = 600
    estimate_window: int = 20  # recent service times used for the wait estimate


@dataclass
class Ticket:
    number: str  # prefix + seq, zero padded to 3 digits: A007, A123, A1000
    service: str  # the service whose queue it is in now (changes on transfer to a service)
    issued_service: str  # the service that issued the number (never changes)
    seq: int
    priority: bool
    state: TicketState
    issued_at: datetime
    counter: str | None = None  # counter it is called/served at (or was, once finished)
    target_counter: str | None = None  # set by a transfer to a counter: only that counter calls it
    held_by: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    dossier: str | None = None
    officer_id: str | None = None
    transferred_from: str | None = None
    transfers: int = 0
    rated: bool = False


@dataclass
class CounterState:
    id: str
    status: CounterStatus = CounterStatus.CLOSED
    officer_id: str | None = None
    current: str | None = None  # ticket number called or serving here
    paused_reason: str | None = None
    since_priority: int = 0  # non-priority calls since the last priority call (interleave)
    credits: dict[str, float] = field(default_factory=dict)  # weighted routing state


@dataclass(frozen=True)
class Call:
    number: str
    counter: str
    service: str
    recall: bool
    at: datetime


@dataclass(frozen=True)
class RateRequest:
    counter: str
    ticket: str
    officer_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Rating:
    ticket: str
    level: str
    reasons: tuple[str, ...]
    comment: str | None
    officer_id: str
    counter: str
    at: datetime


@dataclass
class OpResult:
    """What one request changed; the service persists and publishes from it."""

    ticket: Ticket | None = None
    counter: CounterState | None = None
    calls: list[Call] = field(default_factory=list)
    rate_request: RateRequest | None = None
    rating: Rating | None = None
    touched_tickets: list[Ticket] = field(default_factory=list)  # every ticket changed
    touched_counters: list[CounterState] = field(default_factory=list)
    touched_services: set[str] = field(default_factory=set)


class EngineError(Exception):
    """A refused request: ``code`` is a contract error code, ``message_key`` an i18n key."""

    def __init__(self, code: str, message_key: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message_key = message_key or f"errors.{code}"
        self.params = params


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"
