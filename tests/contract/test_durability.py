"""Crashes and repeats: no ticket lost or issued twice; retained state equals the database."""

from __future__ import annotations

import random
import sqlite3
import threading
import time

from motcua.bus import RequestTimeout, new_request_id
from office_harness import TicketdProcess, Watcher, wait_until, DEMO_CONFIG


def online(w: Watcher) -> bool:
    return (w.latest(w.topics.device_status("ticketd")) or {}).get("state") == "online"


def test_same_id_after_restart_gets_the_same_reply(office, tmp_path):
    ticketd, w = office
    payload = {"id": "kiosk-2.before-restart", "service": "CT", "print": False}
    first = w.request(w.topics.take("kiosk-2"), payload)
    assert ticketd.stop() == 0
    wait_until(lambda: (w.latest(w.topics.device_status("ticketd")) or {}).get("state") == "offline")
    ticketd.start()
    wait_until(lambda: online(w), timeout=20)
    assert w.request(w.topics.take("kiosk-2"), payload) == first
    assert w.request(w.topics.take("kiosk-2"), {"service": "CT", "print": False})["ticket"]["number"] == "B002"


def test_sigkill_during_a_stream_of_requests_loses_and_doubles_nothing(broker, tmp_path):
    data = tmp_path / "data"
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, data).start()
    w = Watcher(broker.url, "hoa-an")
    try:
        wait_until(lambda: online(w), timeout=20)
        ids = [new_request_id("kiosk-1") for _ in range(120)]
        replies: dict[str, dict] = {}
        services = ["CT", "CUTRU", "VHXH"]

        def send(request_id: str, index: int) -> None:
            payload = {"id": request_id, "service": services[index % 3], "print": False}
            for _ in range(6):
                try:
                    replies[request_id] = w.bus.request(w.topics.take("kiosk-1"), payload, timeout=5, retry_every=1)
                    return
                except RequestTimeout:
                    continue

        answered_at_kill: list[int] = []

        def kill() -> None:
            wait_until(lambda: len(replies) >= 20, timeout=30, interval=0.001)
            ticketd.kill()
            answered_at_kill.append(len(replies))

        killer = threading.Thread(target=kill)
        killer.start()
        threads = []
        for index, request_id in enumerate(ids):
            thread = threading.Thread(target=send, args=(request_id, index))
            thread.start()
            threads.append(thread)
            time.sleep(random.uniform(0, 0.02))
        killer.join()
        ticketd.start()
        for thread in threads:
            thread.join()
        assert 20 <= answered_at_kill[0] < len(ids), "ticketd was not killed in the middle of the stream"
        assert set(replies) == set(ids), "some requests never got a reply"
        numbers = [r["ticket"]["number"] for r in replies.values()]
        assert len(numbers) == len(set(numbers)), "a ticket was issued twice"
        for prefix, code in (("B", "CT"), ("H", "CUTRU"), ("E", "VHXH")):
            seqs = sorted(int(n[1:]) for n in numbers if n.startswith(prefix))
            assert seqs == list(range(1, len(seqs) + 1)), f"{code} numbers are not contiguous"
        db = sqlite3.connect(data / "ticketd.sqlite3")
        stored = {row[0] for row in db.execute("SELECT number FROM tickets")}
        assert stored == set(numbers), "the database and the replies disagree"
        for code in ("CT", "CUTRU", "VHXH"):
            count = db.execute("SELECT count(*) FROM tickets WHERE service=?", (code,)).fetchone()[0]
            w.wait_state(w.topics.service_state(code), lambda s, c=count: s["issued_today"] == c and s["waiting"] == c)
    finally:
        w.close()
        ticketd.stop()


def test_sigterm_is_an_orderly_stop(office):
    ticketd, w = office
    assert ticketd.stop() == 0
    status = wait_until(lambda: (lambda s: s if s and s["state"] == "offline" else None)(
        w.latest(w.topics.device_status("ticketd"))))
    assert status["kind"] == "ticketd"


def test_state_is_republished_at_start(office):
    ticketd, w = office
    w.request(w.topics.counter_cmd("4"), {"op": "open", "officer": "cb-ngoc"})
    ticketd.kill()
    fresh = Watcher(ticketd.broker_url, "hoa-an")
    try:
        fresh.bus.publish(fresh.topics.counter_state("4"), b"", retain=True)  # wipe the retained copy
        wait_until(lambda: fresh.latest(fresh.topics.counter_state("4")) is None)
        ticketd.start()
        state = fresh.wait_state(fresh.topics.counter_state("4"), lambda s: True, timeout=20)
        assert state["status"] == "open" and state["officer"]["id"] == "cb-ngoc"
    finally:
        fresh.close()


def test_ticket_and_rating_events_carry_unique_ids(office):
    _ticketd, w = office
    w.request(w.topics.take("kiosk-1"), {"service": "CT", "print": False})
    w.request(w.topics.counter_cmd("2"), {"op": "open", "officer": "cb-thao"})
    w.request(w.topics.counter_cmd("2"), {"op": "call_next"})
    w.request(w.topics.counter_cmd("2"), {"op": "finish", "outcome": "received", "dossier": "000.31.17.H17-261123-0007"})
    w.request(w.topics.counter_rating("2"), {"ticket": "B001", "level": "very_satisfied"})
    events = wait_until(lambda: (lambda e: e if len(e) >= 4 else None)(w.events(w.topics.ticket_event())))
    assert [e["op"] for e in events] == ["take", "call_next", "finish", "rating"]  # rated: a change too
    assert [e["ticket"]["state"] for e in events] == ["waiting", "called", "done", "done"]
    assert events[2]["ticket"]["officer"] == "cb-thao" and events[2]["ticket"]["dossier"] == "000.31.17.H17-261123-0007"
    rating = wait_until(lambda: w.events(w.topics.rating_event()))[0]
    assert rating["rating"]["level"] == "very_satisfied" and rating["dossier"] == "000.31.17.H17-261123-0007"
    ids = [e["id"] for e in events] + [rating["id"]]
    assert len(set(ids)) == 5 and all(e["office"] == "hoa-an" for e in events)
