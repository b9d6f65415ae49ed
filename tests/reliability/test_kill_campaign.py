"""kill -9 campaign: ticketd is SIGKILLed at random moments under a whole office's load."""

from __future__ import annotations

import random
import sqlite3
import threading
import time

import pytest

from motcua.bus import BusClient
from campaign import Ledger, counter, kiosk
from office_harness import TicketdProcess, Watcher, open_all_day_config, wait_until


@pytest.mark.timeout(1800)
def test_kill_9_campaign(broker, tmp_path, soak):
    data = tmp_path / "data"
    ticketd = TicketdProcess(open_all_day_config(tmp_path), broker.url, data).start()
    watcher = Watcher(broker.url, "hoa-an")
    buses = [BusClient(broker.url, "hoa-an", client_id=f"campaign-{i}").start(wait=10) for i in range(5)]
    ledger, stop = Ledger(), threading.Event()
    takes = 400 if soak else 60
    kills = 12 if soak else 3
    try:
        wait_until(lambda: (watcher.latest(watcher.topics.device_status("ticketd")) or {}).get("state") == "online",
                   timeout=20)
        workers = [threading.Thread(target=kiosk, args=(buses[i], ledger, takes, i)) for i in (0, 1)]
        workers += [threading.Thread(target=counter, args=(buses[2 + i], ledger, c, o, 10 * takes, stop))
                    for i, (c, o) in enumerate((("2", "cb-thao"), ("5", "cb-khoa"), ("4", "cb-ngoc")))]
        for worker in workers:
            worker.start()
        rng = random.Random(42)
        for _ in range(kills):
            time.sleep(rng.uniform(0.3, 1.5))
            ticketd.kill()
            time.sleep(rng.uniform(0, 0.3))
            ticketd.start()
        for worker in workers[:2]:
            worker.join()
        wait_until(lambda: len(ledger.finished) >= 2 * takes - 5 or None, timeout=600)
        stop.set()
        for worker in workers[2:]:
            worker.join()

        numbers = [r["ticket"]["number"] for r in ledger.tickets.values()]
        assert len(numbers) == 2 * takes and len(set(numbers)) == len(numbers), "a ticket was issued twice"
        for prefix in "BHE":
            seqs = sorted(int(n[1:]) for n in numbers if n.startswith(prefix))
            assert seqs == list(range(1, len(seqs) + 1)), f"numbers of {prefix} have gaps"
        db = sqlite3.connect(data / "ticketd.sqlite3")
        assert {r[0] for r in db.execute("SELECT number FROM tickets")} == set(numbers), "a ticket was lost"
        ratings = [r[0] for r in db.execute("SELECT ticket FROM ratings")]
        assert sorted(ratings) == sorted(set(ledger.finished)), "a rating was lost or counted twice"
        for code in ("CT", "CUTRU", "VHXH"):
            waiting, issued = db.execute(
                "SELECT sum(state='waiting'), count(*) FROM tickets WHERE service=?", (code,)).fetchone()
            watcher.wait_state(watcher.topics.service_state(code),
                               lambda s, w=waiting or 0, i=issued: s["waiting"] == w and s["issued_today"] == i)
        for counter_id, status, current in db.execute("SELECT id, status, current FROM counters"):
            watcher.wait_state(watcher.topics.counter_state(counter_id),
                               lambda s, st=status, cu=current: s["status"] == st and
                               (s["current"] or {}).get("number") == cu)
    finally:
        stop.set()
        for bus in buses:
            bus.stop()
        watcher.close()
        ticketd.stop()
