"""Which waiting ticket a counter calls next: priorities, weighted sharing, a starvation guard.

Pure functions over the model; ``pick`` updates the counter's routing state (``since_priority``,
``credits``) only when it returns a ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ticketd.model import CounterDef, CounterState, Policy, Ticket, TicketState


def queue_key(ticket: Ticket) -> tuple:
    """Queue order inside one class: oldest issue time first (transfers keep theirs), then seq."""
    return (ticket.issued_at, ticket.seq, ticket.number)


def eligible(tickets: Iterable[Ticket], counter: CounterDef) -> list[Ticket]:
    """Waiting tickets this counter may call: sent to it by a transfer, or of a service it serves."""
    return [
        t
        for t in tickets
        if t.state == TicketState.WAITING
        and (t.target_counter == counter.id or (t.target_counter is None and t.service in counter.services))
    ]


def takes_priority(has_priority: bool, has_plain: bool, state: CounterState, policy: Policy) -> bool:
    """Whether the next call goes to the priority class."""
    if not has_priority:
        return False
    if policy.priority_mode == "interleave":
        return state.since_priority >= policy.interleave_every or not has_plain
    return True


def pick(tickets: Iterable[Ticket], counter: CounterDef, state: CounterState, policy: Policy,
         now: datetime) -> Ticket | None:
    """The ticket ``counter`` calls next, or None when none is eligible (state then unchanged)."""
    candidates = eligible(tickets, counter)
    if not candidates:
        return None
    priority = [t for t in candidates if t.priority]
    plain = [t for t in candidates if not t.priority]
    pool = priority if takes_priority(bool(priority), bool(plain), state, policy) else plain
    if counter.weights:
        chosen = _weighted(pool, candidates, counter, state, policy, now)
    else:
        chosen = min(pool, key=queue_key)
    state.since_priority = 0 if chosen.priority else state.since_priority + 1
    return chosen


def _weighted(pool: list[Ticket], candidates: list[Ticket], counter: CounterDef, state: CounterState,
              policy: Policy, now: datetime) -> Ticket:
    """Smooth weighted round robin between the services present in ``pool``.

    Each pick adds every present service's weight to its credit, serves the service with the most
    credit (ties: the counter's service order) and takes the sum of present weights from it, so
    over time each service gets calls in proportion to its weight. A ticket waiting longer than
    ``policy.starvation_s`` is served first (the oldest such) and charged to its service. Credits of
    services with no eligible ticket are dropped, so an idle service saves nothing up.
    """
    present = {t.service for t in candidates}
    for code in [c for c in state.credits if c not in present]:
        del state.credits[code]
    order = {code: i for i, code in enumerate(counter.services)}
    by_service: dict[str, list[Ticket]] = {}
    for t in sorted(pool, key=lambda t: (order.get(t.service, len(order)), t.service)):
        by_service.setdefault(t.service, []).append(t)
    weights = {code: counter.weights.get(code, 1) for code in by_service}
    for code, weight in weights.items():
        state.credits[code] = float(state.credits.get(code, 0.0) + weight)
    overdue = [t for t in pool if (now - t.issued_at).total_seconds() > policy.starvation_s]
    if overdue:
        chosen = min(overdue, key=queue_key)
    else:
        best = max(by_service, key=lambda code: state.credits[code])  # first in order on ties
        chosen = min(by_service[best], key=queue_key)
    state.credits[chosen.service] -= float(sum(weights.values()))
    return chosen
