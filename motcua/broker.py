"""A private Mosquitto on a free loopback port, for the demo and the tests.

Production brokers are configured by ``motcua provision``; this one accepts anonymous clients,
so it only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("mosquitto is not installed: run `make deps` (apt-get install mosquitto)")


class LocalBroker:
    """``with LocalBroker() as broker: broker.url`` — stopped on exit; restartable on the same port."""

    def __init__(self, port: int | None = None, workdir: Path | None = None, persistence: bool = False,
                 settings: tuple[str, ...] = ()) -> None:
        self._chosen_port = port is None
        self.port = port or free_port()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="motcua-broker-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.persistence = persistence
        self.settings = settings  # extra mosquitto.conf lines (they override the ones above them)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        conf = self.workdir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            f"user {getpass.getuser()}",  # as root, keep our user so persistence can write workdir
            "allow_anonymous true",
            "set_tcp_nodelay true",
            "max_queued_messages 100000",
            "max_inflight_messages 0",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            *self.settings,
        ]
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self, timeout: float = 10.0) -> "LocalBroker":
        """Start Mosquitto; with a port of our choosing, try another if someone took it first."""
        for _attempt in range(5 if self._chosen_port else 1):
            if self._launch(timeout):
                return self
            self.port = free_port()
        raise RuntimeError(f"mosquitto could not listen: see {self.workdir / 'mosquitto.log'}")

    def _launch(self, timeout: float) -> bool:
        conf = self._write_config()
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(conf)], stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "mosquitto.log", "ab"),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # e.g. the port was taken between choosing it and binding it
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
            except OSError:
                time.sleep(0.05)
                continue
            time.sleep(0.1)  # the listener we reached must be ours: still alive after binding
            if self.process.poll() is None:
                return True
            return False
        raise TimeoutError(f"mosquitto did not listen on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "LocalBroker":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
