"""Per-service views of the day's tickets, kept current from each operation's touched tickets.

The engine's queries (tickets ahead, waiting counts, service times, last call, next ticket to
call) read one service's queue or a small incremental summary instead of scanning the whole day.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ticketd import estimates
from ticketd.model import Ticket, TicketState
from ticketd.routing import queue_key


@dataclass(frozen=True)
class _Filed:
    """Where a ticket is filed, so that a change can unfile it."""

    service: str
    holder: str | None  # counter holding it (held)
    target: str | None  # counter it was transferred to (waiting)
    queue_key: tuple | None  # its place in the service's queue (waiting)
    done_key: tuple | None  # its place among the service's finished tickets
    called_key: tuple | None  # (called_at, seq, number)


class TicketIndex:
    def __init__(self, tickets: Iterable[Ticket] = ()) -> None:
        self._filed: dict[str, _Filed] = {}
        self._service: dict[str, dict[str, Ticket]] = defaultdict(dict)
        self._waiting: dict[str, dict[str, Ticket]] = defaultdict(dict)
        self._queue: dict[tuple[str, bool], list[tuple]] = defaultdict(list)  # (service, priority) -> sorted keys
        self._held: dict[str, dict[str, Ticket]] = defaultdict(dict)  # by the counter holding them
        self._targeted: dict[str, dict[str, Ticket]] = defaultdict(dict)  # waiting, by target counter
        self._done: dict[str, list[tuple]] = defaultdict(list)  # sorted (finished_at, number, ticket)
        self._last_called: dict[str, tuple | None] = {}  # service -> max called_key; None: to recompute
        self._mean: dict[str, float] = {}  # service -> mean service time of its last finished tickets
        self.update(tickets)

    def update(self, tickets: Iterable[Ticket]) -> None:
        """File each ticket under its current service and state (call after every change)."""
        for ticket in tickets:
            old = self._filed.get(ticket.number)
            if old is not None:
                self._unfile(ticket, old)
            self._file(ticket)
            if (old is not None and old.called_key is not None
                    and self._last_called.get(old.service) == old.called_key
                    and self._filed[ticket.number].called_key != old.called_key):
                self._last_called[old.service] = None  # the last call was undone (a transfer)

    def _unfile(self, ticket: Ticket, old: _Filed) -> None:
        number = ticket.number
        self._service[old.service].pop(number, None)
        self._waiting[old.service].pop(number, None)
        if old.queue_key is not None:
            keys = self._queue[old.service, ticket.priority]
            del keys[bisect.bisect_left(keys, old.queue_key)]
        if old.holder is not None:
            self._held[old.holder].pop(number, None)
        if old.target is not None:
            self._targeted[old.target].pop(number, None)
        if old.done_key is not None:
            done = self._done[old.service]
            del done[bisect.bisect_left(done, old.done_key)]
            self._mean.pop(old.service, None)

    def _file(self, ticket: Ticket) -> None:
        number, service, state = ticket.number, ticket.service, ticket.state
        holder = ticket.held_by if state == TicketState.HELD else None
        target = ticket.target_counter if state == TicketState.WAITING else None
        done_key = called_key = waiting_key = None
        self._service[service][number] = ticket
        if state == TicketState.WAITING:
            self._waiting[service][number] = ticket
            waiting_key = queue_key(ticket)
            bisect.insort(self._queue[service, ticket.priority], waiting_key)
            if target is not None:
                self._targeted[target][number] = ticket
        elif holder is not None:
            self._held[holder][number] = ticket
        elif state == TicketState.DONE and ticket.finished_at is not None and (ticket.started_at or ticket.called_at):
            done_key = (ticket.finished_at, number)
            bisect.insort(self._done[service], done_key)
            self._mean.pop(service, None)
        if ticket.called_at is not None:
            called_key = (ticket.called_at, ticket.seq, number)
            last = self._last_called.get(service, ())
            if last is not None and called_key > last:
                self._last_called[service] = called_key
        self._filed[number] = _Filed(service, holder, target, waiting_key, done_key, called_key)

    def waiting(self, service: str) -> Iterable[Ticket]:
        return self._waiting[service].values()

    def position(self, ticket: Ticket) -> estimates.QueuePosition:
        """Where a waiting ``ticket`` stands in its service's queue."""
        key = queue_key(ticket)
        priority, plain = self._queue[ticket.service, True], self._queue[ticket.service, False]
        return estimates.QueuePosition(
            priority=ticket.priority,
            earlier_priority=bisect.bisect_left(priority, key), earlier_plain=bisect.bisect_left(plain, key),
            other_priority=len(priority) - ticket.priority, other_plain=len(plain) - (not ticket.priority))

    def waiting_count(self, service: str) -> int:
        return len(self._waiting[service])

    def waiting_total(self) -> int:
        return sum(len(bucket) for bucket in self._waiting.values())

    def targeted(self, counter: str) -> Iterable[Ticket]:
        """Waiting tickets transferred to ``counter`` (whatever their service)."""
        return self._targeted[counter].values()

    def held_by(self, counter: str) -> list[Ticket]:
        """Tickets parked by ``counter``, in issue order."""
        return sorted(self._held[counter].values(), key=lambda t: (t.issued_at, t.number))

    def last_called(self, service: str) -> str | None:
        """The number most recently called for ``service`` (transfers clear a ticket's call time)."""
        last = self._last_called.get(service, ())
        if last is None:  # the last call was undone (a transfer): find the one before
            keys = [f.called_key for n in self._service[service] if (f := self._filed[n]).called_key is not None]
            last = self._last_called[service] = max(keys) if keys else ()
        return last[2] if last else None

    def mean_service_s(self, service: str, window: int, default: float) -> float:
        """Mean duration of the last ``window`` tickets of ``service`` finished."""
        if service not in self._mean:
            done = self._done[service]
            recent = [self._service[service][number] for _at, number in done[-window:]] if window > 0 else []
            self._mean[service] = estimates.mean_duration_s(recent, default)
        return self._mean[service]
