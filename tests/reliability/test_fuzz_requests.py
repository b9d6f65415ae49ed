"""Fuzzing every request topic: never a crash, always an error reply or a logged refusal."""

from __future__ import annotations

import itertools
import json
import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.broker import LocalBroker
from office_harness import DEMO_CONFIG, TicketdProcess, Watcher, wait_until

FAST, SOAK = 250, 100_000
_ids = itertools.count()

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["HT\u0301", "\u202eTH", "🙂", "A\x00B", "Hộ tịch", "ho\u0323 ti\u0323ch", "", " "]),
    st.integers(5000, 70_000).map(lambda n: "ư" * n),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | odd_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
fields = {
    "service": st.one_of(st.sampled_from(["HT", "CT", "DD", "NOPE"]), json_value),
    "priority": st.one_of(st.booleans(), json_value),
    "print": st.just(False),
    "op": st.one_of(st.sampled_from(["open", "call_next", "finish", "transfer", "rate", "hold", "call"]), json_value),
    "officer": st.one_of(st.sampled_from(["cb-lan", "cb-thao", "ghost"]), json_value),
    "ticket": st.one_of(st.sampled_from(["A001", "B001", "Z9"]), json_value),
    "level": st.one_of(st.sampled_from(["satisfied", "dissatisfied", "meh"]), json_value),
    "reasons": st.one_of(st.lists(odd_text, max_size=3), st.integers(1, 10_000).map(lambda n: ["x"] * n)),
    "number": st.one_of(st.sampled_from(["A001", "a001", "ZZZ"]), json_value),
    "to_service": json_value,
    "to_counter": json_value,
    "nested": st.recursive(st.just(1), lambda c: st.lists(c, min_size=1, max_size=1), max_leaves=200),
}
payload_with_id = st.fixed_dictionaries({}, optional=fields)
topics = st.sampled_from(["kiosk/kiosk-1/take", "kiosk/ghost/take", "counter/1/cmd", "counter/2/rating",
                          "counter/77/cmd", "ticket/query", "admin/reprint"])
garbage = st.one_of(st.binary(max_size=2000), st.just(b"\xff" * 10), st.just(b"{" * 5000),
                    st.just(b"x" * (1 << 20)), st.just(json.dumps([0] * 10_000).encode()))


@pytest.fixture(scope="module")
def fuzz_office(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz")
    broker = LocalBroker(workdir=data / "broker").start()
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, data).start()
    watcher = Watcher(broker.url, "hoa-an")
    wait_until(lambda: (watcher.latest(watcher.topics.device_status("ticketd")) or {}).get("state") == "online",
               timeout=20)
    replies: dict[str, dict] = {}
    arrived = threading.Condition()

    def on_reply(msg):
        with arrived:
            replies[msg.topic.rsplit("/", 1)[1]] = json.loads(msg.raw)
            arrived.notify_all()

    watcher.bus.subscribe(watcher.topics.reply("+"), on_reply)
    yield ticketd, watcher, replies, arrived
    watcher.close()
    ticketd.stop()
    broker.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


@pytest.mark.timeout(7200 if os.environ.get("MOTCUA_SOAK") == "1" else 300)
def test_fuzzed_payloads(fuzz_office):
    ticketd, w, replies, arrived = fuzz_office
    count = SOAK if os.environ.get("MOTCUA_SOAK") == "1" else FAST
    samples: list[int] = []

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(topic=topics, payload=payload_with_id, raw=garbage, with_id=st.booleans(), use_raw=st.integers(0, 9))
    def one(topic, payload, raw, with_id, use_raw):
        full_topic = f"{w.topics.root}/{topic}"
        if use_raw == 0:
            w.bus.publish(full_topic, raw)
            return
        request_id = f"fuzz-{next(_ids)}"
        if with_id:
            payload = dict(payload, id=request_id)
        body = json.dumps(payload, ensure_ascii=False).encode()
        w.bus.publish(full_topic, body)
        if with_id:
            with arrived:
                assert arrived.wait_for(lambda: request_id in replies, timeout=15), f"no reply to {payload}"
            reply = replies.pop(request_id)
            assert reply["id"] == request_id and isinstance(reply["ok"], bool)
            if not reply["ok"]:
                assert reply["error"]["code"] and reply["error"]["message"]
        if next(_ids) % 50 == 0:
            samples.append(rss_kib(ticketd.process.pid))

    one()
    assert ticketd.process.poll() is None, "ticketd died:\n" + ticketd.log()[-3000:]
    ok = w.request(w.topics.take("kiosk-2"), {"service": "CUTRU", "print": False})
    assert ok["ok"]
    if len(samples) >= 4:
        settled = samples[len(samples) // 4]
        assert samples[-1] <= settled * 1.2 + 8192, f"ticketd memory grew: {samples}"
