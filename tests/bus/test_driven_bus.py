"""DrivenBus (ticketd's connection) against a real Mosquitto: requests in, replies out with the
caller's correlation data, retained status with a last will, reconnect with nothing lost."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from motcua.broker import LocalBroker
from motcua.bus import BusClient
from motcua.bus.driven import DrivenBus
from office_harness import Watcher, wait_until

ROOT = Path(__file__).resolve().parents[2]


class Driver:
    """Pumps a DrivenBus from its own thread, as ticketd's worker does."""

    def __init__(self, bus: DrivenBus) -> None:
        self.bus = bus.start()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.bus.pump(0.2)
        self.bus.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.bus.wake()
        self.thread.join(10)


@pytest.fixture
def echo(broker):
    """A DrivenBus answering ``kiosk/+/take`` with the request's own payload."""
    bus = DrivenBus(broker.url, "hoa-an", "test-driven", device_id="echo", kind="ticketd")
    seen = []

    def answer(msg):
        seen.append(msg)
        data = msg.json()
        bus.publish(bus.topics.reply(data["id"]), dict(data, ok=True))
        if msg.response_topic:
            bus.publish(msg.response_topic, dict(data, ok=True), correlation=msg.correlation_data)

    bus.subscribe(bus.topics.take(), answer)
    connects = []
    bus.on_connect(lambda: connects.append(1))
    driver = Driver(bus)
    yield bus, seen, connects
    driver.stop()


def test_a_request_gets_its_reply_on_the_response_topic(broker, echo):
    bus, seen, _connects = echo
    client = BusClient(broker.url, "hoa-an", client_id="test-client").start(wait=10)
    try:
        reply = client.request(client.topics.take("kiosk-1"), {"service": "HT", "note": "Hộ tịch"}, timeout=10)
    finally:
        client.stop()
    assert reply["ok"] and reply["note"] == "Hộ tịch"
    assert seen[0].response_topic.startswith(bus.topics.client_prefix())
    assert seen[0].correlation_data == reply["id"].encode()


def test_status_is_retained_online_then_offline_on_stop(broker):
    watcher = Watcher(broker.url, "hoa-an")
    bus = DrivenBus(broker.url, "hoa-an", "test-status", device_id="echo", kind="ticketd")
    driver = Driver(bus)
    try:
        topic = watcher.topics.device_status("echo")
        wait_until(lambda: (watcher.latest(topic) or {}).get("state") == "online")
        bus.set_status("degraded", "disk_low")  # from this (foreign) thread: handed to the driver
        status = watcher.wait_state(topic, lambda s: s["state"] == "degraded")
        assert status["detail"] == "disk_low" and status["kind"] == "ticketd"
        driver.stop()
        assert watcher.wait_state(topic, lambda s: s["state"] == "offline")["detail"] is None
    finally:
        driver.stop()
        watcher.close()


CRASHING = """
import sys
from motcua.bus.driven import DrivenBus
bus = DrivenBus(sys.argv[1], "hoa-an", "test-will", device_id="echo", kind="ticketd").start()
while True:
    bus.pump(1.0)
"""


def test_the_last_will_says_offline_when_the_process_is_killed(broker):
    watcher = Watcher(broker.url, "hoa-an")
    process = subprocess.Popen([sys.executable, "-c", CRASHING, broker.url], cwd=ROOT)
    try:
        topic = watcher.topics.device_status("echo")
        wait_until(lambda: (watcher.latest(topic) or {}).get("state") == "online", timeout=20)
        process.kill()
        assert watcher.wait_state(topic, lambda s: s["state"] == "offline")["kind"] == "ticketd"
    finally:
        process.kill()
        process.wait()
        watcher.close()


def test_after_a_broker_restart_it_resubscribes_and_delivers_what_was_queued(broker, echo):
    bus, seen, connects = echo
    watcher = Watcher(broker.url, "hoa-an")
    try:
        wait_until(lambda: connects)
        broker.stop()
        wait_until(lambda: not bus.connected.is_set())
        bus.publish("motcua/hoa-an/test/queued", {"n": 1}, retain=True)  # while the broker is away
        broker.start()
        wait_until(lambda: len(connects) == 2, timeout=20)
        wait_until(lambda: watcher.events("motcua/hoa-an/test/queued"), timeout=20)
        client = BusClient(broker.url, "hoa-an", client_id="test-after").start(wait=10)
        try:
            assert client.request(client.topics.take("kiosk-1"), {"service": "CT"}, timeout=10)["ok"]
        finally:
            client.stop()
    finally:
        watcher.close()


def test_a_burst_of_publishes_is_acknowledged_and_arrives_in_order(broker, echo):
    bus, _seen, _connects = echo
    deliveries = []
    bus.subscribe("motcua/hoa-an/test/go", lambda _msg: deliveries.extend(  # runs in the driving thread
        bus.publish("motcua/hoa-an/test/burst", {"n": n}) for n in range(2000)))
    watcher = Watcher(broker.url, "hoa-an")
    try:
        wait_until(lambda: bus.connected.is_set())
        watcher.bus.publish("motcua/hoa-an/test/go", {})
        wait_until(lambda: len(deliveries) == 2000 and all(d.is_published() for d in deliveries))
        wait_until(lambda: len(watcher.events("motcua/hoa-an/test/burst")) == 2000)
        assert [e["n"] for e in watcher.events("motcua/hoa-an/test/burst")] == list(range(2000))
    finally:
        watcher.close()


def test_the_brokers_receive_maximum_paces_a_burst_without_losing_order(tmp_path):
    """Mosquitto's default lets 20 QoS 1 messages be unacknowledged; here 3."""
    with LocalBroker(workdir=tmp_path, settings=("max_inflight_messages 3",)) as small:
        bus = DrivenBus(small.url, "hoa-an", "test-paced", device_id="echo", kind="ticketd")
        deliveries = []
        bus.subscribe("motcua/hoa-an/test/go", lambda _msg: deliveries.extend(
            bus.publish("motcua/hoa-an/test/burst", {"n": n}) for n in range(300)))
        driver = Driver(bus)
        watcher = Watcher(small.url, "hoa-an")
        try:
            wait_until(lambda: bus.connected.is_set())
            watcher.bus.publish("motcua/hoa-an/test/go", {})
            wait_until(lambda: len(watcher.events("motcua/hoa-an/test/burst")) == 300)
            assert [e["n"] for e in watcher.events("motcua/hoa-an/test/burst")] == list(range(300))
            assert all(d.is_published() for d in deliveries)
        finally:
            watcher.close()
            driver.stop()
