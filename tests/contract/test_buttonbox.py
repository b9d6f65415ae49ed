"""A button-box dispenser on a pty pair: presses print tickets; double presses and closed
services print nothing more."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import yaml

from office_harness import DEMO_CONFIG, ROOT, TicketdProcess, Watcher, wait_until


def read_lines(fd: int, count: int, timeout: float = 20) -> list[str]:
    buffer = b""
    deadline = time.monotonic() + timeout
    while buffer.count(b"\n") < count and time.monotonic() < deadline:
        try:
            buffer += os.read(fd, 256)
        except BlockingIOError:
            time.sleep(0.02)
    return buffer.decode().splitlines()


def test_button_presses_become_printed_tickets(broker, tmp_path):
    master, slave = os.openpty()
    os.set_blocking(master, False)
    port = tmp_path / "ttyBOX"
    port.symlink_to(os.ttyname(slave))
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["devices"]["button_boxes"] = [{
        "id": "box-1", "port": str(port), "printer": "printer-1", "buttons": {1: "HT", 2: "CT", 3: "CUTRU"},
        "debounce_ms": 1500, "ok_line": "OK{n} {number}", "refused_line": "NO{n} {code}",
    }]
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # a Saturday morning: only Cư trú (button 3) issues numbers
    ticketd = TicketdProcess(config, broker.url, tmp_path / "data", now="2026-11-28T08:00:00+07:00").start()
    w = Watcher(broker.url, "hoa-an")
    box = subprocess.Popen([sys.executable, "-m", "motcua", "buttonbox", "-c", str(config)], env=ticketd.env(),
                           cwd=ROOT, stderr=open(tmp_path / "box.log", "wb"))
    try:
        wait_until(lambda: (w.latest(w.topics.device_status("box-1")) or {}).get("state") == "online", timeout=20)
        os.write(master, b"B3\nB3\n")  # a double press
        assert read_lines(master, 1) == ["OK3 H001"]
        os.write(master, b"B1\n")  # Hộ tịch is closed on Saturday
        assert read_lines(master, 1) == ["NO1 service_closed"]
        os.write(master, b"B9\ngarbage\n")  # unmapped button, noise
        time.sleep(2.0)
        os.write(master, b"B3\n")  # after the debounce window: a second ticket
        assert read_lines(master, 1) == ["OK3 H002"]
        jobs = sorted((tmp_path / "data" / "capture" / "printer-1").glob("job-*.bin"))
        assert len(jobs) == 2, "a refused or bounced press printed something"
        assert w.request(w.topics.ticket_query(), {"number": "H003"})["error"]["code"] == "unknown_ticket"
    finally:
        box.terminate()
        box.wait(timeout=10)
        w.close()
        ticketd.stop()
        os.close(master)
        os.close(slave)
