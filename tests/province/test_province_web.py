"""The aggregator and dashboard in one process against a real broker and PostgreSQL:
login required everywhere, figures on the page, updates pushed as server-sent events."""

from __future__ import annotations

import http.client
import json
import threading
from datetime import datetime, timedelta
from urllib.parse import urlencode

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from motcua.clock import Clock
from office_harness import wait_until
from province.app import ProvinceService
from province.auth import Users, create_login_link
from province.config import ProvinceConfig
from province.simulate import SimOffice

NOW = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
PASSWORD = "mat-khau-giam-sat"


class Browser:
    """Plain HTTP requests with the dashboard's session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie: str | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8")
        found = {k.lower(): v for k, v in response.getheaders()}
        if "set-cookie" in found:
            self.cookie = found["set-cookie"].split(";")[0]
        conn.close()
        return response.status, found, text

    def login(self) -> None:
        status, headers, _ = self.request("POST", "/login", {"user": "giamsat", "password": PASSWORD})
        assert status == 303 and headers["location"] == "/"


@pytest.fixture
def service(broker, dsn, tmp_path):
    cfg = ProvinceConfig.model_validate({
        "province": {"name": "Tỉnh Quảng Nam"}, "broker": {"url": broker.url, "client_id": f"agg-{tmp_path.name}"},
        "database": {"dsn": dsn}, "http": {"port": 0}, "users_file": str(tmp_path / "users"),
        "offices": {"hoa-an": "Phường Hòa An"}, "live": {"min_interval_s": 0.1, "chart_every_s": 1},
    })
    Users(cfg.users_file).set_password("giamsat", PASSWORD)
    running = ProvinceService(cfg, Clock(start=NOW)).start()
    assert running.aggregator.connected.wait(10)
    yield running
    running.stop()


@pytest.fixture
def publisher(broker):
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-office-publisher", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    yield lambda messages: [client.publish(t, json.dumps(p, ensure_ascii=False), 1, r).wait_for_publish(5)
                            for t, p, r in messages]
    client.loop_stop()
    client.disconnect()


def _busy_office(publisher) -> SimOffice:
    sim = SimOffice("hoa-an", counters=3)
    at = NOW - timedelta(minutes=50)
    messages = sim.opening(at)
    for minute in range(6):
        messages += sim.take("HT", at + timedelta(minutes=minute))
    messages += sim.call_next("1", at + timedelta(minutes=10)) + sim.start("1", at + timedelta(minutes=11))
    finished, ticket = sim.finish("1", at + timedelta(minutes=20))
    messages += finished + sim.rate(ticket, "satisfied", at + timedelta(minutes=21))
    publisher(messages)
    return sim


def _pg_count(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchone()[0]


def test_every_page_needs_a_login_and_there_is_no_default_account(service):
    browser = Browser(service.dashboard.address[1])
    assert browser.request("GET", "/healthz")[0] == 200  # up and subscribed: no login needed to probe
    for path in ("/", "/office/hoa-an", "/report/2026-11", "/report/2026-11.csv"):
        status, headers, _ = browser.request("GET", path)
        assert (status, headers["location"]) == (303, "/login"), path
    assert browser.request("GET", "/events")[0] == 401
    for user, password in (("admin", "admin"), ("giamsat", ""), ("giamsat", "giamsat")):
        status, _, page = browser.request("POST", "/login", {"user": user, "password": password})
        assert status == 401 and "không đúng" in page
    status, headers, page = browser.request("GET", "/login")
    assert status == 200 and 'lang="vi"' in page and "Đăng nhập giám sát" in page
    assert "script-src" not in headers["content-security-policy"]  # default-src 'self': no inline scripts
    assert headers["x-frame-options"] == "DENY"


def test_the_overview_shows_each_office_and_pushes_changes(service, publisher, dsn):
    _busy_office(publisher)
    wait_until(lambda: _pg_count(dsn, "SELECT count(*) FROM ratings") == 1, timeout=15)
    browser = Browser(service.dashboard.address[1])
    browser.login()
    status, headers, page = browser.request("GET", "/")
    assert status == 200 and headers["cache-control"] == "no-store"
    row = page[page.index('<tr id="row-hoa-an"'):]
    row = row[:row.index("</tr>")]
    assert "Phường Hòa An" in row
    assert '<td data-v="5">5</td>' in row  # waiting now (6 taken, 1 served)
    assert "49 phút" in row  # the longest wait: A002, taken 49 minutes ago (A001 was served)
    assert '<td data-v="3">3/3</td>' in row and "100%" in row and "0/3" in row and "2/2" in row

    stream = http.client.HTTPConnection("127.0.0.1", service.dashboard.address[1], timeout=10)
    stream.request("GET", "/events?v=0", headers={"Cookie": browser.cookie})
    response = stream.getresponse()
    assert response.getheader("Content-Type").startswith("text/event-stream")
    updates: list[dict] = []

    def read() -> None:
        for line in response:
            if line.startswith(b"data: "):
                updates.append(json.loads(line[6:]))

    threading.Thread(target=read, daemon=True).start()
    wait_until(lambda: updates and "hoa-an" in updates[0].get("rows", {}), timeout=10)  # the catch-up message
    publisher([("motcua/hoa-an/hall", {"recent": [], "serving": [], "waiting_total": 42,
                                       "updated_at": (NOW + timedelta(minutes=1)).isoformat()}, True)])
    pushed = wait_until(lambda: next((u for u in updates if u.get("figures", {}).get("hoa-an", {}).get("waiting") == 42),
                                     None), timeout=10)
    assert '<td data-v="42">42</td>' in pushed["rows"]["hoa-an"]
    stream.close()


def test_office_page_report_and_logout(service, publisher, dsn):
    _busy_office(publisher)
    publisher([("motcua/hoa-an/device/printer-1/status", {"device": "printer-1", "kind": "printer", "state": "offline",
                                                          "detail": "paper_out", "updated_at": NOW.isoformat()}, True)])
    wait_until(lambda: _pg_count(dsn, "SELECT count(*) FROM devices WHERE state = 'offline'") == 1, timeout=15)
    browser = Browser(service.dashboard.address[1])
    browser.login()
    status, _, page = browser.request("GET", "/office/hoa-an")
    assert status == 200
    for text in ("Quầy 1", "Nguyễn Thị Lan", "Hài lòng", "printer-1", "paper_out", "Mất kết nối", "<svg"):
        assert text in page, text
    assert browser.request("GET", "/office/khong-co")[0] == 404
    status, headers, csv_text = browser.request("GET", "/report/2026-11.csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert csv_text.splitlines()[1].startswith("hoa-an,Phường Hòa An,6,1,")
    assert browser.request("GET", "/report/2026-13")[0] == 404
    status, headers, _ = browser.request("POST", "/logout")
    assert status == 303 and "Max-Age=0" in headers["set-cookie"]
    assert browser.request("GET", "/")[0] == 303


def test_a_login_link_logs_in_once_and_only_redirects_inside_the_site(service, dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        first, second = create_login_link(conn, "giamsat", 10), create_login_link(conn, "giamsat", 10)
    browser = Browser(service.dashboard.address[1])
    status, headers, _ = browser.request("GET", f"/login/link?token={first}&next=/office/hoa-an")
    assert (status, headers["location"]) == (303, "/office/hoa-an") and "HttpOnly" in headers["set-cookie"]
    assert Browser(browser.port).request("GET", f"/login/link?token={first}")[0] == 403
    status, headers, _ = Browser(browser.port).request("GET", f"/login/link?token={second}&next=//evil.example/")
    assert (status, headers["location"]) == (303, "/")


def test_repeated_failures_lock_the_account_for_a_while(service):
    browser = Browser(service.dashboard.address[1])
    for _ in range(5):
        assert browser.request("POST", "/login", {"user": "giamsat", "password": "sai-mat-khau"})[0] == 401
    status, _, page = browser.request("POST", "/login", {"user": "giamsat", "password": PASSWORD})
    assert status == 429 and "thử lại sau" in page
