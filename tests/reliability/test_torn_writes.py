"""SQLite after a power cut: a snapshot of the files taken mid-write opens clean and consistent."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import threading
import time

from motcua.bus import BusClient
from campaign import Ledger, kiosk
from office_harness import DEMO_CONFIG, TicketdProcess, Watcher, wait_until
from ticketd.store import Store


def snapshot(data, target, process) -> None:
    """Freeze ticketd mid-run and copy its files, as a power cut would leave them."""
    process.send_signal(signal.SIGSTOP)
    try:
        target.mkdir()
        for path in data.glob("ticketd.sqlite3*"):
            shutil.copy2(path, target / path.name)
    finally:
        process.send_signal(signal.SIGCONT)


def check_consistent(path) -> None:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    store = Store(path)
    tickets = store.load_tickets(store.day())
    by_prefix: dict[str, list[int]] = {}
    for ticket in tickets:
        by_prefix.setdefault(ticket.number[0], []).append(ticket.seq)
    for seqs in by_prefix.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    answered = {row[0] for row in store.db.execute("SELECT ticket FROM requests WHERE ticket IS NOT NULL")}
    assert answered <= {t.number for t in tickets}, "a reply refers to a ticket that is not stored"
    store.close()


def test_snapshots_mid_run_open_consistent(broker, tmp_path):
    data = tmp_path / "data"
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, data).start()
    watcher = Watcher(broker.url, "hoa-an")
    buses = [BusClient(broker.url, "hoa-an", client_id=f"torn-{i}").start(wait=10) for i in range(2)]
    try:
        wait_until(lambda: (watcher.latest(watcher.topics.device_status("ticketd")) or {}).get("state") == "online",
                   timeout=20)
        ledger = Ledger()
        workers = [threading.Thread(target=kiosk, args=(bus, ledger, 80, i)) for i, bus in enumerate(buses)]
        for worker in workers:
            worker.start()
        snapshots = []
        for index in range(4):
            time.sleep(0.2)
            target = tmp_path / f"snap{index}"
            snapshot(data, target, ticketd.process)
            snapshots.append(target)
        for worker in workers:
            worker.join()
        for target in snapshots:
            check_consistent(target / "ticketd.sqlite3")
        ticketd.kill()  # and the real file after a SIGKILL
        check_consistent(data / "ticketd.sqlite3")
    finally:
        for bus in buses:
            bus.stop()
        watcher.close()
        ticketd.stop()
