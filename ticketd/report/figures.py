"""The report's figures from ``ReportData`` (pure).

Definitions (also printed at the foot of the HTML report):

- wait: first call of the day (not a recall) minus the time the number was issued; tickets never
  called have no wait. A ticket counts for the service that issued its number.
- service time: ``finished_at - started_at`` of a ticket finished ``done`` (started = called when
  the officer never pressed Bắt đầu); it counts for the officer who finished it.
- p90: nearest rank (the smallest value that at least 90 % of the values do not exceed).
- counter time, from the counter events of each day: a session runs from ``open`` to ``close``
  (a session still open counts until the report's ``now`` on the current day, and until its last
  event on a past day); it is *paused* between ``pause`` and ``resume``, *busy* while a ticket is
  called or served (from a call until finish, no-show, hold or transfer), and *idle* otherwise.
- abandoned: no-show + cancelled + not served (still waiting or held when a past day ended);
  tickets still waiting on ticketd's current day are counted apart as ``waiting_now``.
- satisfaction %: (rất hài lòng + hài lòng) / all ratings × 100; none without ratings.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from motcua.config import OfficeConfig
from ticketd.report.data import EventRow, RatingRow, ReportData, TicketRow

LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
_BUSY_FROM = {"call_next", "call"}
_BUSY_UNTIL = {"finish", "no_show", "hold", "transfer"}


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def satisfaction_pct(counts: dict[str, int]) -> float | None:
    total = sum(counts.get(level, 0) for level in LEVELS)
    if not total:
        return None
    return 100.0 * (counts.get("very_satisfied", 0) + counts.get("satisfied", 0)) / total


@dataclass
class CounterTime:
    busy_s: float = 0.0
    idle_s: float = 0.0
    paused_s: float = 0.0

    @property
    def open_s(self) -> float:
        return self.busy_s + self.idle_s + self.paused_s

    def add(self, other: CounterTime) -> None:
        self.busy_s += other.busy_s
        self.idle_s += other.idle_s
        self.paused_s += other.paused_s


@dataclass
class OfficerRow:
    officer_id: str
    name: str
    title: str
    counters: list[str]
    served: int
    avg_service_s: float | None
    p90_service_s: float | None
    no_shows: int
    transfers: int
    time: CounterTime
    ratings: dict[str, int]

    @property
    def rating_total(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction_pct(self) -> float | None:
        return satisfaction_pct(self.ratings)


@dataclass
class ServiceRow:
    code: str
    name: str
    issued: int
    served: int
    avg_wait_s: float | None
    p90_wait_s: float | None
    no_show: int
    cancelled: int
    not_served: int
    waiting_now: int

    @property
    def abandoned(self) -> int:
        return self.no_show + self.cancelled + self.not_served


@dataclass
class HourRow:
    hour: int
    arrivals: int
    called: int
    avg_wait_s: float | None
    p90_wait_s: float | None


@dataclass
class CounterSatisfaction:
    counter: str
    name: str
    ratings: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction_pct(self) -> float | None:
        return satisfaction_pct(self.ratings)


@dataclass
class Report:
    office_id: str
    office_name: str
    start: str
    end: str
    generated_at: str
    officers: list[OfficerRow]
    services: list[ServiceRow]
    hours: list[HourRow]
    counters: list[CounterSatisfaction]
    issued: int = 0
    served: int = 0
    avg_wait_s: float | None = None
    p90_wait_s: float | None = None
    ratings: dict[str, int] = field(default_factory=dict)

    @property
    def satisfaction_pct(self) -> float | None:
        return satisfaction_pct(self.ratings)

    @property
    def abandoned(self) -> int:
        return sum(s.abandoned for s in self.services)


def wait_s(ticket: TicketRow) -> float | None:
    if ticket.first_called_at is None:
        return None
    return max(0.0, (ticket.first_called_at - ticket.issued_at).total_seconds())


def service_s(ticket: TicketRow) -> float | None:
    if ticket.state != "done" or ticket.finished_at is None or ticket.started_at is None:
        return None
    return max(0.0, (ticket.finished_at - ticket.started_at).total_seconds())


def counter_times(events: list[EventRow], until: datetime | None) -> dict[str, CounterTime]:
    """Busy, idle and paused time per officer of one counter's events of one day (in order).

    ``until`` closes a session left open (the report's now on the current day), or None.
    """
    times: dict[str, CounterTime] = defaultdict(CounterTime)
    officer: str | None = None
    paused = busy = False
    since: datetime | None = None

    def account(upto: datetime) -> None:
        if officer is None or since is None or upto <= since:
            return
        seconds = (upto - since).total_seconds()
        slot = times[officer]
        if paused:
            slot.paused_s += seconds
        elif busy:
            slot.busy_s += seconds
        else:
            slot.idle_s += seconds

    for event in events:
        account(event.at)
        since = event.at
        if event.op == "open":
            officer, paused = event.officer_id, False
        elif event.op == "close":
            officer, paused, busy = None, False, False
        elif event.op == "pause":
            paused = True
        elif event.op == "resume":
            paused = False
        elif event.op in _BUSY_FROM:
            busy = True
        elif event.op in _BUSY_UNTIL:
            busy = False
    if until is not None:
        account(until)
    return dict(times)


def build(cfg: OfficeConfig, data: ReportData, now: datetime) -> Report:
    """Every figure of the report for ``data``; ``now`` closes sessions still open today."""
    officers = {o.id: o for o in cfg.officers}
    tickets = data.tickets

    def day_over(ticket: TicketRow) -> bool:
        return data.current_day is None or ticket.day != data.current_day

    # counter time, per day and counter
    by_day_counter: dict[tuple, list[EventRow]] = defaultdict(list)
    for event in data.events:
        by_day_counter[(event.day, event.counter)].append(event)
    time_by_officer: dict[str, CounterTime] = defaultdict(CounterTime)
    counters_by_officer: dict[str, set[str]] = defaultdict(set)
    transfers: dict[str, int] = defaultdict(int)
    for (day, counter), events in by_day_counter.items():
        until = now if day == data.current_day and now.date() == day else None
        for officer, spent in counter_times(events, until).items():
            time_by_officer[officer].add(spent)
            counters_by_officer[officer].add(counter)
        for event in events:
            if event.op == "transfer" and event.officer_id:
                transfers[event.officer_id] += 1

    ratings_by_officer: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    for rating in data.ratings:
        ratings_by_officer[rating.officer_id][rating.level] += 1

    service_times: dict[str, list[float]] = defaultdict(list)
    no_shows: dict[str, int] = defaultdict(int)
    for ticket in tickets:
        if ticket.officer_id is None:
            continue
        seconds = service_s(ticket)
        if seconds is not None:
            service_times[ticket.officer_id].append(seconds)
        if ticket.state == "no_show":
            no_shows[ticket.officer_id] += 1

    seen = set(time_by_officer) | set(service_times) | set(no_shows) | set(ratings_by_officer)
    order = [o.id for o in cfg.officers if o.id in seen] + sorted(seen - set(officers))
    officer_rows = []
    for officer_id in order:
        known = officers.get(officer_id)
        times = service_times.get(officer_id, [])
        officer_rows.append(OfficerRow(
            officer_id=officer_id, name=known.name if known else officer_id, title=known.title if known else "",
            counters=sorted(counters_by_officer.get(officer_id, set()), key=_counter_key),
            served=len(times), avg_service_s=mean(times), p90_service_s=p90(times),
            no_shows=no_shows.get(officer_id, 0), transfers=transfers.get(officer_id, 0),
            time=time_by_officer.get(officer_id, CounterTime()),
            ratings=dict(ratings_by_officer.get(officer_id, dict.fromkeys(LEVELS, 0))),
        ))

    service_rows = []
    for service in cfg.services:
        issued = [t for t in tickets if t.issued_service == service.code]
        waits = [w for w in map(wait_s, issued) if w is not None]
        service_rows.append(ServiceRow(
            code=service.code, name=service.name, issued=len(issued),
            served=sum(1 for t in issued if t.state == "done"),
            avg_wait_s=mean(waits), p90_wait_s=p90(waits),
            no_show=sum(1 for t in issued if t.state == "no_show"),
            cancelled=sum(1 for t in issued if t.state == "cancelled"),
            not_served=sum(1 for t in issued if day_over(t) and t.state in ("waiting", "held", "called", "serving")),
            waiting_now=sum(1 for t in issued if not day_over(t) and t.state in ("waiting", "held")),
        ))

    by_hour: dict[int, list[TicketRow]] = defaultdict(list)
    for ticket in tickets:
        by_hour[ticket.issued_at.hour].append(ticket)
    hour_rows = []
    if by_hour:
        for hour in range(min(by_hour), max(by_hour) + 1):
            waits = [w for w in map(wait_s, by_hour.get(hour, [])) if w is not None]
            hour_rows.append(HourRow(hour, len(by_hour.get(hour, [])), len(waits), mean(waits), p90(waits)))

    all_waits = [w for w in map(wait_s, tickets) if w is not None]
    totals = dict.fromkeys(LEVELS, 0)
    for rating in data.ratings:
        totals[rating.level] += 1
    return Report(
        office_id=cfg.office.id, office_name=cfg.office.name, start=data.start.isoformat(), end=data.end.isoformat(),
        generated_at=now.replace(microsecond=0).isoformat(), officers=officer_rows, services=service_rows,
        hours=hour_rows, counters=counter_satisfaction(cfg, data.ratings), issued=len(tickets),
        served=sum(1 for t in tickets if t.state == "done"), avg_wait_s=mean(all_waits), p90_wait_s=p90(all_waits),
        ratings=totals,
    )


def counter_satisfaction(cfg: OfficeConfig, ratings: list[RatingRow]) -> list[CounterSatisfaction]:
    """Ratings by level for every counter of the config (in config order)."""
    by_counter: dict[str, dict[str, int]] = {c.id: dict.fromkeys(LEVELS, 0) for c in cfg.counters}
    for rating in ratings:
        if rating.counter in by_counter and rating.level in LEVELS:
            by_counter[rating.counter][rating.level] += 1
    return [CounterSatisfaction(c.id, c.name, by_counter[c.id]) for c in cfg.counters]


def _counter_key(counter: str) -> tuple:
    return (0, int(counter), "") if counter.isdigit() else (1, 0, counter)
