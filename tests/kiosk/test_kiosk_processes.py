"""``motcua kiosk`` headless with screenshots (as the demo runs it) and ``motcua stats``, each as
a real process next to the test office."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from kiosk_support import ROOT, kiosk_env_for
from office_harness import wait_until

pytestmark = pytest.mark.timeout(240)


def test_headless_kiosk_tours_every_screen_and_saves_screenshots(office, write_office, tmp_path) -> None:
    ticketd, watcher = office
    config = write_office()
    screens = tmp_path / "screens"
    env = kiosk_env_for(ticketd.env())
    log = open(tmp_path / "kiosk.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua", "kiosk", "-c", str(config), "--kiosk", "kiosk-2", "--screenshots",
         str(screens), "--tour"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: any(screens.glob("*-dossier_result.png")) or process.poll() is not None, timeout=150,
                   interval=0.5)
        assert process.poll() is None, (tmp_path / "kiosk.log").read_text()
        status = watcher.wait_state(watcher.topics.device_status("kiosk-2"), lambda s: s.get("state") == "online")
        assert status["kind"] == "kiosk"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    names = [path.name.split("-", 1)[1] for path in sorted(screens.glob("*.png"))]
    for expected in ("home.png", "fields.png", "services.png", "ticket.png", "search-results.png", "procedure.png",
                     "factor.png", "dossier_result.png"):
        assert expected in names, names
    assert names[0] == "home.png"
    replies = [m for t, m in watcher.messages if "/reply/kiosk-2." in t and isinstance(m, dict)]
    assert replies and replies[0]["ok"] and replies[0]["printer"] == "printer-2"
    final = watcher.latest(watcher.topics.device_status("kiosk-2"))
    assert final["state"] == "offline"


def latest_stats(watcher, predicate, timeout: float = 30) -> dict:
    """The newest ``stats`` payload satisfying ``predicate`` (live retained messages arrive without
    the retain flag, so they are looked up among the events)."""

    def find():
        events = [e for e in watcher.events(watcher.topics.stats()) if isinstance(e, dict)]
        return events[-1] if events and predicate(events[-1]) else None

    return wait_until(find, timeout=timeout)


def test_stats_service_publishes_and_follows_the_export(office, write_office, tmp_path) -> None:
    ticketd, watcher = office
    config = write_office(dossiers={"kind": "import", "path": "dossiers.csv", "stats_interval_s": 600})
    export = config.parent / "dossiers.csv"
    log = open(tmp_path / "stats.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "motcua", "stats", "-c", str(config)], env=ticketd.env(),
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        stats = latest_stats(watcher, lambda s: "received_today" in s)
        assert {k: stats[k] for k in ("received_today", "in_progress", "on_time", "overdue", "period", "source")} == {
            "received_today": 4, "in_progress": 10, "on_time": 9, "overdue": 5, "period": "2026-11",
            "source": "import:dossiers.csv"}
        assert stats["updated_at"].startswith("2026-11-23T08:0")
        time.sleep(1.1)  # a new modification time even on coarse file systems
        with export.open("a", encoding="utf-8") as f:
            f.write("000.31.17.H17-261123-0005,Đăng ký khai tử,Hộ tịch,Lê Thị Tư,048150001111,"
                    "23/11/2026 07:50,23/11/2026 16:30,,,Chờ xử lý,Quầy 1\n")
        stats = latest_stats(watcher, lambda s: s.get("received_today") == 5)
        assert stats["in_progress"] == 11
        status = watcher.wait_state(watcher.topics.device_status("stats"), lambda s: s.get("state") == "online")
        assert status["kind"] == "stats"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_stats_without_a_source_is_a_usage_error(office, write_office) -> None:
    ticketd, _watcher = office
    config = write_office(dossiers={"kind": "import", "path": None})
    result = subprocess.run([sys.executable, "-m", "motcua", "stats", "-c", str(config), "--once"],
                            env=ticketd.env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "dossiers.path" in result.stderr
