"""A thin uplink for tests and the bench: bridge -> receiver traffic capped at ``kbps``.

``NetnsLink``: a private network namespace (root only) whose loopback has a 1500-byte MTU and a
``tc`` token bucket filter on packets to the receiver's port; every process of the test runs in
it (``prefix``). ``ProxyLink``: where no namespace can be made, an in-process TCP relay that
forwards bridge -> receiver bytes at ``kbps`` with a small buffer, so the bridge feels the same
back-pressure. Both count the bytes that went through.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time


def netns_possible() -> bool:
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tc"):
        return False
    name = f"mcprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True).returncode == 0
    if made:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return made


class NetnsLink:
    """``with NetnsLink(kbps, port) as link:`` run processes with ``link.prefix``."""

    def __init__(self, kbps: int, port: int, burst_bytes: int = 4000, queue_ms: int = 100) -> None:
        self.kbps, self.port, self.burst_bytes, self.queue_ms = kbps, port, burst_bytes, queue_ms
        self.name = f"mccam{os.getpid()}x{port}"
        self.prefix = ["ip", "netns", "exec", self.name]

    def _run(self, *argv: str) -> None:
        subprocess.run(self.prefix + list(argv), check=True, capture_output=True)

    def __enter__(self) -> "NetnsLink":
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        self._run("ip", "link", "set", "lo", "mtu", "1500")
        self._run("ip", "link", "set", "lo", "up")
        self._run("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "prio", "bands", "3",
                  "priomap", *["1"] * 16)
        self._run("tc", "qdisc", "add", "dev", "lo", "parent", "1:3", "handle", "30:", "tbf",
                  "rate", f"{self.kbps}kbit", "burst", str(self.burst_bytes), "latency", f"{self.queue_ms}ms")
        self._run("tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                  "match", "ip", "dport", str(self.port), "0xffff", "flowid", "1:3")
        return self

    def shaped_bytes(self) -> int:
        out = subprocess.run(self.prefix + ["tc", "-s", "qdisc", "show", "dev", "lo"], capture_output=True,
                             text=True).stdout
        block = out.split("qdisc tbf", 1)[1] if "qdisc tbf" in out else ""
        words = block.split()
        return int(words[words.index("Sent") + 1]) if "Sent" in words else 0

    def __exit__(self, *_exc) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class ProxyLink:
    """A TCP relay on 127.0.0.1 whose bridge -> receiver direction runs at ``kbps``."""

    def __init__(self, kbps: int, target_port: int, buffer_bytes: int = 4096) -> None:
        self.rate = kbps * 1000 / 8
        self.target_port = target_port
        self.buffer_bytes = buffer_bytes
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.prefix: list[str] = []
        self.bytes_up = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def __enter__(self) -> "ProxyLink":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self.listener.close()

    def shaped_bytes(self) -> int:
        return self.bytes_up

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.buffer_bytes)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.buffer_bytes)
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, shaped: bool) -> None:
        tokens, last = 0.0, time.monotonic()
        src.settimeout(0.5)
        try:
            while not self._stop.is_set():
                want = 1460
                if shaped:
                    now = time.monotonic()
                    tokens = min(self.buffer_bytes, tokens + (now - last) * self.rate)
                    last = now
                    if tokens < want:
                        time.sleep((want - tokens) / self.rate)
                        continue
                try:
                    data = src.recv(want)
                except TimeoutError:
                    continue
                if not data:
                    break
                dst.sendall(data)
                if shaped:
                    tokens -= len(data)
                    with self._lock:
                        self.bytes_up += len(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
