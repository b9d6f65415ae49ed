"""One serial line shared by several LED number boards, each with its own address.

``show(counter, number)`` writes to the counter's boards when what they show changes; a refresh
thread rewrites every board every ``refresh_s`` (a board that was powered off catches up, and a
lost port is retried). Device status goes to ``on_status(device_id, state, detail)`` on changes:
``offline`` with ``open_failed``, ``write_timeout`` or ``write_failed`` after an error (the port is
closed and reopened on the next write), ``online`` after a good write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import serial

from display.led.frames import encode_frame, frame_spec
from motcua.config.schema import LedBoardDevice

log = logging.getLogger(__name__)

StatusCallback = Callable[[str, str, str], None]
WRITE_TIMEOUT_S = 1.0


class LedBus:
    """Drives the boards of one ``LedBoardDevice``; ``start()`` opens and starts refreshing."""

    def __init__(self, cfg: LedBoardDevice, on_status: StatusCallback | None = None,
                 write_timeout_s: float = WRITE_TIMEOUT_S) -> None:
        self._cfg = cfg
        self._spec = frame_spec(cfg.preset, cfg.frame)
        self._on_status = on_status
        self._write_timeout_s = write_timeout_s
        self._addresses: dict[str, list[int]] = {}
        for board in cfg.boards:
            self._addresses.setdefault(str(board.counter), []).append(board.address)
        self._texts = {board.address: "" for board in cfg.boards}
        self._lock = threading.Lock()
        self._port: serial.SerialBase | None = None
        self._state: tuple[str, str] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._refresh_loop, name=f"led-{cfg.id}", daemon=True)

    @property
    def state(self) -> tuple[str, str] | None:
        """The last reported ``(state, detail)``, None before the first write."""
        return self._state

    def start(self) -> None:
        """Write every board once, then refresh every ``refresh_s`` in the background."""
        self.refresh()
        self._thread.start()

    def stop(self) -> None:
        """End the refresh thread and close the port."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            self._close()

    def show(self, counter: str, number: str | None) -> None:
        """Show ``number`` (None or "" blanks) on ``counter``'s boards, writing only on a change.

        A failed write is retried by the next refresh, which sends what the boards should show.
        """
        text = number or ""
        with self._lock:
            changed = [a for a in self._addresses.get(str(counter), []) if self._texts[a] != text]
            for address in changed:
                self._texts[address] = text
            if changed:
                self._write(b"".join(encode_frame(self._spec, a, text) for a in changed))

    def refresh(self) -> bool:
        """Rewrite every board; True when written."""
        with self._lock:
            return self._write(b"".join(encode_frame(self._spec, a, t) for a, t in self._texts.items()))

    def _refresh_loop(self) -> None:
        while not self._stopping.wait(self._cfg.refresh_s):
            self.refresh()

    def _write(self, data: bytes) -> bool:
        """Write under the lock; opens the port first when needed."""
        if self._port is None:
            try:
                self._port = serial.serial_for_url(
                    self._cfg.port, baudrate=self._cfg.baudrate, timeout=0, write_timeout=self._write_timeout_s
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                self._fail("open_failed", exc)
                return False
        try:
            self._port.write(data)
        except serial.SerialTimeoutException as exc:
            self._fail("write_timeout", exc)
            return False
        except (serial.SerialException, OSError) as exc:
            self._fail("write_failed", exc)
            return False
        self._report("online", "")
        return True

    def _fail(self, detail: str, exc: Exception) -> None:
        if self._state != ("offline", detail):
            log.warning("LED bus %s on %s: %s (%s)", self._cfg.id, self._cfg.port, detail, exc)
        self._close()
        self._report("offline", detail)

    def _close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except (serial.SerialException, OSError):
                pass
            self._port = None

    def _report(self, state: str, detail: str) -> None:
        if self._state == (state, detail):
            return
        self._state = (state, detail)
        if self._on_status is not None:
            self._on_status(self._cfg.id, state, detail)
