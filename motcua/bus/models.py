"""Pydantic models of every payload of the contract (CONTRACT.md, version 1).

Requests are parsed strictly (a wrong type is ``bad_request``); unknown fields are ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, StringConstraints

REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
RequestId = Annotated[str, StringConstraints(pattern=REQUEST_ID_PATTERN)]
MAX_PAYLOAD = 64 * 1024

CounterOp = Literal[
    "open", "close", "pause", "resume", "call_next", "call", "recall", "start", "finish",
    "no_show", "hold", "transfer",
]
Outcome = Literal["received", "returned", "advised", "other"]
RatingLevel = Literal["very_satisfied", "satisfied", "dissatisfied"]
DeviceState = Literal["online", "degraded", "offline", "unknown"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Request(_Payload):
    id: RequestId


# ---- requests -------------------------------------------------------------------------------
class TakeRequest(_Request):
    service: StrictStr
    priority: StrictBool = False
    print: StrictBool = True
    lang: StrictStr = "vi"


class CounterCommand(_Request):
    op: CounterOp
    officer: StrictStr | None = None
    reason: StrictStr | None = Field(default=None, max_length=200)
    ticket: StrictStr | None = None
    outcome: Outcome | None = None
    dossier: StrictStr | None = Field(default=None, max_length=64)
    to_service: StrictStr | None = None
    to_counter: StrictStr | None = None


class RatingSubmit(_Request):
    ticket: StrictStr
    level: RatingLevel
    reasons: list[StrictStr] = Field(default_factory=list, max_length=20)
    comment: StrictStr | None = Field(default=None, max_length=500)


class TicketQuery(_Request):
    number: StrictStr


class ReprintRequest(_Request):
    number: StrictStr
    printer: StrictStr | None = None


class TestPageRequest(_Request):
    printer: StrictStr


# ---- objects --------------------------------------------------------------------------------
class Officer(_Payload):
    id: str
    name: str
    title: str


class TicketObj(_Payload):
    number: str
    service: str
    service_name: str
    seq: int
    priority: bool
    state: Literal["waiting", "called", "serving", "held", "done", "no_show", "transferred", "cancelled"]
    issued_at: str
    ahead: int
    est_wait_s: int
    counter: str | None
    # extensions
    issued_service: str | None = None
    called_at: str | None = None
    started_at: str | None = None
    transferred_from: str | None = None


class ErrorObj(_Payload):
    code: str
    message: str
    detail: str | None = None  # extension: English detail for technicians


class PrintError(_Payload):
    code: Literal["offline", "paper_out", "cover_open", "timeout"]
    message: str


class ErrorReply(_Payload):
    id: str
    ok: Literal[False] = False
    error: ErrorObj


class TakeReply(_Payload):
    id: str
    ok: Literal[True] = True
    ticket: TicketObj
    printed: bool
    printer: str | None
    print_error: PrintError | None = None


class PrinterStatusObj(_Payload):
    state: DeviceState
    detail: str | None = None


class TestPageReply(_Payload):
    """Extension: the answer to ``admin/test_page``."""

    id: str
    ok: Literal[True] = True
    printed: bool
    printer: str
    print_error: PrintError | None = None
    status: PrinterStatusObj | None = None


class CounterStateMsg(_Payload):
    counter: str
    name: str
    status: Literal["open", "paused", "closed"]
    officer: Officer | None
    services: list[str]
    current: TicketObj | None
    updated_at: str
    # extensions
    paused_reason: str | None = None
    held: list[str] = Field(default_factory=list)


class CounterReply(_Payload):
    id: str
    ok: Literal[True] = True
    counter: CounterStateMsg
    ticket: TicketObj | None = None


class RatingObj(_Payload):
    ticket: str
    level: RatingLevel
    officer: Officer
    counter: str
    at: str
    reasons: list[str] = Field(default_factory=list)


class RatingReply(_Payload):
    id: str
    ok: Literal[True] = True
    rating: RatingObj


class TicketReply(_Payload):
    id: str
    ok: Literal[True] = True
    ticket: TicketObj


# ---- retained state -------------------------------------------------------------------------
class ServiceStateMsg(_Payload):
    service: str
    name: str
    field: str
    open: bool
    waiting: int
    est_wait_s: int
    last_called: str | None
    issued_today: int
    updated_at: str
    prefix: str | None = None  # extension


class RecentCall(_Payload):
    number: str
    counter: str
    counter_name: str
    at: str


class ServingEntry(_Payload):
    counter: str
    counter_name: str
    number: str
    service: str


class HallMsg(_Payload):
    recent: list[RecentCall]
    serving: list[ServingEntry]
    waiting_total: int
    updated_at: str


class StatsMsg(_Payload):
    received_today: int
    in_progress: int
    on_time: int
    overdue: int
    period: str
    source: str
    updated_at: str


class DeviceStatusMsg(_Payload):
    device: str
    kind: str
    state: DeviceState
    detail: str | None = None
    updated_at: str


# ---- events ---------------------------------------------------------------------------------
class CallEvent(_Payload):
    number: str
    counter: str
    counter_name: str
    service: str
    recall: bool
    at: str


class RateRequestEvent(_Payload):
    ticket: str
    officer: Officer
    expires_at: str
    counter: str | None = None  # extension


class TicketEventTicket(_Payload):
    number: str
    service: str
    issued_service: str
    priority: bool
    state: str
    issued_at: str
    called_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    counter: str | None = None
    officer: str | None = None
    outcome: str | None = None
    dossier: str | None = None
    transfers: int = 0


class TicketEvent(_Payload):
    """Extension topic ``event/ticket``: a ticket after a change; ``id`` is unique per event."""

    id: str
    office: str
    day: str
    op: str
    ticket: TicketEventTicket
    at: str


class RatingEvent(_Payload):
    """Extension topic ``event/rating``: an accepted rating; ``id`` is unique per event."""

    id: str
    office: str
    day: str
    rating: RatingObj
    comment: str | None = None
    dossier: str | None = None


class CameraHealthMsg(_Payload):
    state: Literal["live", "stalled", "offline", "frozen", "black"]
    fps: float
    kbps: float
    at: str
