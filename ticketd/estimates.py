"""How many tickets are ahead of one, and how long it will wait, from today's service times."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ticketd.model import Policy, Ticket


@dataclass(frozen=True)
class QueuePosition:
    """Where a waiting ticket stands among the other waiting tickets of its service."""

    priority: bool  # the ticket's own class
    earlier_priority: int  # priority tickets queued before it
    earlier_plain: int  # plain tickets queued before it
    other_priority: int  # every other priority ticket
    other_plain: int  # every other plain ticket


def ahead(position: QueuePosition, policy: Policy) -> int:
    """Waiting tickets of the same service that will be called before this one.

    Under ``strict`` every priority ticket goes first. Under ``interleave`` (one priority after every
    N others, counted from a fresh counter) a priority ticket waits for the earlier priority ones and
    N others per priority ticket up to it; a plain one for the earlier plain ones and the priority
    ones slotted in between them.
    """
    every = policy.interleave_every
    if policy.priority_mode == "interleave" and every > 0:
        if position.priority:
            return position.earlier_priority + min(position.other_plain, (position.earlier_priority + 1) * every)
        return position.earlier_plain + min(position.other_priority, position.earlier_plain // every)
    if position.priority:
        return position.earlier_priority
    return position.other_priority + position.earlier_plain


def mean_duration_s(recent: Iterable[Ticket], default: float) -> float:
    """Mean time from start (else from call) to finish of ``recent`` done tickets; ``default`` if none."""
    durations = [max(0.0, (t.finished_at - (t.started_at or t.called_at)).total_seconds()) for t in recent]
    return sum(durations) / len(durations) if durations else default


def wait_s(ahead_count: int, mean_s: float, open_counters: int) -> int:
    """Seconds to wait: (ahead + 1) service times shared by the open counters (at least one)."""
    return round((ahead_count + 1) * mean_s / max(1, open_counters))
