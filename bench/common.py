"""Shared pieces of the benchmarks: an office config open all day, percentiles, raw floors."""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO = ROOT / "config" / "examples" / "demo-office.yaml"
MONDAY_8AM = "2026-11-23T08:00:00+07:00"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def raw_mqtt_rtt(port: int, count: int = 2000) -> list[float]:
    """Round trips of a QoS 1 request answered by an echo client, both with TCP_NODELAY."""
    from motcua.bus.client import set_nodelay

    def client(name: str) -> mqtt.Client:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{name}-{os.getpid()}", protocol=mqtt.MQTTv5)
        c.on_socket_open = set_nodelay
        c.connect("127.0.0.1", port)
        c.loop_start()
        return c

    echo, requester = client("echo"), client("req")
    got = threading.Event()
    echo.on_message = lambda c, _u, msg: c.publish("bench/reply", msg.payload, 1)
    requester.on_message = lambda _c, _u, _msg: got.set()
    subscribed = threading.Event()
    echo.on_subscribe = requester.on_subscribe = lambda *_a: subscribed.set()
    echo.subscribe("bench/req", 1)
    subscribed.wait(5)
    subscribed.clear()
    requester.subscribe("bench/reply", 1)
    subscribed.wait(5)
    samples = []
    for i in range(count):
        got.clear()
        start = time.perf_counter()
        requester.publish("bench/req", b'{"id":"x%d"}' % i, 1)
        got.wait(5)
        samples.append(time.perf_counter() - start)
    for c in (echo, requester):
        c.loop_stop()
        c.disconnect()
    return samples[100:]


def raw_sqlite_commits(seconds: float = 2.0) -> float:
    """Commits per second of one small row per transaction, WAL with synchronous=FULL."""
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
        count, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t (payload) VALUES (?)", ("x" * 200,))
            db.execute("COMMIT")
            count += 1
        db.close()
    return count / seconds


def describe(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:.2f} ms, p99 {percentile(values, 99) * 1000:.2f} ms, "
            f"mean {statistics.mean(values) * 1000:.2f} ms (n={len(values)})")
