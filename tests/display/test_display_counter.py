"""A counter's screen on a real broker and ticketd: closed, serving, paused."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from display.qt import style
from display.qt.apps import CounterApp
from display_helpers import op, save, screen_bus, take


@pytest.fixture
def screen(qtbot, cfg, office):
    ticketd, _watcher = office
    bus = screen_bus(ticketd.broker_url, "counter-screen-test")
    app = CounterApp(cfg, "1", bus)
    qtbot.addWidget(app.window)
    app.window.show()
    bus.start(wait=10)
    qtbot.waitUntil(lambda: app.model.connected, timeout=10_000)
    yield app
    bus.stop()


def texts(app: CounterApp) -> list[str]:
    return app.window.visible_texts()


def test_counter_screen_closed_serving_paused(qtbot, screen, office):
    _ticketd, watcher = office
    qtbot.waitUntil(lambda: texts(screen) == ["Quầy 1", "Đóng", "Quầy tạm thời không tiếp nhận hồ sơ"],
                    timeout=10_000)
    path = save(screen.window, "counter-closed")
    assert QImage(str(path)).size().toTuple() == (1280, 720)

    op(watcher, "1", "open", officer="cb-lan")
    take(watcher, "HT")
    number = take(watcher, "HT")
    op(watcher, "1", "call_next")
    op(watcher, "1", "call_next")
    expected = ["Quầy 1", "ĐANG PHỤC VỤ SỐ", number, "Hộ tịch", "Nguyễn Thị Lan", "Công chức Tư pháp – Hộ tịch"]
    qtbot.waitUntil(lambda: texts(screen) == expected, timeout=10_000)
    assert screen.model.flash_serial == 2  # each call flashes the number
    qtbot.waitUntil(lambda: not screen.window._flash.isActive(), timeout=10_000)
    path = save(screen.window, "counter-serving")
    image = QImage(str(path))
    number_box = screen.window.number.mapTo(screen.window, screen.window.number.rect().center())
    assert image.pixelColor(screen.window.middle.x() + 8, number_box.y()) == style.PANEL

    op(watcher, "1", "pause", reason="Họp giao ban")
    qtbot.waitUntil(lambda: "Tạm nghỉ" in texts(screen), timeout=10_000)
    assert texts(screen) == ["Quầy 1", "Tạm nghỉ", "Lý do: Họp giao ban", "Nguyễn Thị Lan",
                             "Công chức Tư pháp – Hộ tịch"]
    assert number not in texts(screen)
    save(screen.window, "counter-paused")
