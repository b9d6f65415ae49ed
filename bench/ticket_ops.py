"""ticketd throughput and latency against raw floors measured in the same run.

Targets (issue 3): take→reply p99 ≤ 3× the raw MQTT round trip p99; sustained durable ops/s
(take, call_next, finish from several clients) ≥ 50 % of the raw SQLite commit rate.

The machines this runs on are shared and their speed drifts by half within a minute, so each
figure is measured in rounds that alternate with its baseline: raw round trips then takes (the
p99s are of all rounds' samples together), raw commits for a second then the load on ticketd
for a few seconds (each round's ratio against its own baseline; the figure is the median round).
Prints the figures and ratios as text and, with --json FILE, as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
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
    return samples


def latency_rounds(port: int, url: str, rounds: int) -> tuple[list[float], list[float]]:
    """(raw MQTT round trips, take → reply times), measured in alternating rounds."""
    rtt, takes = [], []
    bus = BusClient(url, "hoa-an", client_id="bench-latency").start(wait=10)
    try:
        take_latencies(bus, 50)  # warm-up
        for _ in range(rounds):
            rtt += raw_mqtt_rtt(port, 500)
            takes += take_latencies(bus, 200)
    finally:
        bus.stop()
    return rtt, takes


def sustained_ops(url: str, office: str, rounds: int, seconds: float) -> tuple[list[tuple[float, float]], int]:
    """Kiosks take numbers (while fewer than 150 wait) and counters 1–5 call and finish; per
    round, (raw SQLite commits/s, ticketd replies/s, every one committed before it was sent)."""
    load = Load(url, office)
    try:
        pairs = []
        for index in range(rounds):
            commits = raw_sqlite_commits(1.0)
            pairs.append((commits, load.run(seconds, warmup=1.0 if index == 0 else 0.2)))
        return pairs, len(load.devices)
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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="of load per round")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalBroker() as broker:
        folder = Path(folder)
        with fresh_ticketd(folder / "latency", broker.url):
            rtt, takes = latency_rounds(broker.port, broker.url, options.rounds)
        with fresh_ticketd(folder / "throughput", broker.url):
            rounds, clients = sustained_ops(broker.url, "hoa-an", options.rounds, options.seconds)
    ratios = [ops / commits for commits, ops in rounds]
    result = {
        "raw_rtt_p50_ms": percentile(rtt, 50) * 1000, "raw_rtt_p99_ms": percentile(rtt, 99) * 1000,
        "raw_commits_per_s": statistics.median(c for c, _o in rounds),
        "take_p50_ms": percentile(takes, 50) * 1000, "take_p99_ms": percentile(takes, 99) * 1000,
        "ops_per_s": statistics.median(o for _c, o in rounds), "clients": clients,
        "rounds": [{"raw_commits_per_s": c, "ops_per_s": o} for c, o in rounds],
    }
    result["take_p99_ratio"] = result["take_p99_ms"] / result["raw_rtt_p99_ms"]
    result["ops_ratio"] = statistics.median(ratios)
    print(f"raw MQTT round trip:   {describe(rtt)}")
    print(f"take → reply:          {describe(takes)}")
    for index, (commits, ops) in enumerate(rounds, 1):
        print(f"round {index}: raw SQLite commits {commits:,.0f}/s (WAL, synchronous=FULL), sustained durable ops "
              f"{ops:,.0f}/s with {clients} clients (take, call_next, finish): {ops / commits:.2f}")
    print(f"ratio take p99 / raw RTT p99: {result['take_p99_ratio']:.2f}  (target ≤ 3)")
    print(f"ratio ops/s / raw commits/s:  {result['ops_ratio']:.2f}  (target ≥ 0.5; median of "
          f"{len(rounds)} rounds, each against its own baseline; lowest {min(ratios):.2f}, highest {max(ratios):.2f})")
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
