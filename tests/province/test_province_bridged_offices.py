"""End to end: two offices (real ticketd, own Mosquitto each) bridged to a provincial Mosquitto,
the aggregator (``python -m province``) writing to PostgreSQL, a bridge cut that loses and
doubles nothing, and the dashboard opened in headless Chromium after a one-time login link."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest
import yaml
from paho.mqtt.enums import CallbackAPIVersion
from PIL import Image

from province_brokers import PersistentBroker, office_broker
from motcua.broker import free_port
from office_harness import DEMO_CONFIG, MONDAY_8AM, ROOT, TicketdProcess, Watcher, wait_until

ARTIFACTS = ROOT / "artifacts" / "province"
OFFICES = {"hoa-an": "Phường Hòa An", "hoa-minh": "Phường Hòa Minh"}
PASSWORD = "giam-sat-da-nang-2026"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.timeout(300)


def _office_config(folder: Path, office: str) -> Path:
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["office"]["id"] = office
    data["office"]["name"] = "Trung tâm Phục vụ hành chính công " + OFFICES[office].replace("Phường", "phường")
    path = folder / f"{office}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class Office:
    """One office: its broker (bridged to the province), its ticketd, and a watcher of its topics."""

    def __init__(self, office: str, folder: Path, province_port: int) -> None:
        self.office = office
        self.broker = office_broker(folder / f"broker-{office}", office, province_port).start()
        self.ticketd = TicketdProcess(_office_config(folder, office), self.broker.url, folder / f"data-{office}").start()
        self.watcher = Watcher(self.broker.url, office)
        self.takes = 0
        self.ratings = 0
        self.finished = 0

    def online(self) -> bool:
        return (self.watcher.latest(self.watcher.topics.device_status("ticketd")) or {}).get("state") == "online"

    def request(self, topic: str, payload: dict) -> dict:
        reply = self.watcher.request(topic, payload)
        assert reply["ok"], reply
        return reply

    def take(self, service: str) -> str:
        self.takes += 1
        return self.request(self.watcher.topics.take("kiosk-1"), {"service": service, "print": False})["ticket"]["number"]

    def open(self, counter: str, officer: str) -> None:
        self.request(self.watcher.topics.counter_cmd(counter), {"op": "open", "officer": officer})

    def serve_and_rate(self, counter: str, level: str) -> str:
        topics = self.watcher.topics
        number = self.request(topics.counter_cmd(counter), {"op": "call_next"})["ticket"]["number"]
        self.request(topics.counter_cmd(counter), {"op": "start"})
        self.request(topics.counter_cmd(counter), {"op": "finish", "outcome": "received"})
        self.finished += 1
        reasons = ["Chờ lâu"] if level == "dissatisfied" else []
        self.request(topics.counter_rating(counter), {"ticket": number, "level": level, "reasons": reasons})
        self.ratings += 1
        return number

    def event_ids(self, kind: str) -> set[str]:
        return {e["id"] for e in self.watcher.events(f"{self.watcher.topics.root}/event/{kind}")}

    def close(self) -> None:
        self.watcher.close()
        self.ticketd.stop()
        self.broker.stop()


def _ids(dsn: str, table: str, office: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(f"SELECT event_id FROM {table} WHERE office = %s", (office,))]


def _scalar(dsn: str, sql: str, *params):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _all_arrived(dsn: str, offices: list[Office]) -> bool:
    return all(set(_ids(dsn, "ticket_events", o.office)) == o.event_ids("ticket")
               and set(_ids(dsn, "ratings", o.office)) == o.event_ids("rating") for o in offices)


def _cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "province", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _chromium(url: str, *extra: str) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "chromium is not installed (apt-get install chromium)"
    with tempfile.TemporaryDirectory(prefix="motcua-chromium-") as profile:
        done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _row(dom: str, office: str) -> list[str]:
    match = re.search(rf'<tr id="row-{office}"[^>]*>(.*?)</tr>', dom, re.S)
    assert match, f"no row for {office}"
    return [re.sub(r"<[^>]+>", " ", cell).split()[0] if i else re.sub(r"<[^>]+>", "|", cell)
            for i, cell in enumerate(re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S))]


def test_two_offices_through_a_bridge_cut_into_postgres_and_the_dashboard(dsn, tmp_path):
    province_broker = PersistentBroker(tmp_path / "broker-province").start()
    offices: list[Office] = []
    aggregator = None
    try:
        offices = [Office(name, tmp_path, province_broker.port) for name in OFFICES]
        started = time.time()
        wait_until(lambda: all(o.online() for o in offices), timeout=30)

        http_port = free_port()
        config = tmp_path / "province.yaml"
        config.write_text(yaml.safe_dump({
            "province": {"name": "Thành phố Đà Nẵng"},
            "broker": {"url": province_broker.url, "client_id": "motcua-province-test"},
            "database": {"dsn": dsn},
            "http": {"host": "127.0.0.1", "port": http_port},
            "users_file": "province-users",
            "offices": OFFICES,
            "live": {"min_interval_s": 0.2, "chart_every_s": 1},
        }, allow_unicode=True), encoding="utf-8")
        now = datetime.fromisoformat(MONDAY_8AM) + timedelta(seconds=time.time() - started)
        env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_NOW=now.isoformat())
        env.pop("MOTCUA_MQTT_URL", None)
        _cli(env, "-c", str(config), "add-user", "giamsat", stdin=PASSWORD + "\n")
        log = open(tmp_path / "province.log", "wb")
        aggregator = subprocess.Popen([sys.executable, "-m", "province", "-c", str(config), "run"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=log)
        wait_until(lambda: _healthy(http_port), timeout=30)

        # -- morning: both offices serve, citizens rate; the province sees it all ---------------
        for office in offices:
            office.open("1", "cb-lan")
            office.open("2", "cb-thao")
            for service in ("HT", "HT", "CT", "HT", "CT"):
                office.take(service)
            office.serve_and_rate("1", "very_satisfied")
            office.serve_and_rate("2", "dissatisfied")
        an = offices[0]
        an.watcher.bus.publish(an.watcher.topics.camera_health("cam-hall"),
                               {"state": "live", "fps": 15.0, "kbps": 900.0, "at": now.isoformat()})
        an.watcher.bus.publish(an.watcher.topics.camera_health("cam-counters"),
                               {"state": "frozen", "fps": 0.0, "kbps": 0.0, "at": now.isoformat()})
        an.watcher.bus.publish(an.watcher.topics.stats(), {
            "received_today": 14, "in_progress": 31, "on_time": 120, "overdue": 2, "period": "month",
            "source": "import", "updated_at": now.isoformat()}, retain=True)
        wait_until(lambda: _all_arrived(dsn, offices), timeout=30)
        assert _scalar(dsn, "SELECT overdue FROM office_stats WHERE office = 'hoa-an'") == 2

        # -- the provincial broker goes down; offices keep working ------------------------------
        province_broker.stop()
        for office in offices:
            for service in ("HT", "CT", "HT"):
                office.take(service)
            office.serve_and_rate("1", "satisfied")
        province_broker.start()  # same port, same persistence folder
        wait_until(lambda: _all_arrived(dsn, offices), timeout=60)

        # -- an office resends events the province already has -----------------------------------
        known = an.watcher.events(f"{an.watcher.topics.root}/event/ticket")[:3]
        known += an.watcher.events(f"{an.watcher.topics.root}/event/rating")[:1]
        _publish_direct(province_broker.port, [(f"{an.watcher.topics.root}/event/{'rating' if 'rating' in e else 'ticket'}",
                                                e) for e in known] + [(an.watcher.topics.device_status("marker"), {
                                                    "device": "marker", "kind": "test", "state": "online",
                                                    "updated_at": now.isoformat()})])
        wait_until(lambda: _scalar(dsn, "SELECT count(*) FROM devices WHERE device = 'marker'") == 1, timeout=30)

        for office in offices:
            events = _ids(dsn, "ticket_events", office.office)
            assert len(events) == len(set(events)) == len(office.event_ids("ticket"))
            assert _scalar(dsn, "SELECT count(*) FROM tickets WHERE office = %s", office.office) == office.takes == 8
            assert _scalar(dsn, "SELECT count(*) FROM ticket_events WHERE office = %s AND op = 'take'",
                           office.office) == office.takes
            assert len(_ids(dsn, "ratings", office.office)) == office.ratings == 3
            assert _scalar(dsn, "SELECT sum(very_satisfied + satisfied + dissatisfied) FROM rating_daily "
                                "WHERE office = %s", office.office) == office.ratings
            assert _scalar(dsn, "SELECT count(*) FROM tickets WHERE office = %s AND state = 'done'",
                           office.office) == office.finished

        # -- the dashboard, as a supervisor sees it ---------------------------------------------
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot = ARTIFACTS / "dashboard.png"
        screenshot.unlink(missing_ok=True)
        _chromium(_cli(env, "-c", str(config), "login-link", "giamsat"), f"--screenshot={screenshot}",
                  "--window-size=1600,1000")
        with Image.open(screenshot) as image:
            assert image.size == (1600, 1000)
            assert len(image.convert("RGB").resize((64, 40)).getcolors(64 * 40)) > 20  # a page, not a blank
        dom = _chromium(_cli(env, "-c", str(config), "login-link", "giamsat"), "--dump-dom")
        assert "Giám sát Bộ phận Một cửa" in dom and "Đăng nhập giám sát" not in dom
        for office in offices:
            hall = office.watcher.latest(office.watcher.topics.hall())
            cells = _row(dom, office.office)
            assert OFFICES[office.office] in cells[0]
            assert cells[1] == str(hall["waiting_total"]) == "5"  # 8 taken, 3 served
            assert cells[3] == "2/5" and cells[4] == str(office.finished)
            assert cells[5] == cells[6] == "67%"  # 2 of 3 ratings satisfied or better
        assert _row(dom, "hoa-an")[7] == "2" and _row(dom, "hoa-an")[9] == "1/2"  # overdue; a frozen camera
        office_shot = ARTIFACTS / "office-hoa-an.png"
        office_shot.unlink(missing_ok=True)
        _chromium(_cli(env, "-c", str(config), "login-link", "giamsat", "--next", "/office/hoa-an"),
                  f"--screenshot={office_shot}", "--window-size=1600,1000")
        assert office_shot.stat().st_size > 10_000

        aggregator.send_signal(signal.SIGTERM)
        assert aggregator.wait(timeout=30) == 0
    finally:
        if aggregator and aggregator.poll() is None:
            aggregator.kill()
            aggregator.wait()
        for office in offices:
            office.close()
        province_broker.stop()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _publish_direct(port: int, messages: list[tuple[str, dict]]) -> None:
    """Publish to the provincial broker as an office's bridge would (QoS 1, acknowledged)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-resend", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for topic, payload in messages:
            client.publish(topic, json.dumps(payload, ensure_ascii=False), 1).wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()
