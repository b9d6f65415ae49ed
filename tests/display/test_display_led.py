"""``motcua display led`` on a pty pair: the frames a board would receive, driven by ticketd."""

from __future__ import annotations

import os
import select
import time

from display.led import PRESETS, encode_frame
from display.led_service import led_text
from display_helpers import op, run_display, stop, take, write_config
from motcua.bus.models import CounterStateMsg
from office_harness import wait_until

GENERIC = PRESETS["generic"]


class PtyBoard:
    """The far end of a pty pair: collects every byte the LED line writes."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.received = b""

    def read(self) -> bytes:
        while select.select([self.master], [], [], 0.05)[0]:
            self.received += os.read(self.master, 4096)
        return self.received

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


def state(status: str, number: str | None = None) -> CounterStateMsg:
    current = None
    if number:
        current = {"number": number, "service": "HT", "service_name": "Hộ tịch", "seq": 1, "priority": False,
                   "state": "serving", "issued_at": "2026-11-23T08:00:00+07:00", "ahead": 0, "est_wait_s": 0,
                   "counter": "1"}
    return CounterStateMsg.model_validate({
        "counter": "1", "name": "Quầy 1", "status": status, "officer": None, "services": ["HT"],
        "current": current, "updated_at": "2026-11-23T08:00:00+07:00"})


def test_led_text():
    assert led_text(None) == ""
    assert led_text(state("closed")) == "----"
    assert led_text(state("paused", "A004")) == "----"
    assert led_text(state("open")) == ""
    assert led_text(state("open", "A004")) == "A004"


def led_config(tmp_path, port: str):
    board = {"id": "led-1", "port": port, "baudrate": 9600, "preset": "generic", "refresh_s": 600,
             "boards": [{"address": 1, "counter": 1}, {"address": 3, "counter": 3}]}
    return write_config(tmp_path / "config", devices={"led_boards": [board]})


def forget_status(watcher) -> None:
    """Clear led-1's retained status left by an earlier test on the session broker."""
    watcher.bus.publish(watcher.topics.device_status("led-1"), b"", 1, True).wait_for_publish(5)
    wait_until(lambda: watcher.latest(watcher.topics.device_status("led-1")) is None, timeout=10)


def test_boards_show_the_numbers_of_their_counters(office, tmp_path):
    ticketd, watcher = office
    forget_status(watcher)
    board = PtyBoard()
    env = dict(ticketd.env(), MOTCUA_CONFIG=str(led_config(tmp_path, board.path)))
    process = run_display(["led"], env, tmp_path / "led.log")
    try:
        wait_until(lambda: encode_frame(GENERIC, 1, "----") in board.read()
                   and encode_frame(GENERIC, 3, "----") in board.read(), timeout=20)
        status = watcher.wait_state(watcher.topics.device_status("led-1"),
                                    lambda s: (s or {}).get("state") == "online", timeout=20)
        assert status["kind"] == "led"

        op(watcher, "1", "open", officer="cb-lan")
        wait_until(lambda: board.read().endswith(encode_frame(GENERIC, 1, "")), timeout=10)
        number = take(watcher, "HT")
        op(watcher, "1", "call_next")
        wait_until(lambda: board.read().endswith(encode_frame(GENERIC, 1, number)), timeout=10)
        assert encode_frame(GENERIC, 1, number) == b"\x02\x01A001\x03" + bytes([0x01 ^ 0x41 ^ 0x30 ^ 0x30 ^ 0x31 ^ 0x03])
        before = board.read()
        op(watcher, "2", "open", officer="cb-thao")  # a counter without a board: nothing is written
        watcher.wait_state(watcher.topics.counter_state("2"), lambda s: s["status"] == "open")
        time.sleep(0.3)  # give a wrong write the chance to show up
        assert board.read() == before
    finally:
        assert stop(process) in (0, -15), (tmp_path / "led.log").read_text()
        board.close()
    assert watcher.latest(watcher.topics.device_status("led-1"))["state"] == "offline"


def test_a_missing_port_is_reported_offline(office, tmp_path):
    ticketd, watcher = office
    forget_status(watcher)
    env = dict(ticketd.env(), MOTCUA_CONFIG=str(led_config(tmp_path, str(tmp_path / "no-such-tty"))))
    process = run_display(["led"], env, tmp_path / "led.log")
    try:
        watcher.wait_state(watcher.topics.device_status("led-1"),
                           lambda s: (s or {}).get("state") == "offline" and s["detail"] == "open_failed", timeout=20)
        assert process.poll() is None  # keeps running, retrying on every refresh
    finally:
        stop(process)
