"""The queue engine of one office day: issuing, counter operations, ratings and the views built on them.

No I/O and no clock reads: every operation takes ``now`` (tz-aware, office time). Each successful
operation returns an ``OpResult`` listing every ticket, counter and service view it changed; every
refusal raises ``EngineError`` with a contract code and an i18n key (namespace ``errors``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from motcua.text import nfc
from ticketd import estimates, routing
from ticketd.ticket_index import TicketIndex
from ticketd.model import (
    OUTCOMES,
    RATING_LEVELS,
    Call,
    CounterDef,
    CounterState,
    CounterStatus,
    EngineError,
    OfficerDef,
    OpResult,
    Policy,
    RateRequest,
    Rating,
    ServiceDef,
    Ticket,
    TicketState,
    format_number,
)

COUNTER_OPS = ("open", "close", "pause", "resume", "call_next", "call", "recall", "start", "finish",
               "no_show", "hold", "transfer")
RECENT_CALLS = 10
COMMENT_MAX = 500

_ACTIVE = (TicketState.CALLED, TicketState.SERVING)
_CALLABLE = (TicketState.WAITING, TicketState.HELD, TicketState.NO_SHOW)


def _indexed(method: Callable[..., OpResult]) -> Callable[..., OpResult]:
    """Re-file the tickets an operation touched, so the per-service views stay current."""

    @functools.wraps(method)
    def wrapper(self: "Engine", *args, **kwargs) -> OpResult:
        result = method(self, *args, **kwargs)
        self._index.update(result.touched_tickets)
        return result

    return wrapper


class Engine:
    """All queue state of one office day; restored from the store by passing its rows in."""

    def __init__(self, services: list[ServiceDef], counters: list[CounterDef], officers: list[OfficerDef],
                 policy: Policy, day: date, tickets: Iterable[Ticket] = (),
                 counter_states: Iterable[CounterState] = (), recent_calls: Iterable[Call] = ()) -> None:
        self.services: dict[str, ServiceDef] = {s.code: s for s in services}
        prefixes = [s.prefix for s in services]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("two services share a ticket prefix: numbers would collide")
        self.counter_defs: dict[str, CounterDef] = {c.id: c for c in counters}
        self.officers: dict[str, OfficerDef] = {o.id: o for o in officers}
        self.policy = policy
        self.day = day
        self._tickets: dict[str, Ticket] = {
            t.number: replace(t) for t in sorted(tickets, key=lambda t: t.issued_at)
        }
        self._seq: dict[str, int] = {}
        for t in self._tickets.values():
            self._seq[t.issued_service] = max(self._seq.get(t.issued_service, 0), t.seq)
        stored = {c.id: c for c in counter_states}
        self.counters: dict[str, CounterState] = {
            cid: replace(stored[cid], credits=dict(stored[cid].credits)) if cid in stored else CounterState(cid)
            for cid in self.counter_defs
        }
        self._recent: list[Call] = sorted(recent_calls, key=lambda c: c.at, reverse=True)[:RECENT_CALLS]
        self._index = TicketIndex(self._tickets.values())

    # ----- issuing -----------------------------------------------------------------------------

    @_indexed
    def take(self, service: str, priority: bool, now: datetime) -> OpResult:
        """Issue the next number of ``service`` (refused outside its hours or past its quota)."""
        sdef = self._service(service)
        if not self.is_open(service, now):
            windows = sdef.hours.get(now.weekday(), [])
            if not windows:
                raise EngineError("service_closed", "errors.service_closed_today", service=sdef.name)
            hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in windows)
            raise EngineError("service_closed", "errors.service_closed_hours", service=sdef.name, hours=hours)
        issued = self._seq.get(service, 0)
        if sdef.daily_quota is not None and issued >= sdef.daily_quota:
            raise EngineError("quota_reached", "errors.quota_reached_service", service=sdef.name,
                              quota=sdef.daily_quota)
        seq = issued + 1
        ticket = Ticket(number=format_number(sdef.prefix, seq), service=service, issued_service=service,
                        seq=seq, priority=bool(priority), state=TicketState.WAITING, issued_at=now)
        self._seq[service] = seq
        self._tickets[ticket.number] = ticket
        return OpResult(ticket=ticket, touched_tickets=[ticket], touched_services={service})

    # ----- counter operations ------------------------------------------------------------------

    @_indexed
    def counter_op(self, counter: str, op: str, args: dict, now: datetime) -> OpResult:
        """Run one counter operation (``COUNTER_OPS``) with its request fields in ``args``."""
        cdef = self._counter_def(counter)
        state = self.counters[counter]
        if op not in COUNTER_OPS:
            raise EngineError("bad_request", "errors.bad_request_unknown_op", op=str(op))
        if not isinstance(args, dict):
            raise EngineError("bad_request")
        if op != "open" and state.status == CounterStatus.CLOSED:
            raise EngineError("counter_closed", "errors.counter_closed_named", counter=cdef.name)
        handler: Callable[[CounterDef, CounterState, dict, datetime], OpResult] = getattr(self, f"_op_{op}")
        return handler(cdef, state, args, now)

    def _op_open(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        officer = _opt_str(args, "officer")
        if not officer:
            raise EngineError("bad_request", "errors.bad_request_officer_required")
        if officer not in self.officers:
            raise EngineError("bad_request", "errors.bad_request_unknown_officer", officer=officer)
        for other in self.counters.values():
            if other.id != state.id and other.status != CounterStatus.CLOSED and other.officer_id == officer:
                raise EngineError("not_allowed", "errors.not_allowed_officer_busy",
                                  officer=self.officers[officer].name, counter=self.counter_defs[other.id].name)
        was_closed = state.status == CounterStatus.CLOSED
        state.status = CounterStatus.OPEN
        state.officer_id = officer
        state.paused_reason = None
        return OpResult(counter=state, touched_counters=[state],
                        touched_services=set(cdef.services) if was_closed else set())

    def _op_close(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        if state.current is not None:
            raise EngineError("not_allowed", "errors.not_allowed_close_with_ticket", number=state.current)
        state.status = CounterStatus.CLOSED
        state.officer_id = None
        state.paused_reason = None
        return OpResult(counter=state, touched_counters=[state], touched_services=set(cdef.services))

    def _op_pause(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        reason = _opt_str(args, "reason")
        if state.status != CounterStatus.OPEN:
            raise EngineError("not_allowed", "errors.not_allowed_already_paused", counter=cdef.name)
        state.status = CounterStatus.PAUSED
        state.paused_reason = nfc(reason.strip()) if reason and reason.strip() else None
        return OpResult(counter=state, touched_counters=[state])

    def _op_resume(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        if state.status != CounterStatus.PAUSED:
            raise EngineError("not_allowed", "errors.not_allowed_not_paused", counter=cdef.name)
        state.status = CounterStatus.OPEN
        state.paused_reason = None
        return OpResult(counter=state, touched_counters=[state])

    def _op_call_next(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        self._refuse_calls_when_paused(cdef, state)
        chosen = routing.pick(self._candidates(cdef), cdef, state, self.policy, now)
        if chosen is None:
            raise EngineError("queue_empty", "errors.queue_empty_counter", counter=cdef.name)
        result = OpResult(counter=state)
        self._wrap_up_current(state, now, result)
        self._call(chosen, state, now, result)
        return result

    def _op_call(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        number = _opt_str(args, "ticket")
        if not number:
            raise EngineError("bad_request", "errors.bad_request_field", field="ticket")
        self._refuse_calls_when_paused(cdef, state)
        ticket = self.get_ticket(number)
        if ticket.state == TicketState.HELD and ticket.held_by not in (None, state.id):
            raise EngineError("not_allowed", "errors.not_allowed_held_elsewhere", number=number,
                              counter=self._counter_name(ticket.held_by))
        if ticket.state in _ACTIVE:
            raise EngineError("not_allowed", "errors.not_allowed_ticket_busy", number=number,
                              counter=self._counter_name(ticket.counter))
        if ticket.state not in _CALLABLE:
            raise EngineError("not_allowed", "errors.not_allowed_ticket_finished", number=number)
        result = OpResult(counter=state)
        self._wrap_up_current(state, now, result)
        self._call(ticket, state, now, result)
        return result

    def _op_recall(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        ticket = self._current(state)
        call = Call(number=ticket.number, counter=state.id, service=ticket.service, recall=True, at=now)
        self._push_call(call)
        return OpResult(ticket=ticket, counter=state, calls=[call])

    def _op_start(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        ticket = self._current(state)
        if ticket.state != TicketState.CALLED:
            raise EngineError("not_allowed", "errors.not_allowed_already_serving", number=ticket.number)
        ticket.state = TicketState.SERVING
        ticket.started_at = now
        ticket.officer_id = state.officer_id or ticket.officer_id
        return OpResult(ticket=ticket, counter=state, touched_tickets=[ticket], touched_counters=[state])

    def _op_finish(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        outcome = args.get("outcome")
        if outcome is None:
            outcome = "other"
        if outcome not in OUTCOMES:
            raise EngineError("bad_request", "errors.bad_request_outcome", outcome=str(outcome))
        dossier = _opt_str(args, "dossier")
        ticket = self._current(state)
        result = OpResult(ticket=ticket, counter=state)
        self._complete(ticket, state, outcome, dossier.strip() if dossier and dossier.strip() else None, now,
                       result)
        state.current = None
        return result

    def _op_no_show(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        ticket = self._current(state)
        if ticket.state != TicketState.CALLED:
            raise EngineError("not_allowed", "errors.not_allowed_no_show_serving", number=ticket.number)
        ticket.state = TicketState.NO_SHOW
        state.current = None
        return OpResult(ticket=ticket, counter=state, touched_tickets=[ticket], touched_counters=[state])

    def _op_hold(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        ticket = self._current(state)
        ticket.state = TicketState.HELD
        ticket.held_by = state.id
        state.current = None
        return OpResult(ticket=ticket, counter=state, touched_tickets=[ticket], touched_counters=[state])

    def _op_transfer(self, cdef: CounterDef, state: CounterState, args: dict, now: datetime) -> OpResult:
        to_service = _opt_str(args, "to_service")
        to_counter = _opt_str(args, "to_counter")
        if (to_service is None) == (to_counter is None):
            raise EngineError("bad_request", "errors.bad_request_transfer_target")
        if to_service is not None:
            self._service(to_service)
        if to_counter is not None:
            self._counter_def(to_counter)
        ticket = self._current(state)
        old_service = ticket.service
        ticket.state = TicketState.WAITING
        ticket.transfers += 1
        ticket.transferred_from = state.id
        ticket.counter = None
        ticket.called_at = None
        ticket.started_at = None
        ticket.officer_id = None
        if to_service is not None:
            ticket.service = to_service
            ticket.target_counter = None
        else:
            ticket.target_counter = to_counter
        state.current = None
        return OpResult(ticket=ticket, counter=state, touched_tickets=[ticket], touched_counters=[state],
                        touched_services={old_service, ticket.service})

    # ----- ratings -----------------------------------------------------------------------------

    @_indexed
    def rate(self, counter: str, ticket: str, level: str, reasons: list[str], comment: str | None,
             now: datetime) -> OpResult:
        """Record the citizen's rating of a ticket finished at ``counter`` (once, within the window)."""
        self._counter_def(counter)
        if level not in RATING_LEVELS:
            raise EngineError("bad_request", "errors.bad_request_rating_level", level=str(level))
        if not isinstance(reasons, (list, tuple)) or not all(isinstance(r, str) for r in reasons):
            raise EngineError("bad_request", "errors.bad_request_field", field="reasons")
        clean_reasons = tuple(nfc(r.strip()) for r in reasons if r.strip())
        if level == "dissatisfied" and not clean_reasons:
            raise EngineError("bad_request", "errors.bad_request_reason_required")
        if comment is not None and not isinstance(comment, str):
            raise EngineError("bad_request", "errors.bad_request_field", field="comment")
        clean_comment = nfc(comment.strip()) if comment else ""
        if len(clean_comment) > COMMENT_MAX:
            raise EngineError("bad_request", "errors.bad_request_comment_too_long", max=COMMENT_MAX)
        served = self.get_ticket(ticket)
        if served.state != TicketState.DONE:
            raise EngineError("not_allowed", "errors.not_allowed_rating_not_done", number=served.number)
        if served.counter != counter:
            raise EngineError("not_allowed", "errors.not_allowed_rating_other_counter", number=served.number)
        if served.rated:
            raise EngineError("duplicate_rating", "errors.duplicate_rating_ticket", number=served.number)
        window = timedelta(seconds=self.policy.rating_window_s)
        if served.finished_at is None or served.officer_id is None or now > served.finished_at + window:
            raise EngineError("not_allowed", "errors.not_allowed_rating_expired", number=served.number)
        served.rated = True
        rating = Rating(ticket=served.number, level=level, reasons=clean_reasons, comment=clean_comment or None,
                        officer_id=served.officer_id, counter=counter, at=now)
        return OpResult(ticket=served, rating=rating, touched_tickets=[served])

    # ----- views -------------------------------------------------------------------------------

    def get_ticket(self, number: str) -> Ticket:
        ticket = self._tickets.get(number)
        if ticket is None:
            raise EngineError("unknown_ticket", "errors.unknown_ticket_number", number=str(number))
        return ticket

    def ahead(self, ticket: Ticket) -> int:
        """Waiting tickets of its service that will be called before it (0 when not waiting)."""
        if ticket.state != TicketState.WAITING:
            return 0
        return estimates.ahead(self._index.position(ticket), self.policy)

    def est_wait_s(self, ticket: Ticket, ahead: int | None = None) -> int:
        """Estimated seconds until ``ticket`` is called (0 when not waiting); pass ``ahead`` when
        already known."""
        if ticket.state != TicketState.WAITING:
            return 0
        return self._wait_s(ticket.service, self.ahead(ticket) if ahead is None else ahead)

    def service_view(self, code: str, now: datetime) -> dict:
        """The retained service state: ``est_wait_s`` is the wait of a plain ticket taken now."""
        self._service(code)
        waiting = self._index.waiting_count(code)
        return {
            "open": self.is_open(code, now),
            "waiting": waiting,
            "est_wait_s": self._wait_s(code, waiting),
            "last_called": self._index.last_called(code),
            "issued_today": self._seq.get(code, 0),
        }

    def is_open(self, code: str, now: datetime) -> bool:
        """Whether ``code`` issues numbers at ``now``: inside one of that weekday's [start, end) windows."""
        local = now.time()
        return any(start <= local < end for start, end in self._service(code).hours.get(now.weekday(), []))

    def recent_calls(self) -> list[Call]:
        """The last calls and recalls, newest first (at most ``RECENT_CALLS``)."""
        return list(self._recent)

    def serving(self) -> list[tuple[str, str, str]]:
        """(counter, number, service) of every counter with a current ticket, in config order."""
        return [(cid, st.current, self._tickets[st.current].service)
                for cid, st in self.counters.items() if st.current is not None]

    def waiting_total(self) -> int:
        return self._index.waiting_total()

    def held_by(self, counter: str) -> list[str]:
        """Numbers of the tickets ``counter`` has parked, in issue order."""
        return [t.number for t in self._index.held_by(counter)]

    def tickets(self) -> list[Ticket]:
        """Every ticket of the day, in issue order."""
        return list(self._tickets.values())

    def start_day(self, day: date) -> list[Ticket]:
        """Begin ``day`` afresh and hand back the old day's tickets, unchanged, for history."""
        old = list(self._tickets.values())
        self.day = day
        self._tickets = {}
        self._seq = {}
        self._recent = []
        self._index = TicketIndex()
        self.counters = {cid: CounterState(cid) for cid in self.counter_defs}
        return old

    # ----- internals ---------------------------------------------------------------------------

    def _service(self, code: str) -> ServiceDef:
        sdef = self.services.get(code)
        if sdef is None:
            raise EngineError("unknown_service", "errors.unknown_service_code", service=str(code))
        return sdef

    def _counter_def(self, counter: str) -> CounterDef:
        cdef = self.counter_defs.get(counter)
        if cdef is None:
            raise EngineError("unknown_counter", "errors.unknown_counter_id", counter=str(counter))
        return cdef

    def _counter_name(self, counter: str | None) -> str:
        cdef = self.counter_defs.get(counter or "")
        return cdef.name if cdef else str(counter)

    def _current(self, state: CounterState) -> Ticket:
        if state.current is None:
            raise EngineError("not_allowed", "errors.not_allowed_no_current",
                              counter=self.counter_defs[state.id].name)
        return self._tickets[state.current]

    @staticmethod
    def _refuse_calls_when_paused(cdef: CounterDef, state: CounterState) -> None:
        if state.status == CounterStatus.PAUSED:
            raise EngineError("not_allowed", "errors.not_allowed_paused", counter=cdef.name)

    def _wrap_up_current(self, state: CounterState, now: datetime, result: OpResult) -> None:
        """Before a new call: a called ticket becomes no_show, a serving one done."""
        if state.current is None:
            return
        ticket = self._tickets[state.current]
        if ticket.state == TicketState.SERVING:
            self._complete(ticket, state, None, None, now, result)
        else:
            ticket.state = TicketState.NO_SHOW
            _touch_ticket(result, ticket)
        state.current = None

    def _complete(self, ticket: Ticket, state: CounterState, outcome: str | None, dossier: str | None,
                  now: datetime, result: OpResult) -> None:
        """Mark ``ticket`` done at ``state``'s counter and ask for a rating when an officer is there."""
        if ticket.started_at is None:
            ticket.started_at = ticket.called_at
        ticket.state = TicketState.DONE
        ticket.finished_at = now
        ticket.outcome = outcome
        ticket.dossier = dossier
        if state.officer_id is not None:
            ticket.officer_id = state.officer_id
            result.rate_request = RateRequest(
                counter=state.id, ticket=ticket.number, officer_id=state.officer_id,
                expires_at=now + timedelta(seconds=self.policy.rating_window_s))
        _touch_ticket(result, ticket)
        _touch_counter(result, state)
        result.touched_services.add(ticket.service)

    def _call(self, ticket: Ticket, state: CounterState, now: datetime, result: OpResult) -> None:
        ticket.state = TicketState.CALLED
        ticket.counter = state.id
        ticket.called_at = now
        ticket.started_at = None
        ticket.held_by = None
        ticket.officer_id = state.officer_id
        state.current = ticket.number
        call = Call(number=ticket.number, counter=state.id, service=ticket.service, recall=False, at=now)
        self._push_call(call)
        result.ticket = ticket
        result.calls.append(call)
        _touch_ticket(result, ticket)
        _touch_counter(result, state)
        result.touched_services.add(ticket.service)

    def _push_call(self, call: Call) -> None:
        self._recent.insert(0, call)
        del self._recent[RECENT_CALLS:]

    def _candidates(self, cdef: CounterDef) -> Iterator[Ticket]:
        """Waiting tickets a counter might call: its services' queues and tickets transferred to it."""
        for code in cdef.services:
            yield from self._index.waiting(code)
        for ticket in self._index.targeted(cdef.id):
            if ticket.service not in cdef.services:
                yield ticket

    def _wait_s(self, code: str, ahead_count: int) -> int:
        sdef = self.services[code]
        mean = self._index.mean_service_s(code, self.policy.estimate_window, sdef.avg_service_s)
        open_counters = sum(1 for cid, cdef in self.counter_defs.items()
                            if code in cdef.services and self.counters[cid].status != CounterStatus.CLOSED)
        return estimates.wait_s(ahead_count, mean, open_counters)


def _opt_str(args: dict, name: str) -> str | None:
    value = args.get(name)
    if value is not None and not isinstance(value, str):
        raise EngineError("bad_request", "errors.bad_request_field", field=name)
    return value


def _touch_ticket(result: OpResult, ticket: Ticket) -> None:
    if all(t is not ticket for t in result.touched_tickets):
        result.touched_tickets.append(ticket)


def _touch_counter(result: OpResult, state: CounterState) -> None:
    if all(c is not state for c in result.touched_counters):
        result.touched_counters.append(state)
