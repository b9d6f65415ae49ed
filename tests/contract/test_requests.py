"""Every request, op and error code of CONTRACT.md over a real Mosquitto and a real ticketd."""

from __future__ import annotations

import json

from motcua.bus import models as m
from office_harness import wait_until


def take(w, service="HT", kiosk="kiosk-1", **extra):
    return w.request(w.topics.take(kiosk), {"service": service, "print": False, **extra})


def cmd(w, counter, op, **fields):
    return w.request(w.topics.counter_cmd(counter), {"op": op, **fields})


def test_take_issues_contiguous_numbers_and_updates_service_state(office):
    _ticketd, w = office
    first, second = take(w), take(w)
    assert first["ok"] and second["ok"]
    m.TakeReply.model_validate(first)
    assert [first["ticket"]["number"], second["ticket"]["number"]] == ["A001", "A002"]
    assert first["ticket"]["service_name"] == "Hộ tịch"
    assert second["ticket"]["ahead"] == 1 and second["ticket"]["est_wait_s"] > 0
    assert first["printed"] is False and first["printer"] is None
    state = w.wait_state(w.topics.service_state("HT"), lambda s: s["issued_today"] == 2)
    m.ServiceStateMsg.model_validate(state)
    assert state["waiting"] == 2 and state["open"] is True and state["last_called"] is None
    hall = w.wait_state(w.topics.hall(), lambda h: h["waiting_total"] == 2)
    assert hall["recent"] == []


def test_counter_day_from_open_to_close(office):
    _ticketd, w = office
    take(w, "CT")
    opened = cmd(w, "2", "open", officer="cb-thao")
    assert opened["ok"] and opened["counter"]["status"] == "open"
    assert opened["counter"]["officer"]["name"] == "Lê Phương Thảo"
    called = cmd(w, "2", "call_next")
    assert called["ticket"]["number"] == "B001" and called["ticket"]["state"] == "called"
    call = wait_until(lambda: w.events(w.topics.call()))[0]
    assert call["number"] == "B001" and call["counter"] == "2" and call["counter_name"] == "Quầy 2"
    assert call["recall"] is False
    assert cmd(w, "2", "recall")["ok"]
    wait_until(lambda: len(w.events(w.topics.call())) == 2)
    assert w.events(w.topics.call())[1]["recall"] is True
    assert cmd(w, "2", "start")["ticket"]["state"] == "serving"
    done = cmd(w, "2", "finish", outcome="received", dossier="000.31.17.H17-261123-0001")
    assert done["ticket"]["state"] == "done" and done["counter"]["current"] is None
    rate_request = wait_until(lambda: w.events(w.topics.rate_request("2")))[0]
    assert rate_request["ticket"] == "B001" and rate_request["officer"]["id"] == "cb-thao"
    state = w.wait_state(w.topics.counter_state("2"), lambda s: s["current"] is None and s["status"] == "open")
    m.CounterStateMsg.model_validate(state)
    assert cmd(w, "2", "pause", reason="Họp giao ban")["counter"]["status"] == "paused"
    refused = cmd(w, "2", "call_next")
    assert refused["ok"] is False and refused["error"]["code"] == "not_allowed"
    assert cmd(w, "2", "resume")["counter"]["status"] == "open"
    closed = cmd(w, "2", "close")
    assert closed["counter"]["status"] == "closed" and closed["counter"]["officer"] is None
    hall = w.wait_state(w.topics.hall(), lambda h: h["recent"])
    assert hall["recent"][0]["number"] == "B001"


def test_rating_once_per_served_ticket(office):
    _ticketd, w = office
    take(w, "CT")
    cmd(w, "2", "open", officer="cb-thao")
    cmd(w, "2", "call_next")
    cmd(w, "2", "start")
    cmd(w, "2", "finish", outcome="advised")
    topic = w.topics.counter_rating("2")
    no_reason = w.request(topic, {"ticket": "B001", "level": "dissatisfied"})
    assert no_reason["error"]["code"] == "bad_request"
    rated = w.request(topic, {"ticket": "B001", "level": "dissatisfied", "reasons": ["Thời gian chờ lâu"]})
    assert rated["ok"], rated
    assert rated["rating"]["officer"] == {"id": "cb-thao", "name": "Lê Phương Thảo",
                                          "title": "Công chức Văn phòng – Thống kê"}
    again = w.request(topic, {"ticket": "B001", "level": "satisfied"})
    assert again["error"]["code"] == "duplicate_rating"


def test_hold_call_transfer_and_no_show(office):
    _ticketd, w = office
    for _ in range(3):
        take(w, "HT")
    cmd(w, "1", "open", officer="cb-lan")
    assert cmd(w, "1", "call_next")["ticket"]["number"] == "A001"
    held = cmd(w, "1", "hold")
    assert held["ticket"]["state"] == "held" and held["counter"]["held"] == ["A001"]
    assert cmd(w, "1", "call_next")["ticket"]["number"] == "A002"
    moved = cmd(w, "1", "transfer", to_service="CT")
    assert moved["ticket"]["state"] == "waiting" and moved["ticket"]["service"] == "CT"
    assert moved["counter"]["current"] is None
    back = cmd(w, "1", "call", ticket="A001")
    assert back["ticket"]["number"] == "A001" and back["ticket"]["state"] == "called"
    assert cmd(w, "1", "no_show")["ticket"]["state"] == "no_show"
    cmd(w, "2", "open", officer="cb-thao")
    transferred = cmd(w, "2", "call_next")["ticket"]
    assert transferred["number"] == "A002" and transferred["transferred_from"] == "1"
    query = w.request(w.topics.ticket_query(), {"number": "A002"})
    assert query["ticket"]["state"] == "called" and query["ticket"]["counter"] == "2"


def test_error_codes(office):
    _ticketd, w = office
    assert take(w, "NOPE")["error"]["code"] == "unknown_service"
    assert take(w, kiosk="kiosk-99")["error"]["code"] == "unknown_device"
    assert cmd(w, "99", "call_next")["error"]["code"] == "unknown_counter"
    assert cmd(w, "3", "call_next")["error"]["code"] == "counter_closed"
    assert cmd(w, "3", "open")["error"]["code"] == "bad_request"
    assert cmd(w, "3", "open", officer="nobody")["error"]["code"] == "bad_request"
    assert cmd(w, "3", "open", officer="cb-dung")["ok"]
    assert cmd(w, "3", "call_next")["error"]["code"] == "queue_empty"
    assert cmd(w, "3", "dance")["error"]["code"] == "bad_request"
    assert cmd(w, "3", "start")["error"]["code"] == "not_allowed"
    assert w.request(w.topics.ticket_query(), {"number": "Z999"})["error"]["code"] == "unknown_ticket"
    for reply in (take(w, "NOPE"), cmd(w, "3", "dance")):
        m.ErrorReply.model_validate(reply)
        assert reply["error"]["message"]


def test_same_id_same_reply_one_ticket(office):
    _ticketd, w = office
    payload = {"id": "kiosk-1.retry-1", "service": "HT", "print": False}
    first = w.request(w.topics.take("kiosk-1"), payload)
    second = w.request(w.topics.take("kiosk-1"), payload)
    assert first == second
    assert take(w)["ticket"]["number"] == "A002"


def test_everything_ticketd_publishes_fits_the_contract_models(office):
    """Strictly, as a third-party device would parse them."""
    _ticketd, w = office
    for reply in (take(w, "CT"), take(w, "CT", priority=True)):
        m.TakeReply.model_validate_json(json.dumps(reply), strict=True)
    replies = [cmd(w, "2", "open", officer="cb-thao"), cmd(w, "2", "call_next"), cmd(w, "2", "start"),
               cmd(w, "2", "finish", outcome="received"), cmd(w, "2", "call_next"),
               cmd(w, "2", "transfer", to_service="HT")]
    rating = w.request(w.topics.counter_rating("2"), {"ticket": replies[1]["ticket"]["number"], "level": "satisfied"})
    for reply in replies:
        m.CounterReply.model_validate_json(json.dumps(reply), strict=True)
    m.RatingReply.model_validate_json(json.dumps(rating), strict=True)
    wait_until(lambda: w.events(w.topics.rating_event()))
    models = {w.topics.hall(): m.HallMsg, w.topics.call(): m.CallEvent, w.topics.rate_request("2"): m.RateRequestEvent,
              w.topics.ticket_event(): m.TicketEvent, w.topics.rating_event(): m.RatingEvent}
    checked = set()
    for topic, data in list(w.messages):
        model = models.get(topic) or (m.CounterStateMsg if topic.endswith("/state") and "/counter/" in topic else
                                      m.ServiceStateMsg if topic.endswith("/state") and "/service/" in topic else None)
        if model is not None and data:
            model.model_validate_json(json.dumps(data), strict=True)
            checked.add(model)
    assert checked == set(models.values()) | {m.CounterStateMsg, m.ServiceStateMsg}
