"""People ahead, estimated waits and the service view."""

from datetime import timedelta

from hypothesis import given, settings, strategies as st

from engine_office import at, make_engine, open_counter
from ticketd.model import Policy, TicketState


def test_ahead_counts_same_service_tickets_called_before_under_strict():
    engine = make_engine()
    a1 = engine.take("HT", False, at(8, 0)).ticket
    engine.take("CT", False, at(8, 1))
    a2 = engine.take("HT", False, at(8, 2)).ticket
    a3 = engine.take("HT", True, at(8, 3)).ticket
    a4 = engine.take("HT", True, at(8, 4)).ticket
    assert [engine.ahead(t) for t in (a1, a2, a3, a4)] == [2, 3, 0, 1]


def test_ahead_and_wait_are_zero_once_called():
    engine = make_engine()
    open_counter(engine, "1", "o1")
    a1 = engine.take("HT", False, at(8, 0)).ticket
    engine.counter_op("1", "call_next", {}, at(8, 1))
    assert (engine.ahead(a1), engine.est_wait_s(a1)) == (0, 0)


def test_wait_uses_the_configured_average_shared_by_open_counters():
    engine = make_engine()
    tickets = [engine.take("HT", False, at(8, i)).ticket for i in range(4)]
    # no counter open yet: counted as one; HT averages 480 s
    assert [engine.est_wait_s(t) for t in tickets] == [480, 960, 1440, 1920]
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    open_counter(engine, "4", "o4")  # does not serve HT
    assert engine.est_wait_s(tickets[3]) == 960
    engine.counter_op("2", "pause", {}, at(8, 10))  # paused still counts as open
    assert engine.est_wait_s(tickets[3]) == 960
    engine.counter_op("2", "resume", {}, at(8, 11))
    engine.counter_op("2", "close", {}, at(8, 12))
    assert engine.est_wait_s(tickets[3]) == 1920


def test_wait_learns_from_todays_service_times():
    engine = make_engine(Policy(estimate_window=2))
    open_counter(engine, "1", "o1")
    for i in range(5):
        engine.take("HT", False, at(8, 0, i))
    # A001: started, 600 s of service; A002: finished while called, 300 s from the call
    engine.counter_op("1", "call_next", {}, at(8, 1))
    engine.counter_op("1", "start", {}, at(8, 2))
    engine.counter_op("1", "finish", {}, at(8, 12))
    engine.counter_op("1", "call_next", {}, at(8, 13))
    engine.counter_op("1", "finish", {}, at(8, 18))
    last = engine.get_ticket("A005")
    assert engine.ahead(last) == 2
    assert engine.est_wait_s(last) == 3 * 450
    # window 2: a third service time of 60 s pushes out the first
    engine.counter_op("1", "call_next", {}, at(8, 20))
    engine.counter_op("1", "start", {}, at(8, 20))
    engine.counter_op("1", "finish", {}, at(8, 21))
    assert engine.est_wait_s(last) == 2 * 180


def test_no_show_tickets_do_not_count_as_service_times():
    engine = make_engine()
    open_counter(engine, "1", "o1")
    engine.take("HT", False, at(8, 0))
    engine.take("HT", False, at(8, 0, 1))
    engine.counter_op("1", "call_next", {}, at(8, 1))
    engine.counter_op("1", "no_show", {}, at(8, 3))
    assert engine.service_view("HT", at(8, 4))["est_wait_s"] == 480 * 2


def test_service_view():
    engine = make_engine()
    view = engine.service_view("HT", at(8, 0))
    assert view == {"open": True, "waiting": 0, "est_wait_s": 480, "last_called": None, "issued_today": 0}
    open_counter(engine, "1", "o1")
    for i in range(3):
        engine.take("HT", False, at(8, i))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "call_next", {}, at(8, 6))
    view = engine.service_view("HT", at(12, 0))
    assert view == {"open": False, "waiting": 1, "est_wait_s": 960, "last_called": "A002", "issued_today": 3}
    assert engine.waiting_total() == 1


def test_last_called_follows_the_ticket_into_its_new_service():
    engine = make_engine()
    open_counter(engine, "1", "o1")
    open_counter(engine, "3", "o3")
    engine.take("HT", False, at(8, 0))
    engine.take("HT", False, at(8, 1))
    engine.counter_op("1", "call_next", {}, at(8, 2))
    engine.counter_op("1", "call_next", {}, at(8, 3))
    engine.counter_op("1", "transfer", {"to_service": "CU"}, at(8, 4))
    assert engine.service_view("HT", at(8, 5))["last_called"] == "A001"
    assert engine.service_view("CU", at(8, 5))["last_called"] is None
    engine.counter_op("3", "call_next", {}, at(8, 6))
    assert engine.service_view("CU", at(8, 7))["last_called"] == "A002"


@settings(max_examples=40, deadline=None)
@given(flags=st.lists(st.booleans(), min_size=1, max_size=14),
       mode=st.sampled_from(["strict", "interleave"]), every=st.integers(1, 4))
def test_ahead_predicts_the_call_order_of_a_single_counter(flags, mode, every):
    engine = make_engine(Policy(priority_mode=mode, interleave_every=every))
    open_counter(engine, "1", "o1")
    tickets = [engine.take("HT", priority, at(8, 0) + timedelta(seconds=i)).ticket
               for i, priority in enumerate(flags)]
    predicted = {t.number: engine.ahead(t) for t in tickets}
    order = [engine.counter_op("1", "call_next", {}, at(9, 0) + timedelta(seconds=i)).ticket.number
             for i in range(len(tickets))]
    assert {number: order.index(number) for number in order} == predicted
    assert all(t.state in (TicketState.CALLED, TicketState.NO_SHOW) for t in tickets)
