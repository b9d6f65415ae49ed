"""Button-box dispensers: a serial box with one button per service and a ticket printer.

The box sends a line per press (``B3`` for button 3 with the default ``line_pattern``); each
press becomes a ``take`` request on ``kiosk/{box id}/take`` with a fresh id, printed on the box's
printer by ticketd. Repeated presses of one button within ``debounce_ms`` count once. A refused
take (closed service, quota) prints nothing; optional ``ok_line``/``refused_line`` tell the box.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Callable

import serial

from motcua.bus import BusClient, RequestTimeout, new_request_id
from motcua.config.schema import ButtonBoxDevice

log = logging.getLogger("motcua.buttonbox")


def line_regex(pattern: str) -> re.Pattern[str]:
    """``"B{n}"`` → a regex matching ``B3`` with the button number as group ``n``."""
    before, _, after = pattern.partition("{n}")
    return re.compile(f"^{re.escape(before)}(?P<n>\\d+){re.escape(after)}$")


class Debouncer:
    """Counts a button once per ``window_s`` (a bouncing contact or a double press)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._last: dict[int, float] = {}

    def accept(self, button: int, at: float) -> bool:
        last = self._last.get(button)
        if last is not None and at - last < self.window_s:
            return False
        self._last[button] = at
        return True


class ButtonBox:
    """One box on one serial port; ``run`` until ``stop`` is set, reopening the port after errors."""

    def __init__(self, cfg: ButtonBoxDevice, bus: BusClient, stop: threading.Event,
                 on_reply: Callable[[int, dict], None] | None = None) -> None:
        self.cfg, self.bus, self.stop = cfg, bus, stop
        self.on_reply = on_reply
        self.regex = line_regex(cfg.line_pattern)
        self.debounce = Debouncer(cfg.debounce_ms / 1000)
        self._port: serial.Serial | None = None
        self._write_lock = threading.Lock()

    def run(self) -> None:
        buffer = b""
        while not self.stop.is_set():
            try:
                if self._port is None:
                    self._port = serial.Serial(self.cfg.port, self.cfg.baudrate, timeout=0.2, write_timeout=1)
                    self.bus.set_status("online", None, device_id=self.cfg.id, kind="button_box")
                buffer += self._port.read(64)
            except (serial.SerialException, OSError) as exc:
                self._drop(str(exc))
                self.stop.wait(2)
                continue
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                self.press(raw.decode("ascii", "replace").strip(), time.monotonic())
        self._drop(None)

    def press(self, line: str, at: float) -> None:
        """Handle one line from the box."""
        match = self.regex.match(line)
        if not match:
            if line:
                log.warning("button box %s sent an unknown line %r", self.cfg.id, line)
            return
        button = int(match["n"])
        service = self.cfg.buttons.get(button)
        if service is None:
            log.warning("button box %s: button %d is not mapped to a service", self.cfg.id, button)
            return
        if not self.debounce.accept(button, at):
            return
        payload = {"id": new_request_id(self.cfg.id), "service": service, "print": True}
        future = self.bus.request_async(self.bus.topics.take(self.cfg.id), payload, timeout=60)
        future.add_done_callback(lambda f: self._answered(button, f))

    def _answered(self, button: int, future) -> None:
        try:
            reply = future.result()
        except RequestTimeout:
            log.error("button box %s: ticketd did not answer button %d", self.cfg.id, button)
            return
        if reply["ok"] and self.cfg.ok_line:
            self._write(self.cfg.ok_line.format(n=button, number=reply["ticket"]["number"]))
        elif not reply["ok"]:
            log.info("button box %s: button %d refused: %s", self.cfg.id, button, reply["error"]["code"])
            if self.cfg.refused_line:
                self._write(self.cfg.refused_line.format(n=button, code=reply["error"]["code"]))
        if self.on_reply:
            self.on_reply(button, reply)

    def _write(self, line: str) -> None:
        with self._write_lock:
            try:
                if self._port is not None:
                    self._port.write((line + "\n").encode("ascii", "replace"))
            except (serial.SerialException, OSError) as exc:
                log.warning("button box %s: cannot write to the box: %s", self.cfg.id, exc)

    def _drop(self, reason: str | None) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except (serial.SerialException, OSError):
                pass
            self._port = None
        if reason is not None:
            log.warning("button box %s: port %s: %s", self.cfg.id, self.cfg.port, reason)
            self.bus.set_status("offline", "port_error", device_id=self.cfg.id, kind="button_box")


def main(argv: list[str] | None = None) -> int:
    """``motcua buttonbox``: run every button box of the config until SIGTERM."""
    import argparse

    from motcua.runtime import bus_for, load_or_exit, run_until_signal, setup_logging

    parser = argparse.ArgumentParser(prog="motcua buttonbox", description="Run the button-box dispensers.")
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    options = parser.parse_args(argv)
    setup_logging()
    cfg = load_or_exit(options.config)
    if not cfg.devices.button_boxes:
        print("no button boxes in the config")
        return 0
    bus = bus_for(cfg, "buttonbox").start(wait=5)
    stop = threading.Event()
    threads = [threading.Thread(target=ButtonBox(box, bus, stop).run, name=box.id, daemon=True)
               for box in cfg.devices.button_boxes]
    for thread in threads:
        thread.start()

    def shutdown() -> None:
        stop.set()
        for thread in threads:
            thread.join(timeout=3)
        for box in cfg.devices.button_boxes:
            bus.set_status("offline", None, device_id=box.id, kind="button_box")
        bus.stop()

    return run_until_signal(shutdown)
