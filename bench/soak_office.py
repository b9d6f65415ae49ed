"""Soak: a working day of the demo office (07:30–15:30) at 60× speed against one ticketd.

Citizens arrive, counters call, serve and finish, pads rate, someone sends junk now and then.
ticketd's resident memory and open file handles are sampled; target: growth over the run ≤ 5 %
(last samples against those after the first quarter, when caches have filled).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the project on sys.path)

from motcua.broker import LocalBroker
from motcua.bus import BusClient, RequestTimeout
from tests.office_harness import DEMO_CONFIG, TicketdProcess, wait_online

SPEED = 60


def sample(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def load(url: str, stop: threading.Event, counts: dict) -> None:
    rng = random.Random(3)
    kiosk = BusClient(url, "hoa-an", client_id="soak-kiosk").start(wait=10)
    staff = {"1": "cb-lan", "2": "cb-thao", "3": "cb-dung", "4": "cb-ngoc", "5": "cb-khoa"}
    counters = {c: BusClient(url, "hoa-an", client_id=f"soak-counter-{c}").start(wait=10) for c in staff}

    def ask(bus: BusClient, topic: str, payload: dict) -> dict | None:
        try:
            return bus.request(topic, payload, timeout=10)
        except RequestTimeout:
            counts["timeouts"] += 1
            return None

    def counter_loop(cid: str, bus: BusClient) -> None:
        ask(bus, bus.topics.counter_cmd(cid), {"op": "open", "officer": staff[cid]})
        while not stop.is_set():
            called = ask(bus, bus.topics.counter_cmd(cid), {"op": "call_next"})
            if not called or not called["ok"]:
                stop.wait(2)
                continue
            stop.wait(rng.uniform(4, 10))  # 4–10 office minutes at 60×
            done = ask(bus, bus.topics.counter_cmd(cid), {"op": "finish", "outcome": "received"})
            counts["served"] += 1
            if done and done["ok"] and rng.random() < 0.8:
                ask(bus, bus.topics.counter_rating(cid), {"ticket": done["ticket"]["number"], "level": "satisfied"})
                counts["ratings"] += 1

    threads = [threading.Thread(target=counter_loop, args=item, daemon=True) for item in counters.items()]
    for thread in threads:
        thread.start()
    codes = ["HT", "CT", "DD", "XD", "DKKD", "VHXH", "TP", "CUTRU"]
    while not stop.is_set():
        reply = ask(kiosk, kiosk.topics.take("kiosk-1"), {"service": rng.choice(codes), "print": False})
        counts["takes" if reply and reply["ok"] else "refused"] += 1
        if rng.random() < 0.05:
            kiosk.publish(kiosk.topics.take("kiosk-1"), b'{"id": "junk", "service": ')
        ask(kiosk, kiosk.topics.ticket_query(), {"number": "A001"})
        stop.wait(rng.expovariate(1.0))
    for thread in threads:
        thread.join()
    for bus in (kiosk, *counters.values()):
        bus.stop()


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0, help="office hours to simulate")
    parser.add_argument("--json")
    options = parser.parse_args()
    seconds = options.hours * 3600 / SPEED
    counts = {"takes": 0, "refused": 0, "served": 0, "ratings": 0, "timeouts": 0}
    with tempfile.TemporaryDirectory() as folder, LocalBroker() as broker:
        ticketd = TicketdProcess(DEMO_CONFIG, broker.url, Path(folder) / "data", now="2026-11-23T07:30:00+07:00",
                                 extra_env={"MOTCUA_SPEED": str(SPEED)}).start()
        wait_online(broker.url)
        stop = threading.Event()
        worker = threading.Thread(target=load, args=(broker.url, stop, counts))
        worker.start()
        samples = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            samples.append(sample(ticketd.process.pid))
            time.sleep(min(10, seconds / 40))
        stop.set()
        worker.join()
        alive = ticketd.process.poll() is None
        ticketd.stop()
    quarter = samples[len(samples) // 4: len(samples) // 4 + 3]
    last = samples[-3:]
    rss_growth = (sum(s[0] for s in last) / len(last)) / (sum(s[0] for s in quarter) / len(quarter)) - 1
    fd_growth = (sum(s[1] for s in last) / len(last)) / (sum(s[1] for s in quarter) / len(quarter)) - 1
    result = {"office_hours": options.hours, "speed": SPEED, **counts, "ticketd_alive": alive,
              "rss_kib_start": quarter[0][0], "rss_kib_end": last[-1][0], "rss_growth": rss_growth,
              "fds_start": quarter[0][1], "fds_end": last[-1][1], "fd_growth": fd_growth}
    print(f"soak: {options.hours:g} office hours at {SPEED}× — {counts['takes']} numbers, {counts['served']} served, "
          f"{counts['ratings']} ratings, {counts['refused']} refused, {counts['timeouts']} timeouts")
    print(f"ticketd RSS {quarter[0][0]} → {last[-1][0]} KiB (growth {rss_growth:+.1%}, target ≤ +5 %); "
          f"open files {quarter[0][1]} → {last[-1][1]} (growth {fd_growth:+.1%})")
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
