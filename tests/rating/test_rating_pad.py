"""The rating pad against a real ticketd: the citizen's flow, a refused duplicate, a broker outage."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from motcua.broker import LocalBroker, free_port
from motcua.bus import BusClient
from motcua.bus.client import default_client_id
from motcua.clock import Clock
from motcua.config import load_config
from office_harness import DEMO_CONFIG, MONDAY_8AM, TicketdProcess, Watcher
from rating_pad.app import RatingPad
from rating_pad.model import CHOICE, IDLE, REASONS, THANKS, InputError, PadModel

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "rating_pad"
CLOCK = Clock("Asia/Ho_Chi_Minh", datetime.fromisoformat(MONDAY_8AM))
REASONS_CFG = ["Thái độ chưa niềm nở", "Hướng dẫn chưa rõ ràng", "Thời gian chờ lâu"]


def type_vietnamese(widget, text: str) -> None:
    """Text as a Vietnamese input method (or an on-screen keyboard) commits it."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def serve_one(w, counter="1", officer="cb-lan", service="HT", open_counter=True) -> str:
    """A citizen served at ``counter`` from take to finish; the ticket number."""
    number = w.request(w.topics.take("kiosk-1"), {"service": service, "print": False})["ticket"]["number"]
    cmd = w.topics.counter_cmd(counter)
    if open_counter:
        assert w.request(cmd, {"op": "open", "officer": officer})["ok"]
    for op in ("call_next", "start", "finish"):
        reply = w.request(cmd, {"op": op, "outcome": "received"} if op == "finish" else {"op": op})
        assert reply["ok"], reply
    return number


@pytest.fixture
def pad_factory(qtbot, tmp_path):
    made = []

    def make(broker_url: str, counter: str = "1") -> RatingPad:
        cfg = load_config(DEMO_CONFIG)
        bus = BusClient(broker_url, "hoa-an", client_id=default_client_id("test-pad") + f"-{len(made)}")
        pad = RatingPad(cfg, counter, bus, CLOCK, data_dir=tmp_path / "pad", retry_s=0.5)
        pad.window.model.thanks_s = 1.0
        qtbot.addWidget(pad.window)
        pad.window.show()
        bus.start(wait=10)
        pad.start()
        made.append(pad)
        return pad

    yield make
    for pad in made:
        pad.stop()
        pad.bus.stop()


def test_model_times_out_at_idle_s_and_at_expiry() -> None:
    model = PadModel("1", "Quầy 1", REASONS_CFG, idle_s=30)
    now = datetime.fromisoformat(MONDAY_8AM)
    request = {"ticket": "A001", "counter": "1", "officer": {"id": "x", "name": "An", "title": "T"},
               "expires_at": (now + timedelta(minutes=10)).isoformat()}
    assert not model.on_rate_request({**request, "counter": "2"}, now)
    assert not model.on_rate_request({**request, "expires_at": now.isoformat()}, now)
    assert model.on_rate_request(request, now) and model.screen == CHOICE
    assert not model.tick(now + timedelta(seconds=29))
    assert model.tick(now + timedelta(seconds=30)) and model.screen == IDLE
    model.on_rate_request({**request, "expires_at": (now + timedelta(seconds=10)).isoformat()}, now)
    assert model.choose("dissatisfied", now) is None and model.screen == REASONS
    with pytest.raises(InputError):
        model.submit(now)
    assert model.error == "Vui lòng chọn ít nhất một lý do."
    assert model.tick(now + timedelta(seconds=10)) and model.screen == IDLE
    model.on_rate_request(request, now)
    assert model.choose("satisfied", now) == {"ticket": "A001", "level": "satisfied", "reasons": []}
    assert model.screen == THANKS and model.tick(now + timedelta(seconds=6)) and model.screen == IDLE


def test_citizen_rates_and_a_duplicate_is_refused(qtbot, office, broker, pad_factory):
    _ticketd, w = office
    pad = pad_factory(broker.url)
    window, model = pad.window, pad.window.model
    assert w.request(w.topics.counter_cmd("1"), {"op": "open", "officer": "cb-lan"})["ok"]
    qtbot.waitUntil(lambda: window.idle_name.text() == "Nguyễn Thị Lan", timeout=10000)
    assert window.idle_title.text() == "Công chức Tư pháp – Hộ tịch" and window.idle_counter.text() == "Quầy 1"
    window.save_screenshot(SHOTS / "idle.png")

    first = serve_one(w, open_counter=False)
    qtbot.waitUntil(lambda: model.screen == CHOICE, timeout=10000)
    assert window.choice_who.text() == f"Số thứ tự {first} · Nguyễn Thị Lan"
    window.save_screenshot(SHOTS / "choice.png")

    qtbot.mouseClick(window.faces["dissatisfied"], Qt.MouseButton.LeftButton)
    assert model.screen == REASONS
    qtbot.mouseClick(window.submit_button, Qt.MouseButton.LeftButton)
    assert window.reason_error.text() == "Vui lòng chọn ít nhất một lý do." and model.screen == REASONS
    assert pad.outbox.entries() == []
    qtbot.mouseClick(window.reason_buttons["Thời gian chờ lâu"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.reason_buttons["Thái độ chưa niềm nở"], Qt.MouseButton.LeftButton)
    type_vietnamese(window.comment, "Chờ gần một tiếng")
    window.save_screenshot(SHOTS / "reasons.png")
    qtbot.mouseClick(window.submit_button, Qt.MouseButton.LeftButton)
    assert model.screen == THANKS
    window.save_screenshot(SHOTS / "thanks.png")

    entry = pad.outbox.entries()[0]
    assert entry.payload["reasons"] == ["Thái độ chưa niềm nở", "Thời gian chờ lâu"]  # config order
    assert entry.payload["comment"] == "Chờ gần một tiếng"
    qtbot.waitUntil(lambda: pad.outbox.get(entry.id).state == "sent", timeout=15000)
    rating = pad.outbox.get(entry.id).reply["rating"]
    assert (rating["ticket"], rating["level"], rating["officer"]["id"]) == (first, "dissatisfied", "cb-lan")
    qtbot.waitUntil(lambda: model.screen == IDLE, timeout=10000)

    # the same request id again gets the same reply, not a second rating
    again = w.request(w.topics.counter_rating("1"), entry.payload)
    assert again == pad.outbox.get(entry.id).reply
    # a second rating of the same ticket (a new id) is refused and kept as refused, never retried
    second_id = pad.record({"ticket": first, "level": "very_satisfied", "reasons": []})
    qtbot.waitUntil(lambda: pad.outbox.get(second_id).state == "refused", timeout=15000)
    refused = pad.outbox.get(second_id)
    assert refused.reply["error"]["code"] == "duplicate_rating"
    assert refused.reply["error"]["message"].startswith(f"Số {first} đã được đánh giá")

    # the next citizen is very satisfied with one touch
    second = serve_one(w, open_counter=False)
    qtbot.waitUntil(lambda: model.screen == CHOICE and model.ticket == second, timeout=10000)
    qtbot.mouseClick(window.faces["very_satisfied"], Qt.MouseButton.LeftButton)
    latest = pad.outbox.entries()[-1]
    qtbot.waitUntil(lambda: pad.outbox.get(latest.id).state == "sent", timeout=15000)
    assert pad.outbox.get(latest.id).reply["rating"]["level"] == "very_satisfied"
    assert pad.outbox.pending() == []


def test_rating_made_while_the_broker_is_down_arrives_after_it_returns(qtbot, tmp_path, pad_factory):
    broker = LocalBroker(port=free_port(), workdir=tmp_path / "broker").start()
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, tmp_path / "data").start()
    w = Watcher(broker.url, "hoa-an")
    try:
        w.wait_state(w.topics.device_status("ticketd"), lambda s: s["state"] == "online", timeout=20)
        pad = pad_factory(broker.url)
        model = pad.window.model
        number = serve_one(w)
        qtbot.waitUntil(lambda: model.screen == CHOICE, timeout=10000)

        broker.stop()
        qtbot.waitUntil(lambda: not pad.bus.connected.is_set(), timeout=10000)
        qtbot.mouseClick(pad.window.faces["satisfied"], Qt.MouseButton.LeftButton)
        assert model.screen == THANKS
        [entry] = pad.outbox.entries()
        assert entry.state == "pending" and entry.payload["ticket"] == number
        qtbot.wait(1500)  # several retry rounds pass while the broker is away
        assert pad.outbox.get(entry.id).state == "pending"

        broker.start()
        qtbot.waitUntil(lambda: pad.outbox.get(entry.id).state == "sent", timeout=30000)
        assert pad.outbox.get(entry.id).reply["rating"]["level"] == "satisfied"
        db = sqlite3.connect(f"file:{tmp_path / 'data' / 'ticketd.sqlite3'}?mode=ro", uri=True)
        rows = db.execute("SELECT ticket, level, officer_id, request_id FROM ratings").fetchall()
        db.close()
        assert rows == [(number, "satisfied", "cb-lan", entry.id)]
    finally:
        w.close()
        ticketd.stop()
        broker.stop()
