"""A thin uplink for tests and the bench: bridge -> receiver traffic capped at ``kbps``.

``NetnsLink``: two private network namespaces (root only) joined by a veth pair with a ``tc``
token bucket filter on the office's end. ``ProxyLink``: where no namespace can be made, an in-process TCP relay that
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
    """Whether this process may make namespaces, veth pairs and a tbf qdisc (tried, then undone)."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tc"):
        return False
    try:
        with NetnsLink(1000):
            return True
    except (subprocess.CalledProcessError, OSError):
        return False


class NetnsLink:
    """Two private namespaces joined by a veth pair: the office (camera, bridge, broker; run with
    ``prefix``) and the province (the receiver; ``receiver_prefix``, listening on ``receiver_host``).
    The office end shapes what it sends with ``tc tbf``; the ACKs coming back are not shaped.
    The link-local addresses exist only inside these two namespaces."""

    office_host, receiver_host = "169.254.77.1", "169.254.77.2"

    def __init__(self, kbps: int, burst_bytes: int = 4000, queue_ms: int = 100) -> None:
        self.kbps, self.burst_bytes, self.queue_ms = kbps, burst_bytes, queue_ms
        tag = f"{os.getpid() % 100000}{threading.get_ident() % 100}"
        self.office, self.province = f"mco{tag}", f"mcp{tag}"
        self.veth = f"mcv{tag}"[:13]
        self.prefix = ["ip", "netns", "exec", self.office]
        self.receiver_prefix = ["ip", "netns", "exec", self.province]

    @staticmethod
    def _run(*argv: str) -> None:
        subprocess.run(list(argv), check=True, capture_output=True)

    def __enter__(self) -> "NetnsLink":
        self._run("ip", "netns", "add", self.office)
        self._run("ip", "netns", "add", self.province)
        try:
            self._run("ip", "link", "add", f"{self.veth}a", "netns", self.office, "type", "veth",
                      "peer", "name", f"{self.veth}b", "netns", self.province)
            for prefix, dev, host in ((self.prefix, f"{self.veth}a", self.office_host),
                                      (self.receiver_prefix, f"{self.veth}b", self.receiver_host)):
                self._run(*prefix, "ip", "addr", "add", f"{host}/30", "dev", dev)
                self._run(*prefix, "ip", "link", "set", dev, "up")
                self._run(*prefix, "ip", "link", "set", "lo", "up")
            self._run(*self.prefix, "tc", "qdisc", "add", "dev", f"{self.veth}a", "root", "tbf",
                      "rate", f"{self.kbps}kbit", "burst", str(self.burst_bytes), "latency", f"{self.queue_ms}ms")
        except subprocess.CalledProcessError:
            self.__exit__()
            raise
        return self

    def shaped(self) -> tuple[int, int]:
        """(bytes, packets) the office end has sent, frame headers included (``tc -s``)."""
        out = subprocess.run(self.prefix + ["tc", "-s", "qdisc", "show", "dev", f"{self.veth}a"],
                             capture_output=True, text=True).stdout.split()
        if "Sent" not in out:
            return 0, 0
        at = out.index("Sent")
        return int(out[at + 1]), int(out[at + 3])

    def shaped_bytes(self) -> int:
        return self.shaped()[0]

    def __exit__(self, *_exc) -> None:
        for name in (self.office, self.province):  # deleting a namespace deletes its veth end
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


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

    def shaped(self) -> tuple[int, int]:
        """(bytes, 0): TCP payload relayed bridge -> receiver (no packet count at this level)."""
        return self.bytes_up, 0

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
