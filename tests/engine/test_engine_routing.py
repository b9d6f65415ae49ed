"""Which ticket a counter calls: age order, priorities (strict, interleave), weights and starvation."""

from datetime import timedelta

from hypothesis import given, settings, strategies as st

from engine_office import COUNTERS, at, make_engine, open_counter, refused
from ticketd.model import CounterDef, EngineError, Policy


def call_all(engine, counter, start=None):
    """Call_next until the queue is empty; the numbers in call order."""
    start = start or at(8, 30)
    numbers = []
    for i in range(1000):
        try:
            result = engine.counter_op(counter, "call_next", {}, start + timedelta(seconds=i))
        except EngineError as err:
            assert err.code == "queue_empty"
            return numbers
        numbers.append(result.ticket.number)
    raise AssertionError("queue never emptied")


def test_oldest_first_across_the_counters_services():
    engine = make_engine()
    open_counter(engine, "2", "o2")
    engine.take("HT", False, at(8, 0))
    engine.take("CT", False, at(8, 1))
    engine.take("HT", False, at(8, 2))
    engine.take("CU", False, at(7, 59))  # not served at counter 2
    assert call_all(engine, "2") == ["A001", "B001", "A002"]


def test_equal_issue_times_break_ties_by_seq():
    engine = make_engine()
    open_counter(engine, "2", "o2")
    engine.take("HT", False, at(8, 0))
    engine.take("HT", False, at(8, 1))
    engine.take("CT", False, at(8, 1))
    assert call_all(engine, "2") == ["A001", "B001", "A002"]


def test_strict_priority_goes_before_every_plain_ticket_of_the_counter():
    engine = make_engine()
    open_counter(engine, "2", "o2")
    engine.take("HT", False, at(8, 0))
    engine.take("CT", False, at(8, 1))
    engine.take("CT", True, at(8, 2))
    engine.take("HT", True, at(8, 3))
    assert call_all(engine, "2") == ["B002", "A002", "A001", "B001"]


def test_interleave_calls_one_priority_after_every_n_others():
    engine = make_engine(Policy(priority_mode="interleave", interleave_every=2))
    open_counter(engine, "1", "o1")
    for i in range(6):
        engine.take("HT", False, at(8, i))
    for i in range(3):
        engine.take("HT", True, at(8, 10 + i))  # A007..A009
    order = call_all(engine, "1")
    assert order == ["A001", "A002", "A007", "A003", "A004", "A008", "A005", "A006", "A009"]


def test_interleave_calls_priority_when_no_plain_ticket_waits_and_remembers_the_count():
    engine = make_engine(Policy(priority_mode="interleave", interleave_every=3))
    open_counter(engine, "1", "o1")
    engine.take("HT", True, at(8, 0))
    engine.take("HT", True, at(8, 1))
    engine.take("HT", False, at(8, 2))
    assert engine.counter_op("1", "call_next", {}, at(8, 5)).ticket.number == "A003"
    assert engine.counters["1"].since_priority == 1
    assert call_all(engine, "1") == ["A001", "A002"]
    assert engine.counters["1"].since_priority == 0


def test_weights_share_calls_three_to_one():
    engine = make_engine()
    open_counter(engine, "3", "o3")
    for i in range(9):
        engine.take("CT", False, at(8, 0, i))
    for i in range(3):
        engine.take("CU", False, at(8, 0, 30 + i))
    services = [n[0] for n in call_all(engine, "3", at(8, 5))]
    assert services == list("BBCB" * 3)  # CU gets every fourth call


def test_a_ticket_waiting_past_the_starvation_limit_goes_first():
    heavy = [CounterDef("3", "Quầy 3", ["CT", "CU"], weights={"CT": 10, "CU": 1})]
    outcomes = {}
    for second_call in (at(8, 29, 59), at(8, 30, 1)):
        engine = make_engine(Policy(starvation_s=1800), counters=heavy)
        open_counter(engine, "3", "o3")
        engine.take("CU", False, at(8, 0))
        for i in range(5):
            engine.take("CT", False, at(8, 5, i))
        assert engine.counter_op("3", "call_next", {}, at(8, 10)).ticket.number == "B001"
        outcomes[second_call] = engine.counter_op("3", "call_next", {}, second_call).ticket.number
    assert outcomes == {at(8, 29, 59): "B002", at(8, 30, 1): "C001"}


def test_starvation_guard_picks_the_oldest_overdue_ticket():
    engine = make_engine(Policy(starvation_s=600))
    open_counter(engine, "3", "o3")
    engine.take("CU", False, at(8, 0))
    engine.take("CT", False, at(8, 1))
    engine.take("CU", False, at(8, 2))
    assert call_all(engine, "3", at(9, 0)) == ["C001", "B001", "C002"]


@settings(max_examples=25, deadline=None)
@given(w_ct=st.integers(1, 5), w_cu=st.integers(1, 5))
def test_each_service_gets_exactly_its_weight_per_cycle(w_ct, w_cu):
    counters = [CounterDef("3", "Quầy 3", ["CT", "CU"], weights={"CT": w_ct, "CU": w_cu})]
    engine = make_engine(counters=counters)
    open_counter(engine, "3", "o3")
    cycle = w_ct + w_cu
    for i in range(2 * cycle):
        engine.take("CT", False, at(8, 0, i))
        engine.take("CU", False, at(8, 0, i))
    order = [engine.counter_op("3", "call_next", {}, at(8, 5, i)).ticket.service for i in range(2 * cycle)]
    for start in (0, cycle):
        window = order[start:start + cycle]
        assert (window.count("CT"), window.count("CU")) == (w_ct, w_cu)


def test_weights_apply_within_the_priority_class():
    engine = make_engine()
    open_counter(engine, "3", "o3")
    engine.take("CT", False, at(8, 0))
    engine.take("CU", True, at(8, 1))
    engine.take("CT", True, at(8, 2))
    engine.take("CU", False, at(8, 3))
    # priority first despite CT's weight; CT's weight picks among the priority ones
    assert call_all(engine, "3", at(8, 5)) == ["B002", "C001", "B001", "C002"]


def test_weights_let_the_other_service_continue_alone():
    engine = make_engine()
    open_counter(engine, "3", "o3")
    for i in range(2):
        engine.take("CT", False, at(8, 0, i))
    for i in range(4):
        engine.take("CU", False, at(8, 1, i))
    assert [n[0] for n in call_all(engine, "3", at(8, 5))] == list("BBCCCC")


def test_transferred_priority_ticket_keeps_its_place():
    engine = make_engine()
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    engine.take("HT", True, at(8, 0))
    engine.take("CT", False, at(7, 50))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "transfer", {"to_service": "CT"}, at(8, 6))
    engine.take("CT", True, at(8, 7))
    assert call_all(engine, "2") == ["A001", "B002", "B001"]


def test_a_closed_or_unconfigured_service_leaves_the_counter_empty():
    engine = make_engine()
    open_counter(engine, "4", "o4")
    engine.take("HT", False, at(8, 0))
    refused("queue_empty", engine.counter_op, "4", "call_next", {}, at(8, 1))
    assert COUNTERS[3].services == ["DD"]
