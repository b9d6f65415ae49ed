"""LedBus against real pseudo-terminals: the test reads the master side as a board would."""

import os
import queue
import select
import time

import pytest

from display.led import LedBus, encode_frame, frame_spec
from motcua.config.schema import LedBoardDevice

WAIT_S = 20.0  # generous: only bounds how long a broken test hangs


class PtyBoard:
    """A pty pair whose slave is reached through a fixed symlink (so it can be replaced)."""

    def __init__(self, link):
        self.link = link
        self.master = None
        self.plug()

    def plug(self):
        master, slave = os.openpty()
        path = os.ttyname(slave)
        os.close(slave)
        if self.link.is_symlink():
            self.link.unlink()
        self.link.symlink_to(path)
        self.master = master

    def unplug(self):
        self.link.unlink()  # before closing: the pts number may be reused by anyone
        os.close(self.master)
        self.master = None

    def read(self, count):
        data = b""
        deadline = time.monotonic() + WAIT_S
        while len(data) < count:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"expected {count} bytes, got {data!r}")
            data += os.read(self.master, count - len(data))
        return data

    def close(self):
        if self.master is not None:
            self.unplug()


@pytest.fixture
def board(tmp_path):
    b = PtyBoard(tmp_path / "ttyLED")
    yield b
    b.close()


def device(port, preset="generic", frame=None, refresh_s=3600.0):
    return LedBoardDevice(
        id="led-hall", port=str(port), preset=preset, frame=frame, refresh_s=refresh_s,
        boards=[{"address": 1, "counter": "1"}, {"address": 2, "counter": "2"}, {"address": 7, "counter": "2"}],
    )


def frames(spec, *pairs):
    return b"".join(encode_frame(spec, address, text) for address, text in pairs)


@pytest.mark.parametrize(("preset", "frame"), [
    ("generic", None),
    ("modbus-ascii-like", None),
    ("simple", None),
    ("generic", {"checksum": "sum8", "checksum_span": "all", "pad": "0"}),
])
def test_frames_on_the_wire(board, preset, frame):
    cfg = device(board.link, preset, frame)
    spec = frame_spec(preset, frame)
    statuses = []
    bus = LedBus(cfg, on_status=lambda *s: statuses.append(s))
    try:
        bus.start()
        blank = frames(spec, (1, ""), (2, ""), (7, ""))
        assert board.read(len(blank)) == blank
        bus.show("1", "A012")
        bus.show("1", "A012")  # unchanged: nothing written
        bus.show("2", "B007")  # two boards above counter 2
        bus.show("9", "C001")  # no board for counter 9
        bus.show("1", None)
        expected = frames(spec, (1, "A012"), (2, "B007"), (7, "B007"), (1, ""))
        assert board.read(len(expected)) == expected
        bus.refresh()
        again = frames(spec, (1, ""), (2, "B007"), (7, "B007"))
        assert board.read(len(again)) == again
    finally:
        bus.stop()
    assert statuses == [("led-hall", "online", "")]


def test_periodic_refresh(board):
    cfg = device(board.link, "simple", refresh_s=0.2)
    bus = LedBus(cfg)
    bus.show("2", "B12")  # before start: written at once, no refresh thread yet
    assert board.read(16) == b"#02B12\r\n#07B12\r\n"
    bus.start()
    try:
        # nothing else changes: start() and then the refresh thread rewrite every board
        for _ in range(3):
            assert board.read(21) == b"#01\r\n#02B12\r\n#07B12\r\n"
    finally:
        bus.stop()


def test_write_error_then_recovery(board):
    cfg = device(board.link, "generic", refresh_s=0.2)
    spec = frame_spec("generic")
    statuses = queue.Queue()
    bus = LedBus(cfg, on_status=lambda *s: statuses.put(s))
    bus.start()
    try:
        board.read(len(frames(spec, (1, ""), (2, ""), (7, ""))))
        assert statuses.get(timeout=WAIT_S) == ("led-hall", "online", "")
        board.unplug()
        assert statuses.get(timeout=WAIT_S) == ("led-hall", "offline", "write_failed")
        bus.show("1", "A005")  # remembered while the board is away
        board.plug()
        seen = []
        while (status := statuses.get(timeout=WAIT_S)) != ("led-hall", "online", ""):
            seen.append(status)
        assert set(seen) <= {("led-hall", "offline", "open_failed")}
        expected = frames(spec, (1, "A005"), (2, ""), (7, ""))
        data = board.read(len(expected))
        assert data == expected
    finally:
        bus.stop()


def test_port_missing_at_start_reports_offline(tmp_path):
    statuses = []
    bus = LedBus(device(tmp_path / "no-such-tty"), on_status=lambda *s: statuses.append(s))
    bus.start()
    bus.show("1", "A001")
    bus.stop()
    assert statuses == [("led-hall", "offline", "open_failed")]


def test_write_timeout_when_the_line_is_stuck(board):
    # nobody reads the master: a frame larger than the pty buffer cannot be written
    cfg = device(board.link, "simple", frame={"width": 65536})
    statuses = []
    bus = LedBus(cfg, on_status=lambda *s: statuses.append(s), write_timeout_s=0.2)
    bus.start()
    bus.stop()
    assert statuses == [("led-hall", "offline", "write_timeout")]
