"""ticketd throughput and latency against raw floors measured in the same run.

Targets (issue 3): take→reply p99 ≤ 3× the raw MQTT round trip p99; sustained durable ops/s
(take, call_next, finish from several clients) ≥ 50 % of the raw SQLite commit rate.
Prints the figures and ratios as text and, with --json FILE, as JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from common import MONDAY_8AM, describe, percentile, raw_mqtt_rtt, raw_sqlite_commits
from mqtt_load import Load

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


def sustained_ops(url: str, office: str, seconds: float) -> tuple[float, int]:
    """Kiosks take numbers (while fewer than 150 wait) and counters 1–5 call and finish;
    replies per second, every one committed before it was sent."""
    load = Load(url, office)
    try:
        return load.run(seconds), len(load.devices)
    finally:
        load.close()


@contextmanager
def fresh_ticketd(folder: Path, url: str):
    """ticketd on a fresh database of the demo office open all day, online before it is used."""
    folder.mkdir()
    ticketd = TicketdProcess(open_all_day_config(folder), url, folder / "data", now=MONDAY_8AM).start()
    try:
        wait_online(url)
        yield ticketd
    finally:
        ticketd.stop()


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalBroker() as broker:
        folder = Path(folder)
        rtt = raw_mqtt_rtt(broker.port)
        commits = raw_sqlite_commits()
        with fresh_ticketd(folder / "latency", broker.url):
            bus = BusClient(broker.url, "hoa-an", client_id="bench-latency").start(wait=10)
            takes = take_latencies(bus, 1000)
            bus.stop()
        with fresh_ticketd(folder / "throughput", broker.url):
            ops, clients = sustained_ops(broker.url, "hoa-an", options.seconds)
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
