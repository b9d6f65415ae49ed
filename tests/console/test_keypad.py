"""Serial keypads on a pty pair drive the real ticketd; their display lines are read back."""

from __future__ import annotations

import os
import select
import threading

import pytest

from counter_console.keypad_cli import build_ports
from counter_console.keypad_protocol import KeyPress, LineSplitter, display_frame, error_frame, parse_key_line
from motcua.config import OfficeConfig
from office_harness import wait_until


class PtyKeypads:
    """The far end of the line: what test keypads type, and every byte the driver sends them."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.received += os.read(self.master, 1024)
                except OSError:
                    return

    def type(self, line: bytes) -> None:
        os.write(self.master, line)

    def lines(self) -> list[bytes]:
        return bytes(self.received).split(b"\r\n")[:-1]

    def wait_line(self, line: bytes, after: int = 0) -> int:
        """Wait until ``line`` arrives as line number ``after`` or later; its index."""
        return wait_until(lambda: next((i + 1 for i, got in enumerate(self.lines()) if i >= after and got == line),
                                       None), timeout=15) - 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_keypads():
    far_end = PtyKeypads()
    yield far_end
    far_end.close()


@pytest.fixture
def keypad_office(office, demo_cfg, pty_keypads, broker, monkeypatch):
    """Two keypads on one RS-485 line: address 1 at counter 3 (with a display), 2 at counter 4."""
    monkeypatch.setenv("MOTCUA_NOW", "2026-11-23T08:00:00+07:00")
    data = demo_cfg.model_dump(mode="python")
    data["broker"] = {"url": broker.url}
    data["devices"]["keypads"] = [
        {"id": "kp-3", "port": pty_keypads.path, "address": 1, "counter": 3, "display": True,
         "officer": "cb-dung", "transfer_service": "CT",
         "keys": {"*": "open", "1": "call_next", "2": "recall", "3": "start", "4": "finish", "5": "no_show",
                  "6": "hold", "7": "call", "8": "transfer", "9": "pause", "0": "resume", "#": "close"}},
        {"id": "kp-4", "port": pty_keypads.path, "address": 2, "counter": 4, "officer": "cb-ngoc",
         "keys": {"C": "open", "A": "call_next"}},
    ]
    ports = build_ports(OfficeConfig.model_validate(data))
    assert len(ports) == 1 and sorted(ports[0].keypads, key=str) == [1, 2]
    for keypad in ports[0].keypads.values():
        keypad.bus.start(wait=10)
    ports[0].start()
    _ticketd, w = office
    for device in ("kp-3", "kp-4"):
        w.wait_state(w.topics.device_status(device), lambda s: s["state"] == "online")
    yield office
    ports[0].stop()
    for keypad in ports[0].keypads.values():
        keypad.bus.stop()


def commands(w) -> list[tuple[str, str]]:
    """(counter, op) of every counter command seen on the bus, once per request id."""
    seen, ops = set(), []
    for topic, payload in w.messages:
        parts = w.topics.parts(topic)
        if parts[:1] == ["counter"] and parts[2:] == ["cmd"] and payload["id"] not in seen:
            seen.add(payload["id"])
            ops.append((parts[1], payload["op"]))
    return ops


def test_protocol_lines() -> None:
    assert parse_key_line(b"3:K:1") == KeyPress(3, "1")
    assert parse_key_line(b" K:*") == KeyPress(None, "*")
    assert parse_key_line(b"300:K:1") is None and parse_key_line(b"3:K:") is None
    assert parse_key_line(b"3:D:A012") is None and parse_key_line(b"\xff\xfe") is None
    assert display_frame(3, "A012") == b"3:D:A012\r\n" and display_frame(None, None) == b"D:\r\n"
    assert error_frame(12, "queue_empty") == b"12:E:queue_empty\r\n"
    splitter = LineSplitter()
    assert splitter.feed(b"1:K:1\r") == [b"1:K:1"]
    assert splitter.feed(b"\n2:K") == [] and splitter.feed(b":A\n") == [b"2:K:A"]


def test_keypad_frames_drive_the_same_ops(keypad_office, pty_keypads):
    _ticketd, w = keypad_office
    for service in ("DD", "DD", "DKKD"):
        assert w.request(w.topics.take("kiosk-1"), {"service": service, "print": False})["ok"]
    pad = pty_keypads

    def state(counter: str = "3"):
        return w.latest(w.topics.counter_state(counter))

    def number(ticket: str) -> dict:
        return w.request(w.topics.ticket_query(), {"number": ticket})["ticket"]

    # the open key logs in the keypad's officer; the blank display is echoed
    pad.type(b"1:K:*\r\n")
    w.wait_state(w.topics.counter_state("3"), lambda s: s["status"] == "open", timeout=20)
    assert state()["officer"]["id"] == "cb-dung"
    at = pad.wait_line(b"1:D:")
    pad.type(b"1:K:1\r\n")
    at = pad.wait_line(b"1:D:C001", at)
    pad.type(b"1:K:3\r")
    w.wait_state(w.topics.counter_state("3"), lambda s: (s["current"] or {}).get("state") == "serving", timeout=20)
    pad.type(b"1:K:4\n")
    at = pad.wait_line(b"1:D:", at)
    assert number("C001")["state"] == "done"

    # hold, call the held ticket back, transfer it to the keypad's service
    pad.type(b"1:K:1\r\n")
    at = pad.wait_line(b"1:D:C002", at)
    pad.type(b"1:K:6\r\n")
    w.wait_state(w.topics.counter_state("3"), lambda s: s["held"] == ["C002"], timeout=20)
    at = pad.wait_line(b"1:D:", at)
    pad.type(b"1:K:7\r\n")
    at = pad.wait_line(b"1:D:C002", at)
    pad.type(b"1:K:8\r\n")
    at = pad.wait_line(b"1:D:", at)
    moved = number("C002")
    assert (moved["state"], moved["service"]) == ("waiting", "CT")

    # noise, an unknown address and an unmapped key press nothing; an empty queue answers E
    sent_before = len(commands(w))
    pad.type(b"garbage\r\n9:K:1\r\n1:K:Z\r\n1:X:1\r\n")
    pad.type(b"1:K:1\r\n")
    at = pad.wait_line(b"1:E:queue_empty", at)
    assert len(commands(w)) == sent_before + 1
    pad.type(b"1:K:7\r\n")  # nothing held: refused on the keypad itself
    at = pad.wait_line(b"1:E:not_allowed", at)
    assert len(commands(w)) == sent_before + 1

    # the second keypad on the same line drives counter 4; it has no display, so no D lines for it
    pad.type(b"2:K:A\r\n")
    pad.wait_line(b"2:E:counter_closed")
    pad.type(b"2:K:C\r\n2:K:A\r\n")
    w.wait_state(w.topics.counter_state("4"), lambda s: (s["current"] or {}).get("number") == "D001", timeout=20)
    assert state("4")["officer"]["id"] == "cb-ngoc"

    # pause / resume / close from the keypad
    pad.type(b"1:K:9\r\n")
    w.wait_state(w.topics.counter_state("3"), lambda s: s["status"] == "paused", timeout=20)
    pad.type(b"1:K:0\r\n")
    w.wait_state(w.topics.counter_state("3"), lambda s: s["status"] == "open", timeout=20)
    pad.type(b"1:K:#\r\n")
    w.wait_state(w.topics.counter_state("3"), lambda s: s["status"] == "closed", timeout=20)

    ops3 = [op for counter, op in commands(w) if counter == "3"]
    assert ops3 == ["open", "call_next", "start", "finish", "call_next", "hold", "call", "transfer", "call_next",
                    "pause", "resume", "close"]
    assert [op for counter, op in commands(w) if counter == "4"] == ["call_next", "open", "call_next"]
    assert not [line for line in pad.lines() if line.startswith(b"2:D:")]
    assert all(line.split(b":")[1] in (b"D", b"E") for line in pad.lines())
