"""Per-service views of the day's tickets, kept current from each operation's touched tickets.

The engine's queries (tickets ahead, waiting counts, service times, next ticket to call) read
one service's waiting queue instead of scanning the whole day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from ticketd import estimates
from ticketd.model import Ticket, TicketState


class TicketIndex:
    def __init__(self, tickets: Iterable[Ticket] = ()) -> None:
        self._filed: dict[str, tuple[str, TicketState]] = {}
        self._service: dict[str, dict[str, Ticket]] = defaultdict(dict)
        self._waiting: dict[str, dict[str, Ticket]] = defaultdict(dict)
        self._done: dict[str, dict[str, Ticket]] = defaultdict(dict)
        self._mean_cache: dict[str, float] = {}
        self.update(tickets)

    def update(self, tickets: Iterable[Ticket]) -> None:
        """File each ticket under its current service and state (call after every change)."""
        for ticket in tickets:
            old = self._filed.get(ticket.number)
            if old is not None:
                service, state = old
                self._service[service].pop(ticket.number, None)
                self._waiting[service].pop(ticket.number, None)
                if self._done[service].pop(ticket.number, None) is not None:
                    self._mean_cache.pop(service, None)
            self._filed[ticket.number] = (ticket.service, ticket.state)
            self._service[ticket.service][ticket.number] = ticket
            if ticket.state == TicketState.WAITING:
                self._waiting[ticket.service][ticket.number] = ticket
            elif ticket.state == TicketState.DONE:
                self._done[ticket.service][ticket.number] = ticket
                self._mean_cache.pop(ticket.service, None)

    def of_service(self, service: str) -> Iterable[Ticket]:
        return self._service[service].values()

    def waiting(self, service: str) -> Iterable[Ticket]:
        return self._waiting[service].values()

    def waiting_count(self, service: str) -> int:
        return len(self._waiting[service])

    def all_waiting(self) -> Iterator[Ticket]:
        for bucket in self._waiting.values():
            yield from bucket.values()

    def waiting_total(self) -> int:
        return sum(len(bucket) for bucket in self._waiting.values())

    def mean_service_s(self, service: str, window: int, default: float) -> float:
        if service not in self._mean_cache:
            self._mean_cache[service] = estimates.mean_service_s(self._done[service].values(), service, window,
                                                                 default)
        return self._mean_cache[service]
