"""What the broker knows: one connection that reads every retained device status (and the
province link state) and reports why it could not connect when it could not."""

from __future__ import annotations

import json
import os
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from motcua.bus.topics import Topics
from motcua.bus.url import BrokerURL
from motcua.config import OfficeConfig
from motcua.provision.accounts import bridge_state_topic

QUIET_S = 0.3  # retained messages have all arrived when none came for this long after the SUBACK
DEFAULT_CREDENTIALS = Path("/etc/motcua/credentials/doctor.env")


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a systemd environment file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def broker_for(cfg: OfficeConfig, credentials: Path | None) -> tuple[BrokerURL, str | None]:
    """Broker address, user and CA file for the tools: ``credentials`` (an env file) if given,
    else ``$MOTCUA_MQTT_URL`` (already in ``cfg``), else the provisioned ``doctor.env`` when
    readable, else the config's broker section. Raises OSError or KeyError on a bad file."""
    if credentials is None and not os.environ.get("MOTCUA_MQTT_URL") and os.access(DEFAULT_CREDENTIALS, os.R_OK):
        credentials = DEFAULT_CREDENTIALS
    if credentials is not None:
        env = read_env_file(credentials)
        return BrokerURL.parse(env["MOTCUA_MQTT_URL"]), env.get("MOTCUA_MQTT_CA")
    base = BrokerURL.parse(cfg.broker.url)
    broker = replace(base, username=cfg.broker.username or base.username,
                     password=cfg.broker.password_value() or base.password)
    return broker, os.environ.get("MOTCUA_MQTT_CA")


@dataclass
class Snapshot:
    """``error`` is None when connected: else ``refused`` (credentials) or ``unreachable``."""

    error: str | None = None
    reason: str = ""
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    bridge_state: str | None = None


class StatusReader:
    """A read-only broker connection keeping the latest status of every device."""

    def __init__(self, broker: BrokerURL, office: str, ca_file: str | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.broker = broker
        self.topics = Topics(office)
        self.bridge_topic = bridge_state_topic(office)
        self.snapshot = Snapshot()
        self._on_change = on_change
        self._lock = threading.Lock()
        self._connack = threading.Event()
        self._synced = threading.Event()
        self._sync_mid: int | None = None
        self._last_message = time.monotonic()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"motcua-doctor-{os.getpid()}",
                                   protocol=mqtt.MQTTv5)
        if broker.username:
            self._client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            self._client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def read(self, timeout: float = 5.0) -> Snapshot:
        """Connect, collect the retained statuses, and return them (still connected)."""
        try:
            self._client.connect(self.broker.host, self.broker.port, keepalive=30)
        except (OSError, ssl.SSLError) as exc:
            self.snapshot.error, self.snapshot.reason = "unreachable", str(exc) or type(exc).__name__
            return self.snapshot
        self._client.loop_start()
        if not self._connack.wait(timeout):
            self.snapshot.error, self.snapshot.reason = "unreachable", "no answer to CONNECT"
        elif self.snapshot.error is None and self._synced.wait(timeout):
            while time.monotonic() - self._last_message < QUIET_S:
                time.sleep(QUIET_S / 3)
        return self.snapshot

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # ---- paho callbacks -------------------------------------------------------------------
    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            self.snapshot.error = "refused"
            self.snapshot.reason = str(reason_code)
            self._connack.set()
            return
        client.subscribe([(self.topics.device_status(), 0), (self.bridge_topic, 0)])
        # retained messages of the first SUBSCRIBE are sent before the second SUBACK
        _rc, self._sync_mid = client.subscribe(self.topics.client_inbox("doctor-sync"), 0)
        self._connack.set()

    def _on_subscribe(self, _client, _userdata, mid, _reason_codes, _properties) -> None:
        if mid == self._sync_mid:
            self._last_message = time.monotonic()
            self._synced.set()

    def _on_message(self, _client, _userdata, msg: mqtt.MQTTMessage) -> None:
        self._last_message = time.monotonic()
        with self._lock:
            if msg.topic == self.bridge_topic:
                self.snapshot.bridge_state = msg.payload.decode("utf-8", "replace").strip()
            else:
                parts = self.topics.parts(msg.topic)
                if len(parts) != 3:
                    return
                try:
                    data = json.loads(msg.payload) if msg.payload else None
                except ValueError:
                    data = None
                if isinstance(data, dict):
                    self.snapshot.statuses[parts[1]] = data
                else:  # an emptied retained status: the device was removed
                    self.snapshot.statuses.pop(parts[1], None)
        if self._on_change is not None:
            self._on_change()

    def statuses(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self.snapshot.statuses)
