"""Broker restart: the hall shows "Mất kết nối" with no number, then rebuilds its whole view."""

from __future__ import annotations

from PySide6.QtGui import QImage

from display.qt import style
from display.qt.apps import HallApp
from display_helpers import monday_clock, op, save, screen_bus, take, write_config
from motcua.broker import LocalBroker, free_port
from motcua.config import load_config
from office_harness import DEMO_CONFIG, TicketdProcess, Watcher, wait_until


def test_broker_restart_shows_disconnected_then_recovers(qtbot, tmp_path, monkeypatch):
    broker = LocalBroker(port=free_port(), workdir=tmp_path / "broker").start()
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, tmp_path / "data").start()
    watcher = Watcher(broker.url, "hoa-an")
    bus = screen_bus(broker.url, "hall-restart-test")
    try:
        wait_until(lambda: (watcher.latest(watcher.topics.device_status("ticketd")) or {}).get("state") == "online",
                   timeout=20)
        monkeypatch.setenv("MOTCUA_MQTT_URL", broker.url)
        hall = HallApp(load_config(write_config(tmp_path / "config")), bus, monday_clock())
        qtbot.addWidget(hall.window)
        hall.window.show()
        bus.start(wait=10)
        op(watcher, "2", "open", officer="cb-thao")
        number = take(watcher, "CT")
        op(watcher, "2", "call_next")
        qtbot.waitUntil(lambda: hall.window.visible_texts().count(number) == 2, timeout=10_000)  # table and calls

        broker.stop()
        qtbot.waitUntil(lambda: "Mất kết nối" in hall.window.visible_texts(), timeout=15_000)
        shown = hall.window.visible_texts()
        assert number not in shown and "Quầy 2" not in shown
        assert "Đang kết nối lại với máy chủ. Các số thứ tự sẽ hiện lại khi có kết nối." in shown
        path = save(hall.window, "hall-disconnected")
        middle = QImage(str(path)).pixelColor(960, 540)
        assert middle == style.ALERT

        broker.start()  # same port, no persistence: the retained state comes back from ticketd
        qtbot.waitUntil(lambda: hall.window.visible_texts().count(number) == 2, timeout=30_000)
        rows = [(w.name.text(), w.number.text()) for w in hall.window.counter_rows if w.isVisibleTo(hall.window)]
        assert rows == [("Quầy 2", number)]
        assert "Mất kết nối" not in hall.window.visible_texts()
    finally:
        bus.stop()
        watcher.close()
        ticketd.stop()
        broker.stop()
