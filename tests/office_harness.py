"""Test harness: a real Mosquitto, a real ticketd process, and a client that watches the bus."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from motcua.bus import BusClient, Incoming
from motcua.bus.client import default_client_id

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "examples" / "demo-office.yaml"
MONDAY_8AM = "2026-11-23T08:00:00+07:00"


def open_all_day_config(folder: Path) -> Path:
    """The demo office with every service open all day and no quotas (load tests must not run dry)."""
    import yaml

    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    for service in data["services"]:
        service["hours"] = {day: ["00:00-23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        service["daily_quota"] = None
    path = folder / "open-all-day-office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``predicate`` until it returns something truthy (a generous wait, not a time limit)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class TicketdProcess:
    """``motcua ticketd`` as a subprocess with the contract's environment variables."""

    def __init__(self, config: Path, broker_url: str, data_dir: Path, now: str | None = MONDAY_8AM,
                 extra_env: dict[str, str] | None = None) -> None:
        self.config, self.broker_url, self.data_dir, self.now = config, broker_url, data_dir, now
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "ticketd.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ, MOTCUA_CONFIG=str(self.config), MOTCUA_MQTT_URL=self.broker_url,
                   MOTCUA_DATA_DIR=str(self.data_dir), PYTHONPATH=str(ROOT), **self.extra_env)
        if self.now:
            env["MOTCUA_NOW"] = self.now
        return env

    def start(self) -> "TicketdProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ticketd", "-c", str(self.config)], env=self.env(), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "ab"),
        )
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_online(broker_url: str, office: str = "hoa-an", device: str = "ticketd", timeout: float = 60.0) -> None:
    """Wait until ``device`` publishes its retained status ``online``."""
    watcher = Watcher(broker_url, office)
    try:
        wait_until(lambda: (watcher.latest(watcher.topics.device_status(device)) or {}).get("state") == "online",
                   timeout=timeout)
    finally:
        watcher.close()


class Watcher:
    """Subscribes to the whole office tree; keeps every message and the latest retained state."""

    def __init__(self, broker_url: str, office: str) -> None:
        self.bus = BusClient(broker_url, office, client_id=default_client_id("test-watcher") + f"-{id(self)}")
        self.topics = self.bus.topics
        self.messages: list[tuple[str, Any]] = []
        self.state: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.bus.subscribe(self.topics.root + "/#", self._record)
        self.bus.start(wait=10)

    def _record(self, msg: Incoming) -> None:
        try:
            data = json.loads(msg.raw) if msg.raw else None
        except ValueError:
            data = msg.raw
        with self._lock:
            self.messages.append((msg.topic, data))
            if msg.retain or not msg.raw or "/state" in msg.topic or msg.topic.endswith(("/hall", "/status")):
                self.state[msg.topic] = data

    def events(self, topic: str) -> list[Any]:
        with self._lock:
            return [data for t, data in self.messages if t == topic]

    def latest(self, topic: str) -> Any:
        with self._lock:
            return self.state.get(topic)

    def request(self, topic: str, payload: dict, timeout: float = 15.0) -> dict:
        return self.bus.request(topic, payload, timeout=timeout, retry_every=3.0)

    def wait_state(self, topic: str, predicate: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        return wait_until(lambda: (lambda v: v if v is not None and predicate(v) else None)(self.latest(topic)),
                          timeout)

    def close(self) -> None:
        self.bus.stop()
