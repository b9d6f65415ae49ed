"""Parsing bridged messages into a batch: contract payloads in, everything else rejected."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from province.ingest import Batch, Rejected, event_seq
from province.simulate import SimOffice

T0 = datetime.fromisoformat("2026-11-23T08:00:00+07:00")


def _add(batch: Batch, topic: str, payload) -> None:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    batch.add(topic, raw, T0)


def _office_messages() -> list[tuple[str, dict, bool]]:
    sim = SimOffice("hoa-an", counters=2)
    messages = sim.opening(T0)
    messages += sim.take("HT", T0 + timedelta(minutes=1))
    messages += sim.call_next("1", T0 + timedelta(minutes=2))
    messages += sim.start("1", T0 + timedelta(minutes=3))
    finished, ticket = sim.finish("1", T0 + timedelta(minutes=9))
    messages += finished + sim.rate(ticket, "dissatisfied", T0 + timedelta(minutes=10))
    return messages


def test_every_subscribed_kind_is_parsed_into_its_table():
    batch = Batch()
    for topic, payload, _retained in _office_messages():
        _add(batch, topic, payload)
    assert len(batch.ticket_events) == 4
    assert [r.op for r in batch.ticket_events.values()] == ["take", "call_next", "start", "finish"]
    assert len(batch.ratings) == 1
    rating = next(iter(batch.ratings.values()))
    assert (rating.rating.level, rating.rating.reasons != [], rating.day) == ("dissatisfied", True, date(2026, 11, 23))
    assert set(batch.counters) == {("hoa-an", "1"), ("hoa-an", "2")}
    assert batch.counters[("hoa-an", "1")][1].current is None  # the newest state: after finish
    assert len(batch.services) == 5 and set(batch.halls) == {"hoa-an"} and set(batch.stats) == {"hoa-an"}
    assert {k[1] for k in batch.devices} == {"ticketd", "kiosk-1", "printer-1"}
    assert {k[1] for k in batch.cameras} == {"cam-1", "cam-2"}
    assert batch.months() == {date(2026, 11, 1)}
    assert batch.offices == {"hoa-an": T0}


def test_an_older_retained_state_does_not_replace_a_newer_one_in_a_batch():
    batch = Batch()
    newer = {"recent": [], "serving": [], "waiting_total": 9, "updated_at": "2026-11-23T08:05:00+07:00"}
    older = dict(newer, waiting_total=3, updated_at="2026-11-23T08:01:00+07:00")
    _add(batch, "motcua/hoa-an/hall", newer)
    _add(batch, "motcua/hoa-an/hall", older)
    assert batch.halls["hoa-an"][1].waiting_total == 9


def test_an_empty_retained_payload_clears_and_a_later_value_restores():
    batch = Batch()
    status = {"device": "printer-1", "kind": "printer", "state": "online", "updated_at": "2026-11-23T08:00:00+07:00"}
    _add(batch, "motcua/hoa-an/device/printer-1/status", status)
    _add(batch, "motcua/hoa-an/device/printer-1/status", b"")
    assert batch.cleared == {("devices", "hoa-an", "printer-1")} and not batch.devices
    _add(batch, "motcua/hoa-an/device/printer-1/status", status)
    assert not batch.cleared and ("hoa-an", "printer-1") in batch.devices


def test_the_same_event_twice_in_a_batch_is_one_row():
    batch = Batch()
    topic, payload, _ = SimOffice("hoa-an").take("HT", T0)[0]
    _add(batch, topic, payload)
    _add(batch, topic, payload)
    assert len(batch.ticket_events) == 1 and len(batch) == 2


@pytest.mark.parametrize("topic, payload, reason", [
    ("other/hoa-an/hall", {}, "not under motcua"),
    ("motcua/Hoa An/hall", {}, "not under motcua"),
    ("motcua/hoa-an/call", {"number": "A001"}, "not one the province stores"),
    ("motcua/hoa-an/hall", b"\xff\xfe", "not UTF-8 JSON"),
    ("motcua/hoa-an/hall", b"[1, 2]", "not a JSON object"),
    ("motcua/hoa-an/hall", {"waiting_total": "many"}, "schema errors"),
    ("motcua/hoa-an/kiosk/kiosk-1/take", b"", "empty payload"),
])
def test_non_contract_messages_are_rejected(topic, payload, reason):
    with pytest.raises(Rejected, match=reason):
        _add(Batch(), topic, payload)


def test_an_event_claiming_another_office_is_rejected():
    topic, payload, _ = SimOffice("hoa-minh").take("HT", T0)[0]
    with pytest.raises(Rejected, match="published under 'hoa-an'"):
        _add(Batch(), topic.replace("hoa-minh", "hoa-an"), payload)


@pytest.mark.parametrize("field, value, reason", [
    ("day", "23/11/2026", "bad day"), ("at", "2026-11-23T08:00:00", "no UTC offset"), ("id", "a b", "bad event id"),
])
def test_events_with_bad_days_times_or_ids_are_rejected(field, value, reason):
    topic, payload, _ = SimOffice("hoa-an").take("HT", T0)[0]
    with pytest.raises(Rejected, match=reason):
        _add(Batch(), topic, dict(payload, **{field: value}))


def test_event_sequence_is_the_number_after_the_last_dash():
    assert event_seq("3f9a0c1d2e4b-1207") == 1207
    assert event_seq("no-sequence-here") == 0
