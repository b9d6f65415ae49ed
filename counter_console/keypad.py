"""Serial counter keypads: key presses become counter commands, the current number goes back.

``KeypadPort`` owns one serial line (RS-485 with several addressed keypads, or RS-232 with one),
reads key lines (``keypad_protocol``) in a thread and hands each to its ``Keypad``. A ``Keypad``
has its own bus client (its ``device/{id}/status`` and last will), maps the key to an op with
the config's ``keys``, sends it like the console does (fresh id, retried with the same id), and
echoes its counter's current number to the keypad display after every counter state. A refused
op is answered with an ``E`` line carrying the contract error code.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import serial

from counter_console.commands import CommandSender
from counter_console.keypad_protocol import LineSplitter, display_frame, error_frame, parse_key_line
from motcua.bus import BusClient, json_handler
from motcua.config.schema import KeypadDevice

log = logging.getLogger("motcua.keypad")

REOPEN_S = 2.0
WRITE_TIMEOUT_S = 1.0


class Keypad:
    """One keypad bound to a counter."""

    def __init__(self, cfg: KeypadDevice, bus: BusClient, write: Callable[[bytes], None]) -> None:
        self.cfg = cfg
        self.bus = bus
        self.write = write
        self.sender = CommandSender(bus, cfg.counter, cfg.id)
        self.state: dict[str, Any] = {}
        self.last_officer: str | None = cfg.officer
        bus.subscribe(bus.topics.counter_state(cfg.counter), json_handler(self._on_state))

    def press(self, key: str) -> None:
        op = self.cfg.keys.get(key)
        if op is None:
            log.info("keypad %s: key %r is not mapped", self.cfg.id, key)
            return
        fields = self._fields(op)
        if fields is None:
            self.write(error_frame(self.cfg.address, "not_allowed"))
            return
        log.info("keypad %s: key %s -> %s %s", self.cfg.id, key, op, fields)
        self.sender.send(op, fields, self._done)

    def _fields(self, op: str) -> dict[str, Any] | None:
        """The request fields of ``op`` (None when the keypad cannot say what they should be)."""
        if op == "open":
            officer = self.cfg.officer or self.last_officer
            return {"officer": officer} if officer else None
        if op == "call":
            held = self.state.get("held") or []
            return {"ticket": held[0]} if held else None
        if op == "transfer":
            return {"to_service": self.cfg.transfer_service} if self.cfg.transfer_service else None
        return {}

    def _done(self, reply: dict[str, Any] | None) -> None:
        if reply is None:
            self.write(error_frame(self.cfg.address, "timeout"))
        elif not reply.get("ok"):
            code = (reply.get("error") or {}).get("code", "internal")
            log.info("keypad %s: refused: %s", self.cfg.id, (reply.get("error") or {}).get("message"))
            self.write(error_frame(self.cfg.address, code))

    def _on_state(self, state: dict) -> None:
        self.state = state
        officer = (state.get("officer") or {}).get("id")
        if officer and not self.cfg.officer:
            self.last_officer = officer
        if self.cfg.display:
            self.write(display_frame(self.cfg.address, (state.get("current") or {}).get("number")))


class KeypadPort:
    """One serial line and the keypads on it (by address; None for a keypad without one)."""

    def __init__(self, port: str, baudrate: int) -> None:
        self.port = port
        self.baudrate = baudrate
        self.keypads: dict[int | None, Keypad] = {}
        self._serial: serial.SerialBase | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"keypad-{port}", daemon=True)
        self._status: tuple[str, str | None] | None = None

    def add(self, keypad_cfg: KeypadDevice, bus: BusClient) -> Keypad:
        if keypad_cfg.address in self.keypads:
            raise ValueError(f"two keypads on {self.port} share address {keypad_cfg.address}")
        keypad = Keypad(keypad_cfg, bus, self.write)
        self.keypads[keypad_cfg.address] = keypad
        return keypad

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        with self._lock:
            self._close()

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._serial is None:
                log.debug("keypad line %s is closed; dropped %r", self.port, data)
                return
            try:
                self._serial.write(data)
            except (serial.SerialException, OSError) as exc:
                log.warning("keypad line %s: write failed (%s)", self.port, exc)
                self._close()
                self._report("offline", "write_failed")

    def handle_line(self, line: bytes) -> None:
        press = parse_key_line(line)
        if press is None:
            log.debug("keypad line %s: ignored %r", self.port, line)
            return
        keypad = self.keypads.get(press.address)
        if keypad is None:
            log.info("keypad line %s: no keypad at address %s", self.port, press.address)
            return
        keypad.press(press.key)

    def _run(self) -> None:
        splitter = LineSplitter()
        while not self._stopping.is_set():
            port = self._open()
            if port is None:
                self._stopping.wait(REOPEN_S)
                continue
            try:
                data = port.read(port.in_waiting or 1)
            except (serial.SerialException, OSError) as exc:
                log.warning("keypad line %s: read failed (%s)", self.port, exc)
                with self._lock:
                    self._close()
                self._report("offline", "read_failed")
                continue
            for line in splitter.feed(data):
                self.handle_line(line)

    def _open(self) -> serial.SerialBase | None:
        with self._lock:
            if self._serial is None:
                try:
                    self._serial = serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.2,
                                                         write_timeout=WRITE_TIMEOUT_S)
                except (serial.SerialException, OSError, ValueError) as exc:
                    if self._status != ("offline", "open_failed"):
                        log.warning("keypad line %s: cannot open (%s)", self.port, exc)
                    self._report("offline", "open_failed")
                    return None
                self._report("online", None)
            return self._serial

    def _close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError):
                pass
            self._serial = None

    def _report(self, state: str, detail: str | None) -> None:
        if self._status == (state, detail):
            return
        self._status = (state, detail)
        for keypad in self.keypads.values():
            keypad.bus.set_status(state, detail)
