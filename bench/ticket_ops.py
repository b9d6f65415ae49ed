"""ticketd throughput and latency against raw floors measured in the same run.

Targets (issue 3): take→reply p99 ≤ 3× the raw MQTT round trip p99; sustained durable ops/s
(take, call_next, finish from several clients) ≥ 50 % of the raw SQLite commit rate.
Prints the figures and ratios as text and, with --json FILE, as JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from common import MONDAY_8AM, describe, percentile, raw_mqtt_rtt, raw_sqlite_commits

from motcua.broker import LocalBroker
from motcua.bus import BusClient
from tests.office_harness import TicketdProcess, open_all_day_config, wait_online


def take_latencies(bus: BusClient, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        reply = bus.request(bus.topics.take("kiosk-1"), {"service": "CT", "print": False}, timeout=10)
        samples.append(time.perf_counter() - start)
        assert reply["ok"], reply
    return samples[50:]


def sustained_ops(url: str, office: str, seconds: float, takers: int = 3) -> tuple[float, int]:
    """Kiosks take numbers while counters 1–5 call and finish; durable replies per second."""
    stop = threading.Event()
    done = [0]
    lock = threading.Lock()
    buses = []

    def client(name: str) -> BusClient:
        bus = BusClient(url, office, client_id=f"bench-{name}").start(wait=10)
        buses.append(bus)
        return bus

    def kiosk(index: int) -> None:
        bus = client(f"kiosk{index}")
        while not stop.is_set():
            bus.request(bus.topics.take("kiosk-1"), {"service": ["HT", "CT", "CUTRU", "DD", "DKKD"][index % 5],
                                                     "print": False}, timeout=10)
            with lock:
                done[0] += 1

    def counter(counter_id: str, officer: str) -> None:
        bus = client(f"counter{counter_id}")
        bus.request(bus.topics.counter_cmd(counter_id), {"op": "open", "officer": officer})
        while not stop.is_set():
            reply = bus.request(bus.topics.counter_cmd(counter_id), {"op": "call_next"}, timeout=10)
            ops = 1
            if reply["ok"]:
                bus.request(bus.topics.counter_cmd(counter_id), {"op": "finish", "outcome": "received"}, timeout=10)
                ops += 1
            with lock:
                done[0] += ops

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(takers)]
    threads += [threading.Thread(target=counter, args=(c, o)) for c, o in
                (("1", "cb-lan"), ("2", "cb-thao"), ("5", "cb-huong"))]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    with lock:
        start_count, start = done[0], time.perf_counter()
    time.sleep(seconds)
    with lock:
        count, elapsed = done[0] - start_count, time.perf_counter() - start
    stop.set()
    for thread in threads:
        thread.join()
    for bus in buses:
        bus.stop()
    return count / elapsed, len(threads)


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalBroker() as broker:
        folder = Path(folder)
        rtt = raw_mqtt_rtt(broker.port)
        commits = raw_sqlite_commits()
        ticketd = TicketdProcess(open_all_day_config(folder), broker.url, folder / "data", now=MONDAY_8AM).start()
        try:
            bus = BusClient(broker.url, "hoa-an", client_id="bench-latency").start(wait=10)
            wait_online(broker.url)
            takes = take_latencies(bus, 1000)
            bus.stop()
            ops, clients = sustained_ops(broker.url, "hoa-an", options.seconds)
        finally:
            ticketd.stop()
    result = {
        "raw_rtt_p50_ms": percentile(rtt, 50) * 1000, "raw_rtt_p99_ms": percentile(rtt, 99) * 1000,
        "raw_commits_per_s": commits,
        "take_p50_ms": percentile(takes, 50) * 1000, "take_p99_ms": percentile(takes, 99) * 1000,
        "ops_per_s": ops, "clients": clients,
    }
    result["take_p99_ratio"] = result["take_p99_ms"] / result["raw_rtt_p99_ms"]
    result["ops_ratio"] = ops / commits
    print(f"raw MQTT round trip:   {describe(rtt)}")
    print(f"raw SQLite commits:    {commits:,.0f}/s (WAL, synchronous=FULL)")
    print(f"take → reply:          {describe(takes)}")
    print(f"sustained durable ops: {ops:,.0f}/s with {clients} clients (take, call_next, finish)")
    print(f"ratio take p99 / raw RTT p99: {result['take_p99_ratio']:.2f}  (target ≤ 3)")
    print(f"ratio ops/s / raw commits/s:  {result['ops_ratio']:.2f}  (target ≥ 0.5)")
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
