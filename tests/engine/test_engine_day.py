"""The office day: the daily reset, and restoring a day from what the store keeps."""

from datetime import date, timedelta

from engine_office import at, make_engine, open_counter, snapshot
from ticketd.model import CounterStatus, Policy, TicketState

NEXT_DAY = date(2026, 11, 24)


def busy_engine(policy: Policy | None = None):
    """A morning with every kind of ticket state, transfers, weights and priorities in play."""
    engine = make_engine(policy)
    for counter, officer in (("1", "o1"), ("2", "o2"), ("3", "o3"), ("4", "o4")):
        open_counter(engine, counter, officer)
    clock = iter(at(8, 0) + timedelta(seconds=20 * i) for i in range(1000))
    for i in range(6):
        engine.take("HT", i % 3 == 0, next(clock))
        engine.take("CT", i == 4, next(clock))
        engine.take("CU", False, next(clock))
    engine.take("DD", False, next(clock))
    op = lambda counter, name, **args: engine.counter_op(counter, name, args, next(clock))
    op("1", "call_next"); op("1", "start")
    finished = op("1", "finish", outcome="received").ticket.number
    op("1", "call_next"); op("1", "transfer", to_service="CU")
    op("2", "call_next"); op("2", "start"); op("2", "hold")
    op("2", "call_next"); op("2", "no_show")
    op("3", "call_next"); op("3", "call_next"); op("3", "start")
    op("4", "call_next"); op("4", "transfer", to_counter="3")
    op("1", "call_next"); op("1", "recall")
    op("2", "pause", reason="Họp")
    engine.rate("1", finished, "satisfied", [], None, next(clock))
    return engine, next(clock)


def restored(engine, policy: Policy | None = None):
    return make_engine(policy, tickets=engine.tickets(), counter_states=list(engine.counters.values()),
                       recent_calls=engine.recent_calls())


def test_restoring_from_the_store_gives_the_same_views():
    for policy in (Policy(), Policy(priority_mode="interleave", interleave_every=2)):
        engine, now = busy_engine(policy)
        copy = restored(engine, policy)
        assert snapshot(copy, now) == snapshot(engine, now)
        # and both keep behaving the same
        for counter in ("1", "3"):
            a = engine.counter_op(counter, "call_next", {}, now)
            b = copy.counter_op(counter, "call_next", {}, now)
            assert a.ticket.number == b.ticket.number
        assert engine.take("HT", False, now).ticket.number == copy.take("HT", False, now).ticket.number
        assert snapshot(copy, now) == snapshot(engine, now)


def test_restored_engine_does_not_share_objects_with_its_source():
    engine, now = busy_engine()
    before = snapshot(engine, now)
    copy = restored(engine)
    copy.counter_op("3", "call_next", {}, now)
    copy.counter_op("1", "finish", {}, now)
    copy.take("CT", True, now)
    assert snapshot(engine, now) == before


def test_restore_accepts_recent_calls_in_any_order_and_keeps_ten():
    engine, now = busy_engine()
    for i in range(12):
        engine.counter_op("1", "recall", {}, now + timedelta(seconds=i))
    copy = make_engine(tickets=engine.tickets(), counter_states=engine.counters.values(),
                       recent_calls=list(reversed(engine.recent_calls())))
    assert copy.recent_calls() == engine.recent_calls()


def test_counters_missing_from_the_store_start_closed():
    engine, _ = busy_engine()
    copy = make_engine(tickets=engine.tickets(), counter_states=[engine.counters["1"]])
    assert copy.counters["1"].status == CounterStatus.OPEN
    assert copy.counters["2"].status == CounterStatus.CLOSED and copy.counters["2"].officer_id is None


def test_start_day_hands_back_the_old_day_and_starts_fresh():
    engine, _ = busy_engine()
    before = engine.tickets()
    old = engine.start_day(NEXT_DAY)
    assert old == before and {t.state for t in old} >= {TicketState.DONE, TicketState.WAITING, TicketState.HELD}
    assert engine.day == NEXT_DAY
    assert engine.tickets() == [] and engine.recent_calls() == [] and engine.serving() == []
    assert engine.waiting_total() == 0
    assert all((st.status, st.officer_id, st.current, st.credits, st.since_priority)
               == (CounterStatus.CLOSED, None, None, {}, 0) for st in engine.counters.values())
    morning = at(7, 45, day=NEXT_DAY)
    for code, sdef in engine.services.items():
        assert engine.service_view(code, morning) == {
            "open": True, "waiting": 0, "est_wait_s": sdef.avg_service_s, "last_called": None, "issued_today": 0}
    assert engine.take("HT", False, morning).ticket.number == "A001"
    assert engine.take("DD", False, morning).ticket.number == "D001"  # yesterday's quota is gone
