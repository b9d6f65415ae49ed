"""Real printer links: network (TCP 9100), serial, USB and device file (``/dev/usb/lp0``).

python-escpos opens network, serial and USB links; bytes are then written in chunks so that
``timeout_s`` bounds each stall, not the whole job (a long ticket on a slow printer is fine, a
printer that stops reading is not). Reads bypass escpos, whose status calls are unsafe.
"""

from __future__ import annotations

import os
import select
import socket
from typing import Any

import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network, Serial, Usb

from ticketd.printing.connections import (
    CHUNK,
    Connection,
    ConnectionFailed,
    SendTimeout,
    StatusConnection,
)


class NetworkConnection(StatusConnection):
    """A raw TCP printer (port 9100), connected afresh for every job.

    The send buffer is kept small so that a job counts as sent only once most of it has reached
    the printer: with the default (up to megabytes) a whole ticket fits in the kernel and a
    printer that stopped reading would look as if it had taken the job.
    """

    keep_open = False
    SEND_BUFFER = 16384

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self._printer = Network(host=cfg.host, port=cfg.port, timeout=cfg.timeout_s)
        self._sock: socket.socket | None = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as exc:
            raise ConnectionFailed(f"{self.cfg.host}:{self.cfg.port} unreachable") from exc
        self._sock = self._printer.device
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.SEND_BUFFER)

    def close(self) -> None:
        self._sock = None
        self._printer.close()

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionFailed("not connected")
        return self._sock

    def send(self, data: bytes) -> None:
        sock = self._socket()
        sock.settimeout(self.cfg.timeout_s)
        view = memoryview(data)
        try:
            while view:
                view = view[sock.send(view[:CHUNK]):]
        except TimeoutError as exc:
            raise SendTimeout(f"printer took no data for {self.cfg.timeout_s} s") from exc
        except OSError as exc:
            raise ConnectionFailed(f"send failed: {exc}") from exc

    def _drain(self, sock: socket.socket) -> None:
        """Drop bytes that arrived unasked (late answers, automatic status)."""
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionFailed("printer closed the connection")
        except BlockingIOError:
            pass
        except OSError as exc:
            raise ConnectionFailed(f"receive failed: {exc}") from exc

    def query(self, request: bytes, timeout: float) -> int | None:
        sock = self._socket()
        self._drain(sock)
        try:
            sock.settimeout(self.cfg.timeout_s)
            sock.sendall(request)
            sock.settimeout(timeout)
            reply = sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise ConnectionFailed(f"status query failed: {exc}") from exc
        if not reply:
            raise ConnectionFailed("printer closed the connection")
        return reply[0]


class SerialConnection(StatusConnection):
    """An RS-232 printer (or a USB-serial adapter), with a write timeout escpos does not set."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self._printer = Serial(devfile=cfg.device, baudrate=cfg.baudrate, timeout=cfg.timeout_s)
        self._port: Any = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as exc:
            raise ConnectionFailed(f"serial port {self.cfg.device} unavailable") from exc
        self._port = self._printer.device

    def close(self) -> None:
        self._port = None
        self._printer.close()

    def _serial(self) -> Any:
        if self._port is None:
            raise ConnectionFailed("not connected")
        return self._port

    def send(self, data: bytes) -> None:
        port = self._serial()
        # A chunk needs its transmission time (10 bits a byte) on top of the stall allowance.
        port.write_timeout = self.cfg.timeout_s + CHUNK * 10 / self.cfg.baudrate
        try:
            for start in range(0, len(data), CHUNK):
                port.write(data[start:start + CHUNK])
        except serial.SerialTimeoutException as exc:
            port.reset_output_buffer()
            raise SendTimeout(f"printer took no data for {self.cfg.timeout_s} s") from exc
        except (serial.SerialException, OSError) as exc:
            raise ConnectionFailed(f"serial write failed: {exc}") from exc

    def query(self, request: bytes, timeout: float) -> int | None:
        port = self._serial()
        try:
            port.reset_input_buffer()
            port.write_timeout = self.cfg.timeout_s
            port.write(request)
            port.timeout = timeout
            reply = port.read(1)
        except serial.SerialTimeoutException:
            port.reset_output_buffer()
            return None
        except (serial.SerialException, OSError) as exc:
            raise ConnectionFailed(f"serial status query failed: {exc}") from exc
        return reply[0] if reply else None


class UsbConnection(Connection):
    """A USB printer class device through pyusb (write only: its answers are not read)."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self._printer: Usb | None = None

    def open(self) -> None:
        if not Usb.is_usable():
            raise ConnectionFailed("USB printing needs the pyusb package (and libusb-1.0)")
        printer = Usb(
            idVendor=self.cfg.usb_vendor_id,
            idProduct=self.cfg.usb_product_id,
            timeout=int(self.cfg.timeout_s * 1000),
        )
        try:
            printer.open()
        except DeviceNotFoundError as exc:
            raise ConnectionFailed(
                f"USB printer {self.cfg.usb_vendor_id:04x}:{self.cfg.usb_product_id:04x} not found"
            ) from exc
        self._printer = printer

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()

    def send(self, data: bytes) -> None:
        import usb.core

        if self._printer is None:
            raise ConnectionFailed("not connected")
        device, endpoint = self._printer.device, self._printer.out_ep
        try:
            for start in range(0, len(data), CHUNK):
                device.write(endpoint, data[start:start + CHUNK], int(self.cfg.timeout_s * 1000))
        except usb.core.USBTimeoutError as exc:
            raise SendTimeout(f"printer took no data for {self.cfg.timeout_s} s") from exc
        except usb.core.USBError as exc:
            raise ConnectionFailed(f"USB write failed: {exc}") from exc


class FileConnection(Connection):
    """A printer device file such as ``/dev/usb/lp0`` (write only).

    Opened without O_CREAT (escpos ``File`` uses "wb", which would create a plain file where an
    unplugged printer's device node was) and non-blocking, so a stalled printer times out.
    """

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self._fd: int | None = None

    def open(self) -> None:
        try:
            self._fd = os.open(self.cfg.device, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise ConnectionFailed(f"{self.cfg.device}: {exc.strerror}") from exc

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def send(self, data: bytes) -> None:
        if self._fd is None:
            raise ConnectionFailed("not connected")
        view = memoryview(data)
        try:
            while view:
                _, writable, _ = select.select([], [self._fd], [], self.cfg.timeout_s)
                if not writable:
                    raise SendTimeout(f"printer took no data for {self.cfg.timeout_s} s")
                try:
                    view = view[os.write(self._fd, view[:CHUNK]):]
                except BlockingIOError:
                    continue
        except OSError as exc:
            raise ConnectionFailed(f"{self.cfg.device}: {exc.strerror}") from exc
