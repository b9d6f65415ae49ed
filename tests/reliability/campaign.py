"""Clients of a whole office that retry by id: kiosks, counters and rating pads."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from motcua.bus import BusClient, RequestTimeout, new_request_id


def ask(bus: BusClient, topic: str, payload: dict, attempts: int = 20) -> dict:
    """Send until answered; the same id every time, so a retry never applies twice."""
    payload = dict(payload, id=payload.get("id") or new_request_id(bus.client_id))
    for _ in range(attempts):
        try:
            reply = bus.request(topic, payload, timeout=4, retry_every=1)
        except RequestTimeout:
            continue
        if reply.get("ok") is False and reply["error"]["code"] == "internal":
            continue
        return reply
    raise AssertionError(f"no answer to {payload['id']} on {topic}")


@dataclass
class Ledger:
    """What the clients were told."""

    tickets: dict[str, dict] = field(default_factory=dict)  # request id -> take reply
    ratings: dict[str, dict] = field(default_factory=dict)  # request id -> rating reply
    finished: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def kiosk(bus: BusClient, ledger: Ledger, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        payload = {"id": new_request_id("kiosk"), "service": rng.choice(["CT", "CUTRU", "VHXH"]), "print": False,
                   "priority": rng.random() < 0.1}
        reply = ask(bus, bus.topics.take("kiosk-1"), payload)
        assert reply["ok"], reply
        with ledger.lock:
            ledger.tickets[payload["id"]] = reply


def counter(bus: BusClient, ledger: Ledger, counter_id: str, officer: str, rounds: int, stop: threading.Event) -> None:
    """Call, serve and finish; the rating pad of the counter rates each finished ticket."""
    ask(bus, bus.topics.counter_cmd(counter_id), {"op": "open", "officer": officer})
    for _ in range(rounds):
        if stop.is_set():
            break
        called = ask(bus, bus.topics.counter_cmd(counter_id), {"op": "call_next"})
        if not called["ok"]:
            assert called["error"]["code"] == "queue_empty", called
            stop.wait(0.02)
            continue
        done = ask(bus, bus.topics.counter_cmd(counter_id), {"op": "finish", "outcome": "received"})
        if not done["ok"]:  # already finished by a call_next retried after a crash: fine
            continue
        number = done["ticket"]["number"]
        payload = {"id": new_request_id("pad"), "ticket": number, "level": "satisfied"}
        rated = ask(bus, bus.topics.counter_rating(counter_id), payload)
        assert rated["ok"], rated
        with ledger.lock:
            ledger.finished.append(number)
            ledger.ratings[payload["id"]] = rated
