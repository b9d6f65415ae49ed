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
from motcua.bus.client import Incoming, PayloadError

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
            payload = _json(topic, raw)
            try:
                self._add(office, rest, payload)
            except ValidationError as exc:
                raise Rejected(f"{topic}: {exc.error_count()} schema errors, first: {exc.errors()[0]['msg']}") from None
        self.messages += 1
        self.offices[office] = max(received, self.offices.get(office, received))

    def _add(self, office: str, rest: list[str], payload: dict[str, Any]) -> None:
        kind = rest[0]
        if rest == ["event", "ticket"]:
            event = m.TicketEvent.model_validate(payload)
            self._check_event(office, event.office, event.id)
            row = TicketEventRow(
                day=_day(event.day), office=office, event_id=event.id, op=event.op, at=when(event.at),
                seq=event_seq(event.id), ticket=event.ticket, issued_at=when(event.ticket.issued_at),
                called_at=when(event.ticket.called_at), started_at=when(event.ticket.started_at),
                finished_at=when(event.ticket.finished_at),
            )
            self.ticket_events[(office, event.id)] = row
        elif rest == ["event", "rating"]:
            event = m.RatingEvent.model_validate(payload)
            self._check_event(office, event.office, event.id)
            self.ratings[(office, event.id)] = RatingRow(
                day=_day(event.day), office=office, event_id=event.id, rating=event.rating,
                at=when(event.rating.at), comment=event.comment, dossier=event.dossier,
            )
        elif kind == "counter" and len(rest) == 3 and rest[2] == "state":
            msg = m.CounterStateMsg.model_validate(payload)
            self._keep("counters", office, _key(rest[1]), when(msg.updated_at), msg)
        elif kind == "service" and len(rest) == 3 and rest[2] == "state":
            msg = m.ServiceStateMsg.model_validate(payload)
            self._keep("services", office, _key(rest[1]), when(msg.updated_at), msg)
        elif rest == ["hall"]:
            msg = m.HallMsg.model_validate(payload)
            self._keep("halls", office, "", when(msg.updated_at), msg)
        elif rest == ["stats"]:
            msg = m.StatsMsg.model_validate(payload)
            self._keep("stats", office, "", when(msg.updated_at), msg)
        elif kind == "device" and len(rest) == 3 and rest[2] == "status":
            msg = m.DeviceStatusMsg.model_validate(payload)
            self._keep("devices", office, _key(rest[1]), when(msg.updated_at), msg)
        elif kind == "camera" and len(rest) == 3 and rest[2] == "health":
            msg = m.CameraHealthMsg.model_validate(payload)
            self._keep("cameras", office, _key(rest[1]), when(msg.at), msg)
        else:
            raise Rejected(f"topic {'/'.join(rest)!r} is not one the province stores")

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


def split_topic(topic: str) -> tuple[str, list[str]]:
    parts = topic.split("/")
    if len(parts) < 3 or parts[0] != "motcua" or not OFFICE_RE.match(parts[1]):
        raise Rejected(f"topic {topic!r} is not under motcua/{{office}}/")
    return parts[1], parts[2:]


def _json(topic: str, raw: bytes) -> dict[str, Any]:
    try:
        return Incoming(topic, raw, False).json()
    except PayloadError as exc:
        raise Rejected(f"{topic}: {exc}") from None


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
