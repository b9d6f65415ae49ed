"""Random office days against the engine's invariants (hypothesis stateful testing).

After every step: numbers unique and contiguous per issuing service, each ticket at most one
counter's current, a current ticket called/serving at that counter and vice versa, issue times never
change, refusals change nothing and carry a renderable Vietnamese message, and every changed
ticket, counter and service view is listed in the result's ``touched_*``.
"""

from dataclasses import astuple
from datetime import timedelta

from hypothesis import HealthCheck, event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engine_office import COUNTERS, OFFICERS, SERVICES, at, make_engine, snapshot
from motcua.i18n import t
from ticketd import estimates
from ticketd.engine import COUNTER_OPS
from ticketd.routing import queue_key
from ticketd.model import OUTCOMES, RATING_LEVELS, CounterStatus, EngineError, Policy, TicketState, format_number

SERVICE_CODES = [s.code for s in SERVICES]
COUNTER_IDS = [c.id for c in COUNTERS]
OFFICER_IDS = [o.id for o in OFFICERS]
ENGINE_CODES = {"bad_request", "unknown_service", "unknown_counter", "unknown_ticket", "service_closed",
                "quota_reached", "counter_closed", "not_allowed", "queue_empty", "duplicate_rating"}
ACTIVE = (TicketState.CALLED, TicketState.SERVING)

op_args = st.fixed_dictionaries({}, optional={
    "officer": st.sampled_from(OFFICER_IDS + ["nobody"]),
    "reason": st.sampled_from(["Nghỉ giữa giờ", "Họp"]),
    "outcome": st.sampled_from(list(OUTCOMES) + ["lost"]),
    "dossier": st.just("000.00.06.H56-261123-0001"),
    "to_service": st.sampled_from(SERVICE_CODES + ["XX"]),
    "to_counter": st.sampled_from(COUNTER_IDS + ["9"]),
})


class OfficeDay(RuleBasedStateMachine):
    @initialize(mode=st.sampled_from(["strict", "interleave"]), every=st.integers(1, 3),
                batch=st.lists(st.tuples(st.sampled_from(SERVICE_CODES), st.booleans()), max_size=12))
    def start(self, mode, every, batch):
        self.policy = Policy(priority_mode=mode, interleave_every=every, starvation_s=900, rating_window_s=300)
        self.engine = make_engine(self.policy)
        self.now = at(7, 30)
        self.issued_at = {}
        for counter, officer in zip(COUNTER_IDS, OFFICER_IDS):
            self.apply(self.engine.counter_op, counter, "open", {"officer": officer})
        for service, priority in batch:
            self.take(service, priority)

    # ----- running one operation -----

    def apply(self, fn, *args):
        label = args[1] if fn == self.engine.counter_op else fn.__name__
        before = snapshot(self.engine, self.now)
        try:
            result = fn(*args, self.now)
        except EngineError as err:
            event(f"{label}: {err.code}")
            assert err.code in ENGINE_CODES
            message = t(err.message_key, **err.params)
            assert message != err.message_key and "{" not in message
            assert snapshot(self.engine, self.now) == before, "a refusal changed state"
            return None
        event(f"{label}: ok")
        after = snapshot(self.engine, self.now)
        touched_tickets = {x.number for x in result.touched_tickets}
        changed = {n for n, row in after["tickets"].items() if before["tickets"].get(n) != row}
        assert changed <= touched_tickets
        assert all(self.engine.get_ticket(x.number) is x for x in result.touched_tickets)
        touched_counters = {c.id for c in result.touched_counters}
        for cid in COUNTER_IDS:
            if self._counter_view(before, cid) != self._counter_view(after, cid):
                assert cid in touched_counters, cid
        for code in SERVICE_CODES:
            if before["services"][code] != after["services"][code]:
                assert code in result.touched_services, code
        assert after["recent"][:len(result.calls)] == [astuple(c) for c in reversed(result.calls)]
        return result

    @staticmethod
    def _counter_view(snap, cid):
        """What the retained counter state shows: the counter and its current ticket."""
        state = snap["counters"][cid]
        current = state[3]
        return state, snap["tickets"].get(current) if current else None

    # ----- rules -----

    @rule(seconds=st.integers(0, 400))
    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)

    @rule(service=st.sampled_from(SERVICE_CODES * 3 + ["XX"]), priority=st.booleans())
    def take(self, service, priority):
        result = self.apply(self.engine.take, service, priority)
        if result is not None:
            number = result.ticket.number
            assert number not in self.issued_at, "number issued twice"
            self.issued_at[number] = result.ticket.issued_at

    @rule(counter=st.sampled_from(COUNTER_IDS), officer=st.sampled_from(OFFICER_IDS))
    def open(self, counter, officer):
        self.apply(self.engine.counter_op, counter, "open", {"officer": officer})

    def _pick_counter(self, data, with_current: bool) -> str | None:
        """A counter that is not closed (and, if asked, has a current ticket), so the step does something."""
        ids = [cid for cid, state in self.engine.counters.items()
               if state.status != CounterStatus.CLOSED and (state.current is not None or not with_current)]
        return data.draw(st.sampled_from(ids)) if ids else None

    @rule(data=st.data())
    def call_next(self, data):
        counter = self._pick_counter(data, with_current=False)
        if counter is None:
            return
        cdef = next(c for c in COUNTERS if c.id == counter)
        priority_waiting = any(
            x.state == TicketState.WAITING and x.priority
            and (x.target_counter == counter or (x.target_counter is None and x.service in cdef.services))
            for x in self.engine.tickets())
        result = self.apply(self.engine.counter_op, counter, "call_next", {})
        if result is not None and self.policy.priority_mode == "strict":
            assert result.ticket.priority or not priority_waiting, "plain ticket called before a priority one"

    @rule(op=st.sampled_from([("start", {}), ("recall", {}), ("no_show", {}), ("hold", {})]
                             + [("finish", {"outcome": o}) for o in OUTCOMES]
                             + [("transfer", {"to_service": code}) for code in SERVICE_CODES]
                             + [("transfer", {"to_counter": cid}) for cid in COUNTER_IDS]),
          data=st.data())
    def act_on_current(self, op, data):
        counter = self._pick_counter(data, with_current=True)
        if counter is not None:
            self.apply(self.engine.counter_op, counter, *op)

    @rule(counter=st.sampled_from(COUNTER_IDS), op=st.sampled_from(["close", "pause", "resume"]))
    def counter_status(self, counter, op):
        self.apply(self.engine.counter_op, counter, op, {})

    @rule(data=st.data())
    def call(self, data):
        counter = self._pick_counter(data, with_current=False)
        if counter is not None and self.issued_at:
            number = data.draw(st.sampled_from(sorted(self.issued_at)))
            self.apply(self.engine.counter_op, counter, "call", {"ticket": number})

    @rule(level=st.sampled_from(RATING_LEVELS), data=st.data())
    def rate_at_its_counter(self, level, data):
        done = sorted(x.number for x in self.engine.tickets() if x.state == TicketState.DONE)
        if done:
            ticket = self.engine.get_ticket(data.draw(st.sampled_from(done)))
            self.apply(self.engine.rate, ticket.counter, ticket.number, level, ["chờ lâu"], None)

    @rule(counter=st.sampled_from(COUNTER_IDS + ["9"]), op=st.sampled_from(COUNTER_OPS + ("dance",)),
          args=op_args, data=st.data())
    def counter_op(self, counter, op, args, data):
        if op == "call":
            numbers = sorted(self.issued_at) + ["A999"]
            args = dict(args, ticket=data.draw(st.sampled_from(numbers)))
        self.apply(self.engine.counter_op, counter, op, args)

    @rule(counter=st.sampled_from(COUNTER_IDS + ["9"]), level=st.sampled_from(RATING_LEVELS),
          reasons=st.sampled_from([[], ["chờ lâu"]]), data=st.data())
    def rate(self, counter, level, reasons, data):
        number = data.draw(st.sampled_from(sorted(self.issued_at) + ["A999"]))
        self.apply(self.engine.rate, counter, number, level, reasons, None)

    # ----- invariants -----

    @invariant()
    def numbers_are_contiguous_per_issuing_service(self):
        for sdef in SERVICES:
            seqs = sorted(x.seq for x in self.engine.tickets() if x.issued_service == sdef.code)
            assert seqs == list(range(1, len(seqs) + 1))
            assert self.engine.service_view(sdef.code, self.now)["issued_today"] == len(seqs)
        for ticket in self.engine.tickets():
            assert ticket.number == format_number(self.engine.services[ticket.issued_service].prefix, ticket.seq)
        assert {x.number for x in self.engine.tickets()} == set(self.issued_at)

    @invariant()
    def issue_times_never_change(self):
        for ticket in self.engine.tickets():
            assert ticket.issued_at == self.issued_at[ticket.number]

    @invariant()
    def currents_match_active_tickets(self):
        currents = [st.current for st in self.engine.counters.values() if st.current is not None]
        assert len(currents) == len(set(currents)), "a ticket is current at two counters"
        for cid, state in self.engine.counters.items():
            if state.current is not None:
                ticket = self.engine.get_ticket(state.current)
                assert ticket.state in ACTIVE and ticket.counter == cid
        active = {x.number for x in self.engine.tickets() if x.state in ACTIVE}
        assert active == set(currents)

    @invariant()
    def ticket_fields_fit_their_state(self):
        for ticket in self.engine.tickets():
            assert isinstance(ticket.state, TicketState)
            if ticket.state == TicketState.WAITING:
                assert ticket.counter is None and ticket.called_at is None
            if ticket.state == TicketState.HELD:
                assert ticket.held_by in COUNTER_IDS
            if ticket.state == TicketState.DONE:
                assert ticket.finished_at is not None and ticket.started_at is not None and ticket.counter
            if ticket.rated:
                assert ticket.state == TicketState.DONE

    @invariant()
    def counters_are_consistent(self):
        officers = [st.officer_id for st in self.engine.counters.values() if st.status != CounterStatus.CLOSED]
        assert None not in officers and len(officers) == len(set(officers))
        for state in self.engine.counters.values():
            if state.status == CounterStatus.CLOSED:
                assert state.officer_id is None and state.current is None

    @invariant()
    def hall_views_agree(self):
        waiting = sum(1 for x in self.engine.tickets() if x.state == TicketState.WAITING)
        assert self.engine.waiting_total() == waiting
        assert sum(self.engine.service_view(c, self.now)["waiting"] for c in SERVICE_CODES) == waiting
        assert len(self.engine.recent_calls()) <= 10
        for ticket in self.engine.tickets():
            assert self.engine.est_wait_s(ticket) >= 0 and 0 <= self.engine.ahead(ticket) < len(self.issued_at)

    def _ahead_by_scan(self, ticket, tickets):
        """Tickets called before ``ticket``, by replaying the calls of one counter serving its service."""
        if ticket.state != TicketState.WAITING:
            return 0
        queue = sorted((x for x in tickets if x.state == TicketState.WAITING and x.service == ticket.service),
                       key=queue_key)
        priority, plain = [x for x in queue if x.priority], [x for x in queue if not x.priority]
        since, called = 0, 0
        while True:
            take_priority = bool(priority) and (self.policy.priority_mode == "strict" or not plain
                                                or since >= self.policy.interleave_every)
            chosen = (priority if take_priority else plain).pop(0)
            since = 0 if chosen.priority else since + 1
            if chosen is ticket:
                return called
            called += 1

    @invariant()
    def indexed_views_match_a_full_scan(self):
        tickets = self.engine.tickets()
        for sdef in SERVICES:
            mine = [x for x in tickets if x.service == sdef.code]
            called = [(x.called_at, x.seq, x.number) for x in mine if x.called_at is not None]
            assert self.engine.service_view(sdef.code, self.now)["last_called"] == (max(called)[2] if called else None)
            done = sorted((x for x in mine if x.state == TicketState.DONE), key=lambda x: (x.finished_at, x.number))
            window = self.policy.estimate_window
            expected = estimates.mean_duration_s(done[-window:], sdef.avg_service_s)
            assert self.engine._index.mean_service_s(sdef.code, window, sdef.avg_service_s) == expected
        for ticket in tickets:
            assert self.engine.ahead(ticket) == self._ahead_by_scan(ticket, tickets)
        for cid in COUNTER_IDS:
            held = sorted((x for x in tickets if x.state == TicketState.HELD and x.held_by == cid),
                          key=lambda x: (x.issued_at, x.number))
            assert self.engine.held_by(cid) == [x.number for x in held]

    @invariant()
    def restoring_gives_the_same_views(self):
        if not hasattr(self, "engine"):
            return
        copy = make_engine(self.policy, tickets=self.engine.tickets(),
                           counter_states=self.engine.counters.values(), recent_calls=self.engine.recent_calls())
        assert snapshot(copy, self.now) == snapshot(self.engine, self.now)


OfficeDay.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow])
test_office_day = OfficeDay.TestCase
