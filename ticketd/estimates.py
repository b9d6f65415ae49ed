"""How many tickets are ahead of one, and how long it will wait, from today's service times."""

from __future__ import annotations

from collections.abc import Iterable

from ticketd.model import Policy, Ticket, TicketState
from ticketd.routing import queue_key


def ahead(ticket: Ticket, tickets: Iterable[Ticket], policy: Policy) -> int:
    """Waiting tickets of the same service that will be called before ``ticket`` (0 unless waiting).

    Under ``strict`` every priority ticket goes first. Under ``interleave`` (one priority after every
    N others, counted from a fresh counter) a priority ticket waits for the earlier priority ones and
    N others per priority ticket up to it; a plain one for the earlier plain ones and the priority
    ones slotted in between them.
    """
    if ticket.state != TicketState.WAITING:
        return 0
    key = queue_key(ticket)
    others = [
        t for t in tickets
        if t.state == TicketState.WAITING and t.service == ticket.service and t.number != ticket.number
    ]
    earlier_priority = sum(1 for t in others if t.priority and queue_key(t) < key)
    earlier_plain = sum(1 for t in others if not t.priority and queue_key(t) < key)
    all_priority = sum(1 for t in others if t.priority)
    all_plain = len(others) - all_priority
    every = policy.interleave_every
    if policy.priority_mode == "interleave" and every > 0:
        if ticket.priority:
            return earlier_priority + min(all_plain, (earlier_priority + 1) * every)
        return earlier_plain + min(all_priority, earlier_plain // every)
    if ticket.priority:
        return earlier_priority
    return all_priority + earlier_plain


def mean_duration_s(recent: Iterable[Ticket], default: float) -> float:
    """Mean time from start (else from call) to finish of ``recent`` done tickets; ``default`` if none."""
    durations = [max(0.0, (t.finished_at - (t.started_at or t.called_at)).total_seconds()) for t in recent]
    return sum(durations) / len(durations) if durations else default


def wait_s(ahead_count: int, mean_s: float, open_counters: int) -> int:
    """Seconds to wait: (ahead + 1) service times shared by the open counters (at least one)."""
    return round((ahead_count + 1) * mean_s / max(1, open_counters))
