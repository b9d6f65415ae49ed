"""Counter commands retried after a timeout keep their id: applied once when ticketd comes back."""

from __future__ import annotations

import threading

from counter_console.commands import CommandSender
from office_harness import wait_until


def test_a_command_without_reply_is_resent_with_the_same_id(console_bus) -> None:
    bus = console_bus("console-x")
    bus.start(wait=10)
    seen: list[dict] = []
    watcher = console_bus("console-watch")
    watcher.subscribe(bus.topics.counter_cmd("1"), lambda msg: seen.append(msg.json()))
    watcher.start(wait=10)
    wait_until(lambda: watcher.connected.is_set())
    done, retries = threading.Event(), []
    result: list = []
    sender = CommandSender(bus, "1", "console-x", timeout=0.6, retry_every=0.25, attempts=2)
    sender.send("call_next", {}, lambda reply: (result.append(reply), done.set()), retries.append)
    assert sender.busy
    assert done.wait(10)
    assert result == [None] and retries == [2] and not sender.busy
    assert len(seen) >= 3 and len({payload["id"] for payload in seen}) == 1


def test_a_retry_reaching_a_restarted_ticketd_is_applied_once(office, console_bus) -> None:
    ticketd, w = office
    w.request(w.topics.take("kiosk-1"), {"service": "CT", "print": False})
    assert w.request(w.topics.counter_cmd("2"), {"op": "open", "officer": "cb-thao"})["ok"]
    ticketd.stop()
    bus = console_bus("console-2")
    bus.start(wait=10)
    done, result = threading.Event(), []
    sender = CommandSender(bus, "2", "console-2", timeout=2.0, retry_every=0.5, attempts=20)
    sender.send("call_next", {}, lambda reply: (result.append(reply), done.set()))
    wait_until(lambda: len([1 for t, _ in w.messages if t == w.topics.counter_cmd("2")]) >= 4, timeout=20)
    ticketd.start()
    assert done.wait(60)
    assert result[0]["ok"] and result[0]["ticket"]["number"] == "B001"
    wait_until(lambda: w.events(w.topics.call()))
    assert [c["number"] for c in w.events(w.topics.call())] == ["B001"]
    ids = {p["id"] for t, p in w.messages if t == w.topics.counter_cmd("2") and p["op"] == "call_next"}
    assert len(ids) == 1
