"""The hall TV on a real broker and a real ticketd, driven by real counter requests."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from display.qt import style
from display.qt.apps import HallApp
from display_helpers import MIN_SHOW_S, monday_clock, op, run_display, save, screen_bus, stop, take
from office_harness import wait_until

STATS = {"received_today": 27, "in_progress": 143, "on_time": 25, "overdue": 2, "period": "Tháng 11/2026",
         "source": "mot-cua-dien-tu", "updated_at": "2026-11-23T08:00:00+07:00"}


@pytest.fixture
def hall(qtbot, cfg, office):
    ticketd, _watcher = office
    bus = screen_bus(ticketd.broker_url, "hall-test")
    app = HallApp(cfg, bus, monday_clock())
    qtbot.addWidget(app.window)
    app.window.show()
    bus.start(wait=10)
    qtbot.waitUntil(lambda: bool(app.model.waiting_rows()) and app.model.waiting_total() is not None, timeout=10_000)
    yield app
    bus.stop()


def texts(app: HallApp) -> list[str]:
    return app.window.visible_texts()


def counter_rows(app: HallApp) -> list[tuple[str, str, str]]:
    return [(w.name.text(), w.number.text(), w.caption.text())
            for w in app.window.counter_rows if w.isVisibleTo(app.window)]


def recent(app: HallApp) -> list[tuple[str, str]]:
    rows = [app.window.newest, *app.window.older]
    return [(w.number.text(), w.counter.text()) for w in rows if w.isVisibleTo(app.window)]


def pixel(path: Path, widget, app: HallApp) -> QColor:
    """The colour of the screenshot at a few pixels inside ``widget``'s top-left corner."""
    corner = widget.mapTo(app.window, widget.rect().topLeft())
    return QImage(str(path)).pixelColor(corner.x() + 6, corner.y() + widget.height() // 2)


def test_empty_hall(qtbot, clean_stats, hall):
    shown = texts(hall)
    for text in ("Trung tâm Phục vụ hành chính công phường Hòa An", "Thứ Hai, 23/11/2026 08:00",
                 "QUẦY", "ĐANG PHỤC VỤ", "Chưa có số được phục vụ", "SỐ VỪA GỌI", "Chưa có lượt gọi",
                 "HỒ SƠ HÔM NAY", "Chưa có số liệu", "Tổng: 0 người", "Đường dây nóng: 0236 3 812 345"):
        assert text in shown, text
    assert any(text.startswith("Giờ làm việc: Sáng 7:30") for text in shown)
    assert shown[-1].startswith("Công dân vui lòng lấy số thứ tự")
    assert counter_rows(hall) == [] and recent(hall) == []
    path = save(hall.window, "hall-empty")
    assert QImage(str(path)).size().toTuple() == (1920, 1080)


def test_three_counters_serving_with_recent_calls_and_statistics(qtbot, clean_stats, hall, office):
    _ticketd, watcher = office
    for counter, officer in (("1", "cb-lan"), ("2", "cb-thao"), ("3", "cb-dung"), ("4", "cb-ngoc")):
        op(watcher, counter, "open", officer=officer)
    for service in ("HT", "HT", "HT", "CT", "CT", "DD", "CUTRU"):
        take(watcher, service)
    op(watcher, "1", "call_next")
    op(watcher, "1", "start")
    op(watcher, "1", "finish", outcome="received")
    op(watcher, "1", "call_next")
    op(watcher, "2", "call_next")
    op(watcher, "3", "call_next")
    op(watcher, "4", "pause", reason="Họp giao ban")
    watcher.bus.publish(clean_stats, STATS, 1, True)

    expected_rows = [("Quầy 1", "A002", "Hộ tịch"), ("Quầy 2", "B001", "Chứng thực"),
                     ("Quầy 3", "C001", "Đất đai"), ("Quầy 4", "—", "Tạm nghỉ")]
    qtbot.waitUntil(lambda: counter_rows(hall) == expected_rows, timeout=10_000)
    # four calls, each highlighted for at least MIN_SHOW_S: the newest reaches the top last
    qtbot.waitUntil(lambda: recent(hall)[:1] == [("C001", "Quầy 3")], timeout=20_000)
    assert recent(hall) == [("C001", "Quầy 3"), ("B001", "Quầy 2"), ("A002", "Quầy 1"), ("A001", "Quầy 1")]
    qtbot.waitUntil(lambda: "143" in texts(hall), timeout=10_000)
    shown = texts(hall)
    for text in ("Tiếp nhận", "27", "Đang giải quyết", "143", "Đúng hạn", "25", "Quá hạn", "2",
                 "Kỳ: Tháng 11/2026", "Tổng: 3 người", "Hộ tịch", "1", "Cư trú"):
        assert text in shown, text
    assert "Chưa có số liệu" not in shown and "Chưa có số được phục vụ" not in shown
    qtbot.waitUntil(lambda: not hall.window._blink.isActive(), timeout=10_000)
    path = save(hall.window, "hall-serving")
    assert pixel(path, hall.window.newest, hall) == style.HIGHLIGHT
    assert pixel(path, hall.window.counter_rows[0], hall) == style.PANEL_ALT


def test_two_counters_calling_in_the_same_millisecond_are_both_shown_and_announced(
        qtbot, hall, office, display_config, tmp_path):
    ticketd, watcher = office
    env = dict(ticketd.env(), MOTCUA_CONFIG=str(display_config))
    announcer = run_display(["announcer"], env, tmp_path / "announcer.log")
    try:
        watcher.wait_state(watcher.topics.device_status("announcer"), lambda s: s["state"] == "online", timeout=20)
        op(watcher, "1", "open", officer="cb-lan")
        op(watcher, "2", "open", officer="cb-thao")
        take(watcher, "HT")
        take(watcher, "CT")
        shown: list[tuple[str, str, float]] = []
        hall.window.callShown.connect(lambda number, counter: shown.append((number, counter, time.monotonic())))
        futures = [watcher.bus.request_async(watcher.topics.counter_cmd(c), {"op": "call_next"}, timeout=15)
                   for c in ("1", "2")]
        assert all(f.result()["ok"] for f in futures)
        qtbot.waitUntil(lambda: len(shown) == 2, timeout=15_000)
        events = [(e["number"], e["counter"]) for e in watcher.events(watcher.topics.call())]
        assert sorted(events) == [("A001", "1"), ("B001", "2")]
        assert [(n, c) for n, c, _ in shown] == events
        assert shown[1][2] - shown[0][2] >= MIN_SHOW_S * 0.95  # the first had its full time
        qtbot.waitUntil(lambda: recent(hall) == [(n, f"Quầy {c}") for n, c in reversed(events)], timeout=10_000)

        wav_dir = ticketd.data_dir / "announcer"
        wait_until(lambda: len(list(wav_dir.glob("*.wav"))) == 2, timeout=60)
        names = sorted(p.name for p in wav_dir.glob("*.wav"))
        assert names == [f"{i:05d}-{n}-q{c}.wav" for i, (n, c) in enumerate(events, start=1)]
        assert all((wav_dir / name).stat().st_size > 40_000 for name in names)  # a spoken sentence
    finally:
        assert stop(announcer) in (0, -15), (tmp_path / "announcer.log").read_text()
    assert watcher.latest(watcher.topics.device_status("announcer"))["state"] == "offline"
