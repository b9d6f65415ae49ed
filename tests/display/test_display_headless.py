"""Headless screens: ``--screenshots DIR`` saves what the TV would show, debounced and pruned."""

from __future__ import annotations

import time

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from display.qt.screenshots import Screenshotter, numbered, prune
from display_helpers import op, run_display, stop, take
from office_harness import wait_until


def size(path) -> tuple[int, int]:
    return QImage(str(path)).size().toTuple()


def test_hall_and_counter_processes_save_screens(office, display_config, tmp_path):
    ticketd, watcher = office
    env = dict(ticketd.env(), MOTCUA_CONFIG=str(display_config), QT_QPA_PLATFORM="offscreen")
    hall = run_display(["hall", "--screenshots", "$MOTCUA_DATA_DIR/screens/hall", "--keep", "3"], env,
                       tmp_path / "hall.log")
    counter = run_display(["counter", "2", "--screenshots", "$MOTCUA_DATA_DIR/screens/counter-2"], env,
                          tmp_path / "counter.log")
    hall_dir = ticketd.data_dir / "screens" / "hall"
    counter_dir = ticketd.data_dir / "screens" / "counter-2"
    try:
        for status in ("hall-tv", "counter-screen-2"):
            watcher.wait_state(watcher.topics.device_status(status), lambda s: s["state"] == "online", timeout=30)
        wait_until(lambda: (hall_dir / "hall-latest.png").exists() and (counter_dir / "counter-2-latest.png").exists(),
                   timeout=30)
        op(watcher, "2", "open", officer="cb-thao")
        for _ in range(3):
            take(watcher, "CT")
            op(watcher, "2", "call_next")
        wait_until(lambda: len(numbered(hall_dir, "hall")) == 3 and numbered(hall_dir, "hall")[0].name != "hall-00001.png",
                   timeout=30)
    finally:
        assert stop(hall) in (0, -15), (tmp_path / "hall.log").read_text()
        assert stop(counter) in (0, -15), (tmp_path / "counter.log").read_text()
    assert size(hall_dir / "hall-latest.png") == (1920, 1080)
    assert all(size(p) == (1920, 1080) for p in numbered(hall_dir, "hall"))
    assert size(counter_dir / "counter-2-latest.png") == (1280, 720)
    assert not list(hall_dir.glob(".*"))  # no half-written file left behind
    assert watcher.latest(watcher.topics.device_status("hall-tv"))["state"] == "offline"


def test_changes_are_folded_into_at_most_one_picture_per_interval(qtbot, tmp_path):
    label = QLabel("Quầy 1")
    qtbot.addWidget(label)
    label.resize(200, 80)
    shooter = Screenshotter(label, tmp_path, "t", keep=50, min_interval_s=0.5)
    for i in range(10):
        label.setText(f"A{i:03d}")
        shooter.changed()
    qtbot.waitUntil(lambda: len(numbered(tmp_path, "t")) == 1, timeout=5_000)
    first = time.monotonic()
    label.setText("B001")
    shooter.changed()
    qtbot.waitUntil(lambda: len(numbered(tmp_path, "t")) == 2, timeout=5_000)
    assert time.monotonic() - first >= 0.45  # the second waited for the interval
    qtbot.wait(700)
    assert len(numbered(tmp_path, "t")) == 2  # nothing changed since: no more pictures
    assert [p.name for p in numbered(tmp_path, "t")] == ["t-00001.png", "t-00002.png"]
    assert (tmp_path / "t-latest.png").read_bytes() == (tmp_path / "t-00002.png").read_bytes()


def test_prune_keeps_the_newest(tmp_path):
    for seq in (1, 2, 3, 10, 11):
        (tmp_path / f"hall-{seq:05d}.png").write_bytes(b"png")
    (tmp_path / "hall-latest.png").write_bytes(b"png")
    (tmp_path / "counter-1-00001.png").write_bytes(b"png")
    prune(tmp_path, "hall", keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "counter-1-00001.png", "hall-00010.png", "hall-00011.png", "hall-latest.png"]
