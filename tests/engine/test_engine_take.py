"""Issuing numbers: format, per-service sequences, opening hours, quotas."""

from datetime import date, timedelta

import pytest

from engine_office import SERVICES, at, make_engine, refused
from motcua.i18n import t
from ticketd.model import ServiceDef, Ticket, TicketState


def test_numbers_are_prefix_and_per_service_sequence():
    engine = make_engine()
    codes = ["HT", "HT", "CT", "HT", "CT", "CU"]
    numbers = [engine.take(code, False, at(8, 0, i)).ticket.number for i, code in enumerate(codes)]
    assert numbers == ["A001", "A002", "B001", "A003", "B002", "C001"]


def test_take_returns_a_waiting_ticket_and_touches_it_and_its_service():
    engine = make_engine()
    result = engine.take("CT", True, at(9, 15))
    ticket = result.ticket
    assert (ticket.service, ticket.issued_service, ticket.seq, ticket.priority) == ("CT", "CT", 1, True)
    assert ticket.state == TicketState.WAITING and ticket.issued_at == at(9, 15) and ticket.counter is None
    assert result.touched_tickets == [ticket] and result.touched_services == {"CT"}
    assert result.touched_counters == [] and result.calls == []
    assert engine.get_ticket("B001") is ticket


def test_sequence_continues_from_restored_tickets_and_pads_past_999():
    restored = [Ticket("B999", "CT", "CT", 999, False, TicketState.DONE, at(7, 40))]
    engine = make_engine(tickets=restored)
    assert engine.take("CT", False, at(8, 0)).ticket.number == "B1000"
    assert engine.take("HT", False, at(8, 0)).ticket.number == "A001"


def test_unknown_service():
    err = refused("unknown_service", make_engine().take, "XX", False, at(8, 0))
    assert "XX" in t(err.message_key, **err.params)


@pytest.mark.parametrize("when, is_open", [
    (at(7, 29, 59), False),
    (at(7, 30), True),
    (at(11, 14, 59), True),
    (at(11, 15), False),
    (at(12, 0), False),
    (at(13, 30), True),
    (at(16, 29, 59), True),
    (at(16, 30), False),
])
def test_opening_windows_are_half_open(when, is_open):
    engine = make_engine()
    assert engine.is_open("HT", when) is is_open
    if is_open:
        assert engine.take("HT", False, when).ticket.number == "A001"
    else:
        err = refused("service_closed", engine.take, "HT", False, when)
        assert err.message_key == "errors.service_closed_hours"
        assert t(err.message_key, **err.params) == "Hộ tịch chỉ cấp số trong giờ 07:30–11:15, 13:30–16:30."
        assert engine.tickets() == []


def test_opening_hours_follow_the_weekday():
    engine = make_engine()
    saturday = at(9, 0, day=date(2026, 11, 28))
    sunday = at(9, 0, day=date(2026, 11, 29))
    assert engine.take("HT", False, saturday).ticket.number == "A001"
    err = refused("service_closed", engine.take, "CT", False, saturday)
    assert err.message_key == "errors.service_closed_today"
    assert t(err.message_key, **err.params) == "Chứng thực không cấp số trong ngày hôm nay."
    refused("service_closed", engine.take, "HT", False, sunday)
    assert engine.is_open("HT", at(11, 29, day=date(2026, 11, 28)))
    assert not engine.is_open("HT", at(11, 30, day=date(2026, 11, 28)))


def test_quota_counts_tickets_issued_by_the_service_today():
    engine = make_engine()
    engine.counter_op("4", "open", {"officer": "o4"}, at(7, 30))
    for i in range(3):
        engine.take("DD", False, at(8, i))
    # transferring one away does not give the quota back
    engine.counter_op("4", "call_next", {}, at(8, 10))
    engine.counter_op("4", "transfer", {"to_service": "HT"}, at(8, 11))
    err = refused("quota_reached", engine.take, "DD", False, at(8, 12))
    assert t(err.message_key, **err.params).startswith("Đất đai đã cấp hết 3 số của ngày hôm nay.")
    assert engine.service_view("DD", at(8, 12))["issued_today"] == 3
    assert engine.take("HT", False, at(8, 13)).ticket.number == "A001"


def test_quota_counts_restored_tickets():
    restored = [Ticket(f"D00{i}", "DD", "DD", i, False, TicketState.DONE, at(7, 30 + i)) for i in (1, 2, 3)]
    refused("quota_reached", make_engine(tickets=restored).take, "DD", False, at(9, 0))


def test_unlimited_service_has_no_quota():
    engine = make_engine()
    assert SERVICES[1].daily_quota is None
    for i in range(30):
        engine.take("CT", False, at(8, 0) + timedelta(seconds=i))
    assert engine.service_view("CT", at(9, 0))["issued_today"] == 30


def test_services_sharing_a_prefix_are_rejected():
    clash = SERVICES + [ServiceDef("XX", "Khác", "Khác", "A", {})]
    with pytest.raises(ValueError):
        make_engine(services=clash)
