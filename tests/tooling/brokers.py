"""Mosquitto processes on provisioned files, and a bare MQTT 5 client that shows refusals."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from motcua.broker import mosquitto_binary
from motcua.provision.cli import existing_password
from office_harness import DEMO_CONFIG, ROOT, wait_until


class ProvisionedBroker:
    """Mosquitto started on ``DIR/broker/mosquitto.conf`` as written by ``motcua provision``."""

    def __init__(self, out: Path, port: int, state_dir: Path) -> None:
        self.out, self.port, self.state_dir = out, port, state_dir
        self.process: subprocess.Popen | None = None
        self.log_path = out / "mosquitto.log"

    def password(self, env_name: str, user: str) -> str:
        password = existing_password(self.out / "credentials" / f"{env_name}.env", user)
        assert password, f"no password for {user} in {env_name}.env"
        return password

    def url(self, env_name: str) -> str:
        """The MOTCUA_MQTT_URL of a credentials file."""
        for line in (self.out / "credentials" / f"{env_name}.env").read_text().splitlines():
            if line.startswith("MOTCUA_MQTT_URL="):
                return line.partition("=")[2]
        raise AssertionError(f"no URL in {env_name}.env")

    def start(self) -> "ProvisionedBroker":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # Mosquitto started as root runs as the mosquitto user
            user = pwd.getpwnam("mosquitto")
            os.chown(self.state_dir, user.pw_uid, user.pw_gid)
        self.process = subprocess.Popen([mosquitto_binary(), "-c", str(self.out / "broker" / "mosquitto.conf")],
                                        stdout=subprocess.DEVNULL, stderr=open(self.log_path, "ab"))
        wait_for_port(self.port, self.process, self.log_path)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_for_port(port: int, process: subprocess.Popen, log_path: Path, timeout: float = 10.0) -> None:
    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"mosquitto exited:\n{log_path.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False
    wait_until(listening, timeout=timeout, interval=0.05)


def provision_cli(out: Path, port: int, state_dir: Path, *extra: str, config: Path = DEMO_CONFIG) -> str:
    """Run ``motcua provision`` as a technician would; returns its output."""
    env = dict(os.environ, MOTCUA_MQTT_URL=f"mqtt://127.0.0.1:{port}", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "motcua", "provision", "-c", str(config), "--out", str(out),
                           "--broker-state", str(state_dir), *extra],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class RawClient:
    """One MQTT 5 connection that records CONNACK, PUBACK reason codes and messages."""

    def __init__(self, port: int, user: str | None, password: str | None, client_id: str,
                 host: str = "127.0.0.1", tls_ca: Path | None = None) -> None:
        self.connack: mqtt.ReasonCode | None = None
        self.pubacks: dict[int, mqtt.ReasonCode] = {}
        self.messages: list[tuple[str, bytes]] = []
        self.subacks: dict[int, list] = {}
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        if user is not None:
            self.client.username_pw_set(user, password)
        if tls_ca is not None:
            self.client.tls_set(ca_certs=str(tls_ca))
        self.client.on_connect = lambda _c, _u, _f, rc, _p: setattr(self, "connack", rc)
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = lambda _c, _u, mid, rcs, _p: self.subacks.__setitem__(mid, rcs)
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.loop_start()
        wait_until(lambda: self.connack is not None, timeout=10)

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties) -> None:
        with self._lock:
            self.pubacks[mid] = reason_code

    def _on_message(self, _client, _userdata, msg) -> None:
        with self._lock:
            self.messages.append((msg.topic, msg.payload))

    def publish(self, topic: str, payload: bytes = b"{}", retain: bool = False) -> mqtt.ReasonCode:
        """Publish at QoS 1 and return the broker's PUBACK reason code."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        return wait_until(lambda: self.pubacks.get(info.mid), timeout=10)

    def subscribe(self, topic: str) -> None:
        _rc, mid = self.client.subscribe(topic, qos=1)
        wait_until(lambda: mid in self.subacks, timeout=10)

    def received(self, topic: str) -> list[bytes]:
        with self._lock:
            return [payload for t, payload in self.messages if t == topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def settle(seconds: float = 0.5) -> None:
    """Give the broker time to deliver what it would (used only before asserting an absence)."""
    time.sleep(seconds)
