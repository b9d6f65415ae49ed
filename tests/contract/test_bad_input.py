"""Bad input gets an error reply where an id is readable, a log line, and ticketd keeps serving."""

from __future__ import annotations

import json

from office_harness import wait_until


def raw_request(w, topic: str, raw: bytes, request_id: str | None) -> dict | None:
    if request_id:
        w.bus.subscribe(w.topics.reply(request_id), lambda _m: None)
        wait_until(lambda: w.bus.connected.is_set())
    w.bus.publish(topic, raw)
    if request_id is None:
        return None
    return wait_until(lambda: (w.events(w.topics.reply(request_id)) or [None])[0], timeout=10)


def test_malformed_payloads(office):
    ticketd, w = office
    take = w.topics.take("kiosk-1")
    not_json = raw_request(w, take, b'{"id": "bad-1", "service": ', "bad-1")
    assert not_json["ok"] is False and not_json["error"]["code"] == "bad_request"
    wrong_type = raw_request(w, take, json.dumps({"id": "bad-2", "service": 7, "priority": "yes"}).encode(), "bad-2")
    assert wrong_type["error"]["code"] == "bad_request" and "service" in wrong_type["error"]["detail"]
    huge = raw_request(w, take, json.dumps({"id": "bad-3", "service": "HT", "pad": "x" * (1 << 20)}).encode(), "bad-3")
    assert huge["error"]["code"] == "bad_request"
    not_object = raw_request(w, w.topics.counter_cmd("1"), b'["id", "bad-4"]', None)
    assert not_object is None
    raw_request(w, take, json.dumps({"service": "HT"}).encode(), None)  # no id: no reply, nothing issued
    raw_request(w, take, json.dumps({"id": "spaces are invalid", "service": "HT"}).encode(), None)
    unknown_op = raw_request(w, w.topics.counter_cmd("1"), json.dumps({"id": "bad-5", "op": "fly"}).encode(), "bad-5")
    assert unknown_op["error"]["code"] == "bad_request"
    nfd = raw_request(w, take, json.dumps({"id": "bad-6", "service": "HT\u0301"}).encode(), "bad-6")
    assert nfd["error"]["code"] == "unknown_service"
    ok = w.request(take, {"service": "HT", "print": False})
    assert ok["ok"] and ok["ticket"]["number"] == "A001", "a refused request issued a ticket"
    log = wait_until(lambda: ticketd.log() if "without a valid id" in ticketd.log() else None)
    assert "not UTF-8 JSON" in log and "over the 64 KiB limit" in log
    assert ticketd.process.poll() is None
