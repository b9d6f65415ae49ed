"""What the aggregator takes from the bridged topics: rows to write, checked against the contract.

Pure functions and plain data: ``Batch.add(topic, raw)`` parses one message (raising
``Rejected`` for anything that is not a contract payload) and keeps, per retained key, only the
newest value, so a batch writes each counter, service or device once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from motcua.bus import models as m
from motcua.bus.models import MAX_PAYLOAD

OFFICE_RE = re.compile(r"^[a-z0-9-]{1,64}$")
KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# The topic filters the aggregator subscribes to (every office under motcua/).
SUBSCRIPTIONS = (
    "motcua/+/event/ticket",
    "motcua/+/event/rating",
    "motcua/+/counter/+/state",
    "motcua/+/service/+/state",
    "motcua/+/hall",
    "motcua/+/stats",
    "motcua/+/device/+/status",
    "motcua/+/camera/+/health",
)


class Rejected(ValueError):
    """A message that is not a contract payload (logged and dropped, never retried)."""


def when(value: str | None) -> datetime | None:
    """An ISO 8601 instant with its offset (naive times are refused)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(f"bad time {value!r}") from None
    if parsed.tzinfo is None:
        raise Rejected(f"time {value!r} has no UTC offset")
    return parsed


def event_seq(event_id: str) -> int:
    """ticketd's event ids end in a per-office sequence (``{instance}-{seq}``); 0 if not."""
    tail = event_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() and len(tail) < 18 else 0


@dataclass
class TicketEventRow:
    day: date
    office: str
    event_id: str
    op: str
    at: datetime
    seq: int
    ticket: m.TicketEventTicket
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass
class RatingRow:
    day: date
    office: str
    event_id: str
    rating: m.RatingObj
    at: datetime
    comment: str | None
    dossier: str | None


@dataclass
class Batch:
    """Rows parsed from a run of messages, ready for one transaction."""

    ticket_events: dict[tuple[str, str], TicketEventRow] = field(default_factory=dict)
    ratings: dict[tuple[str, str], RatingRow] = field(default_factory=dict)
    # retained state: key -> (updated_at, payload model), the newest kept
    counters: dict[tuple[str, str], tuple[datetime, m.CounterStateMsg]] = field(default_factory=dict)
    services: dict[tuple[str, str], tuple[datetime, m.ServiceStateMsg]] = field(default_factory=dict)
    halls: dict[str, tuple[datetime, m.HallMsg]] = field(default_factory=dict)
    stats: dict[str, tuple[datetime, m.StatsMsg]] = field(default_factory=dict)
    devices: dict[tuple[str, str], tuple[datetime, m.DeviceStatusMsg]] = field(default_factory=dict)
    cameras: dict[tuple[str, str], tuple[datetime, m.CameraHealthMsg]] = field(default_factory=dict)
    cleared: set[tuple[str, str, str]] = field(default_factory=set)  # (attribute, office, key or "")
    offices: dict[str, datetime] = field(default_factory=dict)
    messages: int = 0

    def __len__(self) -> int:
        return self.messages

    def add(self, topic: str, raw: bytes, received: datetime) -> None:
        """Parse one message into the batch; raises ``Rejected`` for a non-contract payload."""
        office, rest = split_topic(topic)
        if not raw:
            self._clear(office, rest)
        else:
            self._add(office, rest, _parse(topic, _model_for(rest), raw))
        self.messages += 1
        self.offices[office] = max(received, self.offices.get(office, received))

    def _add(self, office: str, rest: list[str], msg: Any) -> None:
        if isinstance(msg, m.TicketEvent):
            self._check_event(office, msg.office, msg.id)
            self.ticket_events[(office, msg.id)] = TicketEventRow(
                day=_day(msg.day), office=office, event_id=msg.id, op=msg.op, at=when(msg.at),
                seq=event_seq(msg.id), ticket=msg.ticket, issued_at=when(msg.ticket.issued_at),
                called_at=when(msg.ticket.called_at), started_at=when(msg.ticket.started_at),
                finished_at=when(msg.ticket.finished_at),
            )
        elif isinstance(msg, m.RatingEvent):
            self._check_event(office, msg.office, msg.id)
            self.ratings[(office, msg.id)] = RatingRow(
                day=_day(msg.day), office=office, event_id=msg.id, rating=msg.rating, at=when(msg.rating.at),
                comment=msg.comment, dossier=msg.dossier,
            )
        elif isinstance(msg, m.CameraHealthMsg):
            self._keep("cameras", office, _key(rest[1]), when(msg.at), msg)
        else:
            table = _RETAINED[type(msg)]
            self._keep(table, office, _key(rest[1]) if len(rest) == 3 else "", when(msg.updated_at), msg)

    def _keep(self, table: str, office: str, key: str, at: datetime, msg: Any) -> None:
        _newest(getattr(self, table), (office, key) if key else office, at, msg)
        self.cleared.discard((table, office, key))

    def _clear(self, office: str, rest: list[str]) -> None:
        """An empty retained payload removes the state it held (a decommissioned device...)."""
        tables = {"counter": "counters", "service": "services", "device": "devices", "camera": "cameras"}
        if len(rest) == 3 and rest[0] in tables:
            table, key = tables[rest[0]], _key(rest[1])
            getattr(self, table).pop((office, key), None)
        elif rest in (["hall"], ["stats"]):
            table, key = {"hall": "halls", "stats": "stats"}[rest[0]], ""
            getattr(self, table).pop(office, None)
        else:
            raise Rejected(f"empty payload on {'/'.join(rest)!r}")
        self.cleared.add((table, office, key))

    @staticmethod
    def _check_event(office: str, claimed: str, event_id: str) -> None:
        if claimed != office:
            raise Rejected(f"event for office {claimed!r} published under {office!r}")
        if not KEY_RE.match(event_id):
            raise Rejected(f"bad event id {event_id!r}")

    def months(self) -> set[date]:
        """First days of the months the partitioned rows of this batch fall in."""
        days = [r.day for r in self.ticket_events.values()] + [r.day for r in self.ratings.values()]
        return {d.replace(day=1) for d in days}


_RETAINED: dict[type, str] = {m.CounterStateMsg: "counters", m.ServiceStateMsg: "services", m.HallMsg: "halls",
                              m.StatsMsg: "stats", m.DeviceStatusMsg: "devices"}


# topic shape below the office root -> payload model: (level,...) or, with an id, (kind, suffix)
_MODELS: dict[tuple[str, ...], type] = {
    ("event", "ticket"): m.TicketEvent, ("event", "rating"): m.RatingEvent, ("hall",): m.HallMsg,
    ("stats",): m.StatsMsg, ("counter", "state"): m.CounterStateMsg, ("service", "state"): m.ServiceStateMsg,
    ("device", "status"): m.DeviceStatusMsg, ("camera", "health"): m.CameraHealthMsg,
}


def _model_for(rest: list[str]) -> type:
    """The payload model of a topic (below the office root)."""
    model = _MODELS.get((rest[0], rest[2]) if len(rest) == 3 else tuple(rest))
    if model is None:
        raise Rejected(f"topic {'/'.join(rest)!r} is not one the province stores")
    return model


def _parse(topic: str, model: type, raw: bytes) -> Any:
    """``raw`` validated as ``model`` (JSON parsed and checked in one pass by pydantic-core)."""
    if len(raw) > MAX_PAYLOAD:
        raise Rejected(f"{topic}: payload of {len(raw)} bytes is over the 64 KiB limit")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise Rejected(f"{topic}: payload is not UTF-8 JSON") from None
        if first["type"] == "model_type" and not first["loc"]:
            raise Rejected(f"{topic}: payload is not a JSON object") from None
        raise Rejected(f"{topic}: {exc.error_count()} schema errors, first: {'.'.join(map(str, first['loc']))}: "
                       f"{first['msg']}") from None


def split_topic(topic: str) -> tuple[str, list[str]]:
    parts = topic.split("/")
    if len(parts) < 3 or parts[0] != "motcua" or not OFFICE_RE.match(parts[1]):
        raise Rejected(f"topic {topic!r} is not under motcua/{{office}}/")
    return parts[1], parts[2:]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Rejected(f"bad day {value!r}") from None


def _key(value: str) -> str:
    if not KEY_RE.match(value):
        raise Rejected(f"bad id {value!r} in topic")
    return value


def _newest(table: dict, key: Any, at: datetime, msg: Any) -> None:
    """Keep the newest value per key (a later message wins a tie)."""
    current = table.get(key)
    if current is None or current[0] <= at:
        table[key] = (at, msg)
