"""The daily reset over MQTT: at the configured time, and at start when the day has changed."""

from __future__ import annotations

import sqlite3

import yaml

from office_harness import DEMO_CONFIG, TicketdProcess, Watcher, wait_until


def office_with(tmp_path, **changes) -> str:
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    data["services"][3]["daily_quota"] = 1  # XD
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def online(w: Watcher) -> bool:
    return (w.latest(w.topics.device_status("ticketd")) or {}).get("state") == "online"


def test_reset_at_the_configured_time_and_at_start(broker, tmp_path):
    config = office_with(tmp_path, reset={"time": "08:00"})
    data = tmp_path / "data"
    ticketd = TicketdProcess(config, broker.url, data, now="2026-11-23T07:59:57+07:00").start()
    w = Watcher(broker.url, "hoa-an")
    try:
        wait_until(lambda: online(w), timeout=20)
        first = w.request(w.topics.take("kiosk-1"), {"service": "XD", "print": False})
        assert first["ticket"]["number"] == "K001"
        over = w.request(w.topics.take("kiosk-1"), {"service": "XD", "print": False})
        assert over["error"]["code"] == "quota_reached"
        assert w.request(w.topics.counter_cmd("3"), {"op": "open", "officer": "cb-dung"})["ok"]
        # 08:00 comes: the day is archived, counters closed, numbers start again
        w.wait_state(w.topics.counter_state("3"), lambda s: s["status"] == "closed" and s["officer"] is None,
                     timeout=20)
        w.wait_state(w.topics.service_state("XD"), lambda s: s["issued_today"] == 0 and s["waiting"] == 0)
        w.wait_state(w.topics.hall(), lambda h: h["waiting_total"] == 0 and h["recent"] == [])
        again = w.request(w.topics.take("kiosk-1"), {"service": "XD", "print": False})
        assert again["ticket"]["number"] == "K001"
        db = sqlite3.connect(data / "ticketd.sqlite3")
        assert db.execute("SELECT count(*) FROM tickets_history WHERE day='2026-11-22'").fetchone()[0] >= 1
        ticketd.stop()
        # a restart on a later day resets at start
        ticketd.now = "2026-11-24T09:00:00+07:00"
        ticketd.start()
        w.wait_state(w.topics.service_state("XD"), lambda s: s["issued_today"] == 0, timeout=20)
        assert w.request(w.topics.take("kiosk-1"), {"service": "XD", "print": False})["ticket"]["number"] == "K001"
        # Saturday: only Cư trú issues numbers
        ticketd.stop()
        ticketd.now = "2026-11-28T09:00:00+07:00"
        ticketd.start()
        wait_until(lambda: w.request(w.topics.ticket_query(), {"number": "K001"}).get("ok") is False, timeout=20)
        closed = w.request(w.topics.take("kiosk-1"), {"service": "HT", "print": False})
        assert closed["error"]["code"] == "service_closed" and "Hộ tịch" in closed["error"]["message"]
        w.wait_state(w.topics.service_state("HT"), lambda s: s["open"] is False)
        assert w.request(w.topics.take("kiosk-1"), {"service": "CUTRU", "print": False})["ticket"]["number"] == "H001"
    finally:
        w.close()
        ticketd.stop()
