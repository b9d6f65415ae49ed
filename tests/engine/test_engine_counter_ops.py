"""Counter operations: every op, its effects, what it touches, and every refusal."""

from datetime import timedelta

import pytest

from engine_office import at, make_engine, open_counter, refused
from motcua.i18n import t
from ticketd.engine import COUNTER_OPS
from ticketd.model import CounterStatus, Policy, TicketState


@pytest.fixture
def engine():
    return make_engine()


def issue(engine, service, count, start=None, priority=False):
    start = start or at(8, 0)
    return [engine.take(service, priority, start + timedelta(seconds=i)).ticket for i in range(count)]


# ----- open / close / pause / resume -------------------------------------------------------------

def test_every_counter_starts_closed(engine):
    assert set(engine.counters) == {"1", "2", "3", "4"}
    assert all(st.status == CounterStatus.CLOSED and st.officer_id is None and st.current is None
               for st in engine.counters.values())


def test_open_sets_officer_and_touches_the_served_services(engine):
    result = open_counter(engine, "2", "o2")
    assert result.counter is engine.counters["2"]
    assert (result.counter.status, result.counter.officer_id) == (CounterStatus.OPEN, "o2")
    assert result.touched_counters == [engine.counters["2"]] and result.touched_services == {"HT", "CT"}


@pytest.mark.parametrize("args, key", [
    ({}, "errors.bad_request_officer_required"),
    ({"officer": ""}, "errors.bad_request_officer_required"),
    ({"officer": "nobody"}, "errors.bad_request_unknown_officer"),
    ({"officer": 7}, "errors.bad_request_field"),
])
def test_open_needs_a_configured_officer(engine, args, key):
    err = refused("bad_request", engine.counter_op, "1", "open", args, at(7, 30))
    assert err.message_key == key
    assert engine.counters["1"].status == CounterStatus.CLOSED


@pytest.mark.parametrize("other_status", ["open", "paused"])
def test_an_officer_works_at_one_counter_at_a_time(engine, other_status):
    open_counter(engine, "1", "o1")
    if other_status == "paused":
        engine.counter_op("1", "pause", {}, at(7, 31))
    err = refused("not_allowed", open_counter, engine, "2", "o1")
    assert t(err.message_key, **err.params) == (
        "Cán bộ Nguyễn Thị Hoa đang làm việc tại Quầy 1; hãy đóng quầy đó trước.")
    engine.counter_op("1", "close", {}, at(7, 32))
    assert open_counter(engine, "2", "o1").counter.officer_id == "o1"


def test_open_again_switches_officer_and_reopens_a_paused_counter(engine):
    open_counter(engine, "1", "o1")
    engine.counter_op("1", "pause", {"reason": "Họp giao ban"}, at(9, 0))
    result = open_counter(engine, "1", "o3", at(9, 5))
    assert (result.counter.status, result.counter.officer_id, result.counter.paused_reason) == (
        CounterStatus.OPEN, "o3", None)
    assert result.touched_services == set()  # the number of open counters did not change
    assert open_counter(engine, "1", "o3", at(9, 6)).counter.officer_id == "o3"


def test_close_clears_officer_and_refuses_with_a_current_ticket(engine):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    err = refused("not_allowed", engine.counter_op, "1", "close", {}, at(8, 6))
    assert err.message_key == "errors.not_allowed_close_with_ticket" and err.params == {"number": "A001"}
    engine.counter_op("1", "finish", {}, at(8, 10))
    result = engine.counter_op("1", "close", {}, at(8, 11))
    assert (result.counter.status, result.counter.officer_id) == (CounterStatus.CLOSED, None)
    assert result.touched_services == {"HT"}


@pytest.mark.parametrize("op", [op for op in COUNTER_OPS if op != "open"])
def test_every_op_but_open_is_refused_on_a_closed_counter(engine, op):
    err = refused("counter_closed", engine.counter_op, "1", op, {}, at(8, 0))
    assert t(err.message_key, **err.params) == "Quầy 1 đang đóng; hãy mở quầy trước."


def test_pause_and_resume(engine):
    open_counter(engine, "1", "o1")
    result = engine.counter_op("1", "pause", {"reason": " Nghỉ giữa giờ "}, at(9, 0))
    assert (result.counter.status, result.counter.paused_reason) == (CounterStatus.PAUSED, "Nghỉ giữa giờ")
    assert result.touched_counters == [engine.counters["1"]] and result.touched_services == set()
    refused("not_allowed", engine.counter_op, "1", "pause", {}, at(9, 1))
    result = engine.counter_op("1", "resume", {}, at(9, 10))
    assert (result.counter.status, result.counter.paused_reason) == (CounterStatus.OPEN, None)
    refused("not_allowed", engine.counter_op, "1", "resume", {}, at(9, 11))
    refused("bad_request", engine.counter_op, "1", "pause", {"reason": 3}, at(9, 12))


def test_a_paused_counter_cannot_call_but_can_finish_its_ticket(engine):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 3)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    engine.counter_op("1", "pause", {}, at(8, 7))
    for op, args in (("call_next", {}), ("call", {"ticket": "A003"})):
        err = refused("not_allowed", engine.counter_op, "1", op, args, at(8, 8))
        assert err.message_key == "errors.not_allowed_paused"
    assert engine.counter_op("1", "finish", {"outcome": "advised"}, at(8, 9)).ticket.state == TicketState.DONE


def test_unknown_counter_and_unknown_op(engine):
    refused("unknown_counter", engine.counter_op, "9", "open", {"officer": "o1"}, at(8, 0))
    open_counter(engine, "1", "o1")
    err = refused("bad_request", engine.counter_op, "1", "dance", {}, at(8, 0))
    assert t(err.message_key, **err.params) == "Thao tác không hợp lệ: dance."
    refused("bad_request", engine.counter_op, "1", "call_next", ["not", "a", "dict"], at(8, 0))


# ----- call_next ---------------------------------------------------------------------------------

def test_call_next_calls_the_oldest_and_records_the_call(engine):
    open_counter(engine, "1", "o1")
    a1, _ = issue(engine, "HT", 2)
    result = engine.counter_op("1", "call_next", {}, at(8, 5))
    assert result.ticket is a1 and a1.state == TicketState.CALLED
    assert (a1.counter, a1.called_at, a1.officer_id) == ("1", at(8, 5), "o1")
    assert engine.counters["1"].current == "A001"
    [call] = result.calls
    assert (call.number, call.counter, call.service, call.recall, call.at) == ("A001", "1", "HT", False, at(8, 5))
    assert engine.recent_calls() == [call]
    assert result.touched_tickets == [a1] and result.touched_counters == [engine.counters["1"]]
    assert result.touched_services == {"HT"} and result.rate_request is None
    assert engine.serving() == [("1", "A001", "HT")]


def test_call_next_on_an_empty_queue_changes_nothing(engine):
    open_counter(engine, "1", "o1")
    [a1] = issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    err = refused("queue_empty", engine.counter_op, "1", "call_next", {}, at(8, 6))
    assert t(err.message_key, **err.params) == "Không còn số nào đang chờ tại Quầy 1."
    assert a1.state == TicketState.CALLED and engine.counters["1"].current == "A001"
    assert len(engine.recent_calls()) == 1


def test_call_next_turns_a_called_ticket_into_no_show(engine):
    open_counter(engine, "1", "o1")
    a1, a2 = issue(engine, "HT", 2)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "call_next", {}, at(8, 7))
    assert a1.state == TicketState.NO_SHOW and a2.state == TicketState.CALLED
    assert result.ticket is a2 and result.rate_request is None
    assert result.touched_tickets == [a1, a2]


def test_call_next_finishes_a_serving_ticket_and_asks_for_a_rating(engine):
    open_counter(engine, "1", "o1")
    a1, a2 = issue(engine, "HT", 2)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    result = engine.counter_op("1", "call_next", {}, at(8, 15))
    assert (a1.state, a1.finished_at, a1.outcome) == (TicketState.DONE, at(8, 15), None)
    assert result.touched_tickets == [a1, a2]
    rr = result.rate_request
    assert (rr.counter, rr.ticket, rr.officer_id, rr.expires_at) == ("1", "A001", "o1", at(8, 25))


# ----- call --------------------------------------------------------------------------------------

def test_call_a_specific_waiting_ticket_out_of_order(engine):
    open_counter(engine, "1", "o1")
    tickets = issue(engine, "HT", 3)
    result = engine.counter_op("1", "call", {"ticket": "A003"}, at(8, 5))
    assert result.ticket is tickets[2] and tickets[2].state == TicketState.CALLED
    assert tickets[0].state == TicketState.WAITING


def test_call_brings_back_a_held_ticket_and_a_late_citizen(engine):
    open_counter(engine, "1", "o1")
    a1, a2 = issue(engine, "HT", 2)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    engine.counter_op("1", "hold", {}, at(8, 7))
    engine.counter_op("1", "call_next", {}, at(8, 8))
    engine.counter_op("1", "no_show", {}, at(8, 10))
    result = engine.counter_op("1", "call", {"ticket": "A001"}, at(8, 20))
    assert (a1.state, a1.held_by, a1.started_at, a1.called_at) == (TicketState.CALLED, None, None, at(8, 20))
    assert result.touched_tickets == [a1]
    # the late citizen of A002 comes back: A001 (called, not started) becomes no_show first
    result = engine.counter_op("1", "call", {"ticket": "A002"}, at(8, 25))
    assert a2.state == TicketState.CALLED and a1.state == TicketState.NO_SHOW
    assert result.touched_tickets == [a1, a2]


def test_call_refusals(engine):
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    a3 = issue(engine, "HT", 3)[2]
    engine.counter_op("2", "call", {"ticket": "A001"}, at(8, 5))
    engine.counter_op("2", "hold", {}, at(8, 6))
    err = refused("not_allowed", engine.counter_op, "1", "call", {"ticket": "A001"}, at(8, 7))
    assert t(err.message_key, **err.params) == "Số A001 đang được tạm giữ tại Quầy 2."
    engine.counter_op("2", "call", {"ticket": "A002"}, at(8, 8))
    err = refused("not_allowed", engine.counter_op, "1", "call", {"ticket": "A002"}, at(8, 9))
    assert err.message_key == "errors.not_allowed_ticket_busy"
    engine.counter_op("2", "finish", {}, at(8, 10))
    err = refused("not_allowed", engine.counter_op, "1", "call", {"ticket": "A002"}, at(8, 11))
    assert err.message_key == "errors.not_allowed_ticket_finished"
    refused("unknown_ticket", engine.counter_op, "1", "call", {"ticket": "A999"}, at(8, 12))
    refused("bad_request", engine.counter_op, "1", "call", {}, at(8, 12))
    refused("bad_request", engine.counter_op, "1", "call", {"ticket": 3}, at(8, 12))
    assert a3.state == TicketState.WAITING and engine.counters["1"].current is None


# ----- recall / start / finish / no_show / hold --------------------------------------------------

def test_recall_announces_again_and_changes_nothing(engine):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 1)
    refused("not_allowed", engine.counter_op, "1", "recall", {}, at(8, 4))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    for when, state in ((at(8, 6), TicketState.CALLED), (at(8, 8), TicketState.SERVING)):
        if state == TicketState.SERVING:
            engine.counter_op("1", "start", {}, at(8, 7))
        result = engine.counter_op("1", "recall", {}, when)
        [call] = result.calls
        assert (call.number, call.recall, call.at) == ("A001", True, when)
        assert result.ticket.state == state
        assert result.touched_tickets == [] and result.touched_counters == [] and result.touched_services == set()
    assert [c.recall for c in engine.recent_calls()] == [True, True, False]


def test_start_moves_called_to_serving(engine):
    open_counter(engine, "1", "o1")
    [a1] = issue(engine, "HT", 1)
    refused("not_allowed", engine.counter_op, "1", "start", {}, at(8, 4))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "start", {}, at(8, 6))
    assert (a1.state, a1.started_at) == (TicketState.SERVING, at(8, 6))
    assert result.touched_tickets == [a1] and result.touched_counters == [engine.counters["1"]]
    err = refused("not_allowed", engine.counter_op, "1", "start", {}, at(8, 7))
    assert err.message_key == "errors.not_allowed_already_serving"


def test_finish_a_serving_ticket(engine):
    open_counter(engine, "1", "o1")
    [a1] = issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    result = engine.counter_op("1", "finish", {"outcome": "received", "dossier": "000.00.06.H56-261123-0001"},
                               at(8, 20))
    assert (a1.state, a1.finished_at, a1.outcome, a1.dossier) == (
        TicketState.DONE, at(8, 20), "received", "000.00.06.H56-261123-0001")
    assert a1.started_at == at(8, 6) and a1.counter == "1"
    assert engine.counters["1"].current is None and engine.serving() == []
    assert result.touched_tickets == [a1] and result.touched_counters == [engine.counters["1"]]
    assert result.touched_services == {"HT"}
    assert result.rate_request.expires_at == at(8, 30) and result.rate_request.officer_id == "o1"


def test_finish_a_called_ticket_counts_from_the_call(engine):
    engine = make_engine(Policy(rating_window_s=120))
    open_counter(engine, "1", "o1")
    [a1] = issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "finish", {}, at(8, 9))
    assert (a1.outcome, a1.started_at, a1.dossier) == ("other", at(8, 5), None)
    assert result.rate_request.expires_at == at(8, 11)


def test_finish_refusals(engine):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 1)
    refused("not_allowed", engine.counter_op, "1", "finish", {}, at(8, 4))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    err = refused("bad_request", engine.counter_op, "1", "finish", {"outcome": "lost"}, at(8, 6))
    assert t(err.message_key, **err.params) == "Kết quả xử lý không hợp lệ: lost."
    refused("bad_request", engine.counter_op, "1", "finish", {"dossier": 12}, at(8, 6))
    assert engine.get_ticket("A001").state == TicketState.CALLED


def test_no_show_only_for_a_called_ticket(engine):
    open_counter(engine, "1", "o1")
    a1, _ = issue(engine, "HT", 2)
    refused("not_allowed", engine.counter_op, "1", "no_show", {}, at(8, 4))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "no_show", {}, at(8, 8))
    assert a1.state == TicketState.NO_SHOW and engine.counters["1"].current is None
    assert result.touched_tickets == [a1] and result.touched_counters == [engine.counters["1"]]
    engine.counter_op("1", "call_next", {}, at(8, 9))
    engine.counter_op("1", "start", {}, at(8, 10))
    err = refused("not_allowed", engine.counter_op, "1", "no_show", {}, at(8, 11))
    assert err.message_key == "errors.not_allowed_no_show_serving"


def test_hold_parks_the_ticket_and_call_next_skips_it(engine):
    open_counter(engine, "1", "o1")
    a1, a2 = issue(engine, "HT", 2)
    refused("not_allowed", engine.counter_op, "1", "hold", {}, at(8, 4))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "hold", {}, at(8, 6))
    assert (a1.state, a1.held_by) == (TicketState.HELD, "1") and engine.counters["1"].current is None
    assert result.touched_tickets == [a1]
    assert engine.counter_op("1", "call_next", {}, at(8, 7)).ticket is a2
    engine.counter_op("1", "finish", {}, at(8, 8))
    refused("queue_empty", engine.counter_op, "1", "call_next", {}, at(8, 9))


# ----- transfer ----------------------------------------------------------------------------------

def test_transfer_to_a_service_keeps_number_and_issue_time(engine):
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    [a1] = issue(engine, "HT", 1, at(8, 0))
    engine.take("CT", False, at(8, 10))  # B001, issued after A001
    engine.counter_op("1", "call_next", {}, at(8, 12))
    engine.counter_op("1", "start", {}, at(8, 13))
    result = engine.counter_op("1", "transfer", {"to_service": "CT"}, at(8, 20))
    assert (a1.number, a1.issued_at, a1.service, a1.issued_service) == ("A001", at(8, 0), "CT", "HT")
    assert (a1.state, a1.transfers, a1.transferred_from, a1.counter, a1.target_counter) == (
        TicketState.WAITING, 1, "1", None, None)
    assert engine.counters["1"].current is None
    assert result.touched_tickets == [a1] and result.touched_counters == [engine.counters["1"]]
    assert result.touched_services == {"HT", "CT"}
    assert engine.service_view("CT", at(8, 20))["waiting"] == 2
    # counter 3 (CT, CU) calls the transferred ticket before B001, issued later
    open_counter(engine, "3", "o3")
    assert engine.counter_op("3", "call_next", {}, at(8, 21)).ticket is a1
    assert engine.counter_op("3", "call_next", {}, at(8, 22)).ticket.number == "B001"


def test_transfer_to_a_counter_is_called_only_there(engine):
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    open_counter(engine, "4", "o4")
    [a1] = issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    result = engine.counter_op("1", "transfer", {"to_counter": "4"}, at(8, 6))
    assert (a1.state, a1.service, a1.target_counter) == (TicketState.WAITING, "HT", "4")
    assert result.touched_services == {"HT"}
    refused("queue_empty", engine.counter_op, "1", "call_next", {}, at(8, 7))
    refused("queue_empty", engine.counter_op, "2", "call_next", {}, at(8, 7))
    assert engine.counter_op("4", "call_next", {}, at(8, 8)).ticket is a1


@pytest.mark.parametrize("args, code", [
    ({}, "bad_request"),
    ({"to_service": "CT", "to_counter": "2"}, "bad_request"),
    ({"to_service": 5}, "bad_request"),
    ({"to_service": "XX"}, "unknown_service"),
    ({"to_counter": "99"}, "unknown_counter"),
])
def test_transfer_refusals(engine, args, code):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 1)
    engine.counter_op("1", "call_next", {}, at(8, 5))
    refused(code, engine.counter_op, "1", "transfer", args, at(8, 6))
    assert engine.get_ticket("A001").state == TicketState.CALLED


def test_transfer_needs_a_current_ticket(engine):
    open_counter(engine, "1", "o1")
    err = refused("not_allowed", engine.counter_op, "1", "transfer", {"to_service": "CT"}, at(8, 6))
    assert t(err.message_key, **err.params) == "Quầy 1 chưa có số nào đang gọi hoặc đang phục vụ."


# ----- recent calls ------------------------------------------------------------------------------

def test_recent_calls_keep_the_last_ten_newest_first(engine):
    open_counter(engine, "1", "o1")
    issue(engine, "HT", 12)
    for i in range(12):
        engine.counter_op("1", "call_next", {}, at(9, i))
    engine.counter_op("1", "recall", {}, at(9, 30))
    recent = engine.recent_calls()
    assert len(recent) == 10
    assert [c.number for c in recent] == ["A012", "A012"] + [f"A{n:03d}" for n in range(11, 3, -1)]
    assert recent[0].recall and not recent[1].recall
