"""Simulated offices that publish what ticketd publishes, for the load benchmark and tests.

``busy_hour`` yields the messages of many offices during a busy hour, in time order: tickets
taken, called, served and finished at each counter, ratings, and the retained counter, service,
hall, statistics, device and camera state that goes with them. Every payload validates against
``motcua.bus.models``; event ids follow ticketd's ``{instance}-{seq}``.
"""

from __future__ import annotations

import heapq
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterator

from motcua.clock import iso

SERVICES = (("HT", "Hộ tịch", "A"), ("CT", "Chứng thực", "B"), ("DD", "Đất đai", "C"),
            ("CUTRU", "Cư trú", "D"), ("DKKD", "Đăng ký kinh doanh", "E"))
OFFICERS = ("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Thảo", "Phạm Văn Dũng", "Hoàng Thị Ngọc",
            "Vũ Minh Khoa", "Đặng Thu Hương")
LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
REASONS = ("Chờ lâu", "Hướng dẫn chưa rõ", "Thái độ chưa niềm nở")

Message = tuple[str, dict[str, Any], bool]  # topic, payload, retained


@dataclass
class _Ticket:
    number: str
    service: str
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter: str | None = None
    officer: str | None = None
    state: str = "waiting"
    outcome: str | None = None


@dataclass
class SimOffice:
    """One office's queue, driven by the caller; each method returns the messages it causes."""

    office: str
    counters: int = 5
    day: str = "2026-11-23"
    instance: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    seq: int = 0
    waiting: list[_Ticket] = field(default_factory=list)
    serving: dict[str, _Ticket] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return f"motcua/{self.office}"

    def officer(self, counter: str) -> dict[str, str]:
        index = int(counter) - 1
        return {"id": f"cb-{index + 1}", "name": OFFICERS[index % len(OFFICERS)], "title": "Công chức"}

    def _event_id(self) -> str:
        self.seq += 1
        return f"{self.instance}-{self.seq}"

    def _ticket_event(self, op: str, ticket: _Ticket, now: datetime) -> Message:
        body = {
            "id": self._event_id(), "office": self.office, "day": self.day, "op": op,
            "ticket": {"number": ticket.number, "service": ticket.service, "issued_service": ticket.service,
                       "priority": False, "state": ticket.state, "issued_at": iso(ticket.issued_at),
                       "called_at": iso(ticket.called_at), "started_at": iso(ticket.started_at),
                       "finished_at": iso(ticket.finished_at), "counter": ticket.counter,
                       "officer": ticket.officer, "outcome": ticket.outcome, "dossier": None, "transfers": 0},
            "at": iso(now),
        }
        return f"{self.root}/event/ticket", body, False

    def _counter_state(self, counter: str, now: datetime, status: str = "open") -> Message:
        current = self.serving.get(counter)
        return f"{self.root}/counter/{counter}/state", {
            "counter": counter, "name": f"Quầy {counter}", "status": status,
            "officer": self.officer(counter) if status != "closed" else None,
            "services": [code for code, _n, _p in SERVICES],
            "current": None if current is None else {
                "number": current.number, "service": current.service, "service_name": current.service,
                "seq": int(current.number[1:]), "priority": False, "state": current.state,
                "issued_at": iso(current.issued_at), "ahead": 0, "est_wait_s": 0, "counter": counter},
            "updated_at": iso(now),
        }, True

    def _service_state(self, code: str, now: datetime) -> Message:
        name = next(n for c, n, _p in SERVICES if c == code)
        return f"{self.root}/service/{code}/state", {
            "service": code, "name": name, "field": name, "open": True,
            "waiting": sum(1 for t in self.waiting if t.service == code), "est_wait_s": 300,
            "last_called": None, "issued_today": self.issued.get(code, 0), "updated_at": iso(now),
        }, True

    def hall(self, now: datetime) -> Message:
        return f"{self.root}/hall", {
            "recent": [], "serving": [{"counter": c, "counter_name": f"Quầy {c}", "number": t.number,
                                       "service": t.service} for c, t in sorted(self.serving.items())],
            "waiting_total": len(self.waiting), "updated_at": iso(now),
        }, True

    def opening(self, now: datetime, cameras: int = 2) -> list[Message]:
        """Counters opened, devices online, cameras live, statistics: the state at opening."""
        messages = [self._counter_state(str(c), now) for c in range(1, self.counters + 1)]
        messages += [self._service_state(code, now) for code, _n, _p in SERVICES]
        messages.append(self.hall(now))
        messages.append((f"{self.root}/stats", {"received_today": 0, "in_progress": 12, "on_time": 40,
                                                "overdue": 1, "period": "month", "source": "import",
                                                "updated_at": iso(now)}, True))
        for device, kind in (("ticketd", "ticketd"), ("kiosk-1", "kiosk"), ("printer-1", "printer")):
            messages.append((f"{self.root}/device/{device}/status", {
                "device": device, "kind": kind, "state": "online", "detail": None, "updated_at": iso(now)}, True))
        for cam in range(1, cameras + 1):
            messages.append((f"{self.root}/camera/cam-{cam}/health",
                             {"state": "live", "fps": 15.0, "kbps": 1800.0, "at": iso(now)}, False))
        return messages

    def take(self, code: str, now: datetime) -> list[Message]:
        self.issued[code] = self.issued.get(code, 0) + 1
        prefix = next(p for c, _n, p in SERVICES if c == code)
        ticket = _Ticket(f"{prefix}{self.issued[code]:03d}", code, now)
        self.waiting.append(ticket)
        return [self._ticket_event("take", ticket, now), self._service_state(code, now), self.hall(now)]

    def call_next(self, counter: str, now: datetime) -> list[Message]:
        if not self.waiting or counter in self.serving:
            return []
        ticket = self.waiting.pop(0)
        ticket.state, ticket.called_at, ticket.counter = "called", now, counter
        ticket.officer = self.officer(counter)["id"]
        self.serving[counter] = ticket
        return [self._ticket_event("call_next", ticket, now), self._counter_state(counter, now),
                self._service_state(ticket.service, now), self.hall(now)]

    def start(self, counter: str, now: datetime) -> list[Message]:
        ticket = self.serving[counter]
        ticket.state, ticket.started_at = "serving", now
        return [self._ticket_event("start", ticket, now), self._counter_state(counter, now)]

    def finish(self, counter: str, now: datetime) -> tuple[list[Message], _Ticket]:
        ticket = self.serving.pop(counter)
        ticket.state, ticket.finished_at, ticket.outcome = "done", now, "received"
        return [self._ticket_event("finish", ticket, now), self._counter_state(counter, now), self.hall(now)], ticket

    def rate(self, ticket: _Ticket, level: str, now: datetime) -> list[Message]:
        officer = self.officer(ticket.counter)
        body = {"id": self._event_id(), "office": self.office, "day": self.day,
                "rating": {"ticket": ticket.number, "level": level, "officer": officer, "counter": ticket.counter,
                           "at": iso(now), "reasons": [REASONS[self.seq % len(REASONS)]] if level == "dissatisfied"
                           else []},
                "comment": None, "dossier": None}
        return [(f"{self.root}/event/rating", body, False)]


def busy_hour(offices: int, counters: int, minutes: float, start: datetime, seed: int = 7,
              prefix: str = "xa") -> Iterator[tuple[datetime, str, bytes, bool]]:
    """``(simulated time, topic, JSON bytes, retained)`` for ``offices`` offices in time order.

    Each counter serves one citizen after another (4–12 minutes each, 10–60 s to walk up);
    citizens arrive a little faster than the counters serve, so queues grow through the hour;
    70 % of citizens rate (85 % satisfied or better).
    """
    rng = random.Random(seed)
    sims = [SimOffice(f"{prefix}-{i:04d}", counters, day=start.date().isoformat()) for i in range(offices)]
    end = start + timedelta(minutes=minutes)
    heap: list[tuple[datetime, int, str, int, str]] = []  # (time, tiebreak, action, office, arg)
    order = 0

    def push(at: datetime, action: str, office: int, arg: str = "") -> None:
        nonlocal order
        order += 1
        heapq.heappush(heap, (at, order, action, office, arg))

    for index, sim in enumerate(sims):
        for topic, payload, retained in sim.opening(start):
            yield start, topic, _dump(payload), retained
        push(start + timedelta(seconds=rng.uniform(0, 60)), "arrive", index)
        for counter in range(1, counters + 1):
            push(start + timedelta(seconds=rng.uniform(30, 120)), "call", index, str(counter))
    pending_ratings: dict[tuple[int, str], _Ticket] = {}
    while heap:
        at, _o, action, index, arg = heapq.heappop(heap)
        if at >= end:
            break
        sim = sims[index]
        messages: list[Message] = []
        if action == "arrive":
            messages = sim.take(rng.choice(SERVICES)[0], at)
            push(at + timedelta(seconds=rng.expovariate(counters / 420)), "arrive", index)
        elif action == "call":
            messages = sim.call_next(arg, at)
            if messages:
                push(at + timedelta(seconds=rng.uniform(10, 60)), "start", index, arg)
            else:
                push(at + timedelta(seconds=30), "call", index, arg)
        elif action == "start":
            messages = sim.start(arg, at)
            push(at + timedelta(seconds=rng.uniform(240, 720)), "finish", index, arg)
        elif action == "finish":
            messages, ticket = sim.finish(arg, at)
            push(at + timedelta(seconds=rng.uniform(5, 30)), "call", index, arg)
            if rng.random() < 0.7:
                pending_ratings[(index, ticket.number)] = ticket
                push(at + timedelta(seconds=rng.uniform(3, 20)), "rate", index, ticket.number)
        elif action == "rate":
            ticket = pending_ratings.pop((index, arg))
            roll = rng.random()
            level = LEVELS[0] if roll < 0.55 else LEVELS[1] if roll < 0.85 else LEVELS[2]
            messages = sim.rate(ticket, level, at)
        for topic, payload, retained in messages:
            yield at, topic, _dump(payload), retained


def _dump(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
