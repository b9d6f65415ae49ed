"""ticketd builds its payloads as dicts (``ticketd.payloads``): each must be exactly what its contract
model would write, byte for byte, and valid against the model in strict mode."""

import orjson
import pytest

from motcua.bus import models as m
from ticketd import payloads as p

from engine_office import at, make_engine, open_counter


@pytest.fixture
def office():
    """A morning in progress: tickets waiting (one priority), one served and rated, one held,
    one transferred and called, two counters open, one closed."""
    engine = make_engine()
    for minute, (service, priority) in enumerate([("HT", False), ("HT", True), ("CT", False), ("HT", False),
                                                  ("CT", False), ("CU", False)]):
        engine.take(service, priority, at(8, minute))
    open_counter(engine, "1", "o1", at(8, 10))
    open_counter(engine, "2", "o2", at(8, 10))
    served = engine.counter_op("1", "call_next", {}, at(8, 11)).ticket
    engine.counter_op("1", "start", {}, at(8, 12))
    finished = engine.counter_op("1", "finish", {"outcome": "received", "dossier": "H01.23-261123-0001"}, at(8, 20))
    rating = engine.rate("1", served.number, "satisfied", ["Cán bộ nhiệt tình"], "Cảm ơn", at(8, 21)).rating
    engine.counter_op("2", "call_next", {}, at(8, 22))
    engine.counter_op("2", "hold", {"reason": "Thiếu giấy tờ"}, at(8, 23))
    moved = engine.counter_op("2", "call_next", {}, at(8, 24)).ticket
    engine.counter_op("2", "transfer", {"to_service": "CT"}, at(8, 25))
    engine.counter_op("2", "call", {"ticket": moved.number}, at(8, 26))
    return engine, finished, rating


def same(model: type[m.BaseModel], payload: dict) -> None:
    assert orjson.dumps(payload) == model.model_validate(payload, strict=True).model_dump_json().encode()


def test_ticket_and_counter_payloads_match_their_models(office):
    engine, finished, _rating = office
    now = at(8, 30)
    for ticket in engine.tickets():
        same(m.TicketObj, p.ticket_obj(engine, ticket))
        same(m.TicketEventTicket, p.ticket_event_ticket(ticket))
        same(m.TicketEvent, p.ticket_event("hoa-an", "2026-11-23", "i-1", "take", ticket, now))
        same(m.TicketReply, p.ticket_reply("q-1", p.ticket_obj(engine, ticket)))
        same(m.TakeReply, p.take_reply("k-1", p.ticket_obj(engine, ticket), "printer-1"))
    states = [p.counter_state_msg(engine, state, now) for state in engine.counters.values()]
    assert {s["status"] for s in states} == {"open", "closed"}
    assert any(s["held"] for s in states) and any(s["current"] for s in states)
    for state in states:
        same(m.CounterStateMsg, state)
        same(m.CounterReply, p.counter_reply("c-1", state, state["current"]))
    same(m.RateRequestEvent, p.rate_request_event(engine, finished.rate_request))


def test_office_wide_payloads_match_their_models(office):
    engine, _finished, rating = office
    now = at(8, 30)
    for code in engine.services:
        same(m.ServiceStateMsg, p.service_state_msg(engine, code, now))
    hall = p.hall_msg(engine, now)
    assert hall["recent"] and hall["serving"]
    same(m.HallMsg, hall)
    for call in engine.recent_calls():
        same(m.CallEvent, p.call_event(engine, call))
    same(m.RatingObj, p.rating_obj(engine, rating))
    same(m.RatingReply, p.rating_reply("r-1", p.rating_obj(engine, rating)))
    same(m.RatingEvent, p.rating_event("hoa-an", "2026-11-23", "i-2", engine, rating, "H01.23-261123-0001"))
    same(m.TestPageReply, p.printer_test_reply("t-1", "printer-1"))
    same(m.ErrorReply, p.error_reply("e-1", "queue_empty", "Không còn ai chờ.", None))
