"""Test-side ESC/POS: a decoder that turns job bytes back into an image, and a printer emulator
that answers DLE EOT the way a real printer does (its own byte values, not the code's)."""

from __future__ import annotations

import os
import socket
import threading
import tty

from PIL import Image

# DLE EOT answers per emulated state and n (bits: 1=offline 0x08; 2=cover 0x04, paper stop 0x20;
# 4=near end 0x0C, end 0x60; fixed 0x12).
REPLIES = {
    "ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "garbage": {1: 0xFF, 2: 0xFF, 3: 0xFF, 4: 0xFF},
}


class Incomplete(Exception):
    """The buffer ends inside a command."""


def parse_command(buf: bytes | bytearray, pos: int) -> tuple[tuple, int]:
    """One command at ``pos``: ((name, *args), next position). Unknown bytes raise ValueError."""
    def need(n: int) -> None:
        if pos + n > len(buf):
            raise Incomplete

    need(1)
    b = buf[pos]
    if b == 0x1B:
        need(2)
        op = buf[pos + 1]
        if op == 0x40:
            return ("init",), pos + 2
        if op == 0x64:
            need(3)
            return ("feed", buf[pos + 2]), pos + 3
    elif b == 0x1D:
        need(2)
        op = buf[pos + 1]
        if op == 0x76:
            need(8)
            if buf[pos + 2] != 0x30:
                raise ValueError("GS v without 0")
            m = buf[pos + 3]
            width_bytes = buf[pos + 4] | buf[pos + 5] << 8
            height = buf[pos + 6] | buf[pos + 7] << 8
            end = pos + 8 + width_bytes * height
            need(8 + width_bytes * height)
            return ("raster", m, width_bytes, height, bytes(buf[pos + 8:end])), end
        if op == 0x56:
            need(3)
            m = buf[pos + 2]
            if m in (0, 1, 48, 49):
                return ("cut", m), pos + 3
            need(4)
            return ("cut", m, buf[pos + 3]), pos + 4
    elif b == 0x10:
        need(3)
        if buf[pos + 1] == 0x04:
            return ("status", buf[pos + 2]), pos + 3
    raise ValueError(f"unknown ESC/POS byte {b:#04x} at {pos}")


def parse_job(data: bytes) -> list[tuple]:
    """Every command of a complete job, in order."""
    commands, pos = [], 0
    while pos < len(data):
        command, pos = parse_command(data, pos)
        commands.append(command)
    return commands


def raster_image(commands: list[tuple]) -> Image.Image:
    """The GS v 0 pieces of a job stacked into one mode "1" image (bit 1 = black dot)."""
    pieces = []
    for name, *args in commands:
        if name == "raster":
            m, width_bytes, height, data = args
            assert m == 0, "normal density expected"
            raw = bytes(255 - v for v in data)  # PIL "1": bit 1 = white
            pieces.append(Image.frombytes("1", (width_bytes * 8, height), raw))
    assert pieces, "no raster image in job"
    assert len({p.width for p in pieces}) == 1, "pieces of different widths"
    out = Image.new("1", (pieces[0].width, sum(p.height for p in pieces)), 1)
    y = 0
    for piece in pieces:
        out.paste(piece, (0, y))
        y += piece.height
    return out


class EmulatedPrinter:
    """Parses a byte stream as it arrives; answers status queries; keeps everything else."""

    def __init__(self, state: str = "ok") -> None:
        self.state = state  # a key of REPLIES, or "silent" (never answers)
        self.received = bytearray()  # all non-status bytes, in order
        self.queries: list[int] = []
        self._buf = bytearray()
        self.lock = threading.Condition()

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return the printer's answer bytes."""
        out = bytearray()
        with self.lock:
            self._buf += data
            pos = 0
            while pos < len(self._buf):
                try:
                    command, end = parse_command(self._buf, pos)
                except Incomplete:
                    break
                if command[0] == "status":
                    self.queries.append(command[1])
                    if self.state != "silent":
                        out.append(REPLIES[self.state][command[1]])
                else:
                    self.received += self._buf[pos:end]
                pos = end
            del self._buf[:pos]
            self.lock.notify_all()
        return bytes(out)

    def wait_for_jobs(self, count: int, timeout: float = 60) -> list[list[tuple]]:
        """Block until ``count`` whole jobs have arrived; return them."""
        with self.lock:
            self.lock.wait_for(lambda: len(self._jobs(partial_ok=True)) >= count, timeout)
        return self.jobs()

    def jobs(self) -> list[list[tuple]]:
        """Received commands split into jobs (each ends with a cut)."""
        with self.lock:
            return self._jobs()

    def _jobs(self, partial_ok: bool = False) -> list[list[tuple]]:
        commands = parse_job(bytes(self.received))
        jobs, current = [], []
        for command in commands:
            current.append(command)
            if command[0] == "cut":
                jobs.append(current)
                current = []
        assert partial_ok or not current, "bytes after the last cut"
        return jobs


class TcpPrinter:
    """A network printer on 127.0.0.1: an ``EmulatedPrinter`` behind a listening socket.

    ``reading=False`` accepts connections and never reads (with a small receive buffer, like a
    printer's); ``greeting`` is sent unasked right after accepting (a stale status byte).
    """

    def __init__(self, printer: EmulatedPrinter, reading: bool = True, greeting: bytes = b"") -> None:
        self.printer = printer
        self.reading = reading
        self.greeting = greeting
        self.connections = 0
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if not reading:
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self.port = self._server.getsockname()[1]
        self._clients: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            self._clients.append(client)
            if self.greeting:
                client.sendall(self.greeting)
            if self.reading:
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                return
            reply = self.printer.feed(data)
            if reply:
                client.sendall(reply)

    def close(self) -> None:
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._server.close()
        for client in self._clients:
            client.close()


class PtyPrinter:
    """A printer on a pty pair: the code opens ``path`` (as a serial port or a device file);
    a thread plays the printer on the master side, or never reads when ``reading`` is False."""

    def __init__(self, printer: EmulatedPrinter, reading: bool = True) -> None:
        self.printer = printer
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no newline translation: bytes pass unchanged
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        if reading:
            self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            reply = self.printer.feed(data)
            if reply:
                os.write(self._master, reply)

    def close(self) -> None:
        """Close the slave end; once the code's side is closed too the reader gets EIO."""
        if self._slave < 0:
            return
        os.close(self._slave)
        if self._thread.is_alive():
            self._thread.join(5)
        os.close(self._master)
        self._slave = self._master = -1
