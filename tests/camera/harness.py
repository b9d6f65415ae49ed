"""Real processes for camera tests: fake RTSP cameras, the receiver, the bridge, a black hole.

Everything listens on 127.0.0.1 (or inside a network namespace the test made). Each process logs
to a file under the test's folder, so a failing test can show what happened.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from motcua.broker import free_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
OFFICE = "hoa-an"


def gst_rtsp_available() -> bool:
    probe = ("import gi; gi.require_version('GstRtspServer', '1.0'); "
             "from gi.repository import GstRtspServer")
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Proc:
    """A subprocess whose stdout+stderr go to ``log_path``; stopped on ``stop()``, and in any case
    by ``stop_all()`` at the end of each test."""

    running: list["Proc"] = []

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str] | None = None,
                 prefix: list[str] | None = None) -> None:
        self.argv, self.log_path, self.env, self.prefix = argv, log_path, env, prefix or []
        self.process: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.prefix + self.argv, cwd=ROOT, env=self.env,
                                        stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT)
        Proc.running.append(self)
        return self

    @classmethod
    def stop_all(cls) -> None:
        while cls.running:
            cls.running.pop().stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            self.process.send_signal(signum)

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_for_line(proc: Proc, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in proc.log():
        if not proc.alive() or time.monotonic() > deadline:
            raise AssertionError(f"{proc.argv[:3]} did not print {text!r}:\n{proc.log()}")
        time.sleep(0.05)


class Camera(Proc):
    """A fake RTSP camera serving ``clip``; ``url`` carries the credentials."""

    def __init__(self, workdir: Path, clip: Path, codec: str = "h264", port: int | None = None,
                 user: str = "admin", password: str = "cam-Secret-42", once: bool = False,
                 prefix: list[str] | None = None, name: str = "camera") -> None:
        self.port = port or free_port()
        self.user, self.password = user, password
        argv = [SYSTEM_PYTHON, str(HERE / "rtsp_camera.py"), "--port", str(self.port), "--clip", str(clip),
                "--codec", codec, "--user", user, "--password", password]
        super().__init__(argv + (["--once"] if once else []), workdir / f"{name}-{self.port}.log",
                         prefix=prefix)

    @property
    def url(self) -> str:
        return f"rtsp://{self.user}:{self.password}@127.0.0.1:{self.port}/stream"

    def start(self) -> "Camera":
        super().start()
        wait_for_line(self, "ready")
        return self


class BlackHole:
    """A loopback port that swallows connection attempts: the backlog is full and never accepted,
    so a SYN gets no answer, as with a camera behind a dead route."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers: list[socket.socket] = []
        while True:
            filler = socket.socket()
            filler.settimeout(0.5)
            try:
                filler.connect(("127.0.0.1", self.port))
            except (TimeoutError, OSError):
                filler.close()
                break
            self.fillers.append(filler)

    @property
    def url(self) -> str:
        return f"rtsp://admin:hole-Secret-7@127.0.0.1:{self.port}/stream"

    def close(self) -> None:
        for sock in self.fillers + [self.listener]:
            sock.close()


def make_keys(directory: Path, name: str) -> tuple[Path, Path]:
    from camera_bridge.keys import make_key_pair

    return make_key_pair(directory, name)


def office_yaml(path: Path, cameras: list[dict], broker_url: str) -> Path:
    """A minimal valid office config with ``cameras`` (dicts of the CameraDevice fields)."""
    week = {d: ["07:30-17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    data = {
        "office": {"id": OFFICE, "name": "Phường Hòa An", "agency_code": "000.31.17.H17", "level": "Cấp xã",
                   "address": "Số 12 Nguyễn Trãi"},
        "services": [{"code": "HT", "name": "Hộ tịch", "field": "Hộ tịch", "prefix": "A", "hours": week}],
        "counters": [{"id": "1", "name": "Quầy 1", "services": ["HT"]}],
        "devices": {"cameras": cameras},
        "broker": {"url": broker_url},
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class Stack:
    """Keys, settings files, the receiver and the bridge of one test, all in ``workdir``."""

    def __init__(self, workdir: Path, broker_url: str, prefix: list[str] | None = None,
                 receiver_port: int | None = None, bridge: dict | None = None, receiver: dict | None = None,
                 receiver_prefix: list[str] | None = None, receiver_host: str = "127.0.0.1") -> None:
        """``prefix`` runs the bridge (and ``receiver_prefix`` the receiver) in a network namespace."""
        self.workdir, self.broker_url, self.prefix = workdir, broker_url, prefix or []
        self.receiver_prefix = self.prefix if receiver_prefix is None else receiver_prefix
        self.keys = workdir / "keys"
        self.allow = workdir / "allow"
        self.allow.mkdir(parents=True, exist_ok=True)
        make_keys(self.keys, OFFICE)
        make_keys(self.keys, "province")
        (self.allow / f"{OFFICE}.key").write_bytes((self.keys / f"{OFFICE}.key").read_bytes())
        self.receiver_port = receiver_port or free_port()
        self.segments = workdir / "segments"
        self.receiver_settings = {
            "bind": f"tcp://{receiver_host}:{self.receiver_port}", "server_key": str(self.keys / "province.key_secret"),
            "allow_dir": str(self.allow), "segment_dir": str(self.segments), "segment_s": 4,
            "keep_segments": 500, "stats_every_s": 0.5, **(receiver or {}),
        }
        self.bridge_settings = {
            "endpoint": f"tcp://{receiver_host}:{self.receiver_port}",
            "office_key": str(self.keys / f"{OFFICE}.key_secret"),
            "receiver_key": str(self.keys / "province.key"), "backoff_base_s": 0.3, "backoff_cap_s": 2.0,
            "open_timeout_s": 2.0, "read_timeout_s": 1.5,
            "health": {"enter_s": 1.0, "clear_s": 1.0, "frozen_s": 3.0, "check_every_s": 0.5,
                       "publish_every_s": 2.0, "offline_after_s": 8.0},
            **(bridge or {}),
        }
        self.receiver: Proc | None = None
        self.bridge: Proc | None = None

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_MQTT_URL=self.broker_url, **(extra or {}))

    def start_receiver(self) -> Proc:
        path = self.workdir / "receiver.yaml"
        path.write_text(yaml.safe_dump(self.receiver_settings))
        (self.segments / "stats.json").unlink(missing_ok=True)  # appears again once it runs
        self.receiver = Proc([sys.executable, "-m", "camera_bridge", "receiver", "-c", str(path)],
                             self.workdir / "receiver.log", env=self.env(), prefix=self.receiver_prefix).start()
        deadline = time.monotonic() + 30
        while not (self.segments / "stats.json").exists():
            assert self.receiver.alive() and time.monotonic() < deadline, self.receiver.log()
            time.sleep(0.05)
        return self.receiver

    def start_bridge(self, cameras: dict[str, str], camera_fields: dict[str, dict] | None = None) -> Proc:
        """``cameras``: camera id -> RTSP URL (passed in the environment, never in a file)."""
        fields = camera_fields or {}
        devices = [{"id": cid, "name": f"Camera {cid}", "url_env": f"CAM_{i}_URL", "fps": 10, "stall_s": 6,
                    **fields.get(cid, {})} for i, cid in enumerate(cameras)]
        config = office_yaml(self.workdir / "office.yaml", devices, self.broker_url)
        settings = self.workdir / "bridge.yaml"
        settings.write_text(yaml.safe_dump(self.bridge_settings))
        urls = {f"CAM_{i}_URL": url for i, url in enumerate(cameras.values())}
        self.bridge = Proc([sys.executable, "-m", "camera_bridge", "-c", str(config), "--settings", str(settings)],
                           self.workdir / "bridge.log", env=self.env(urls), prefix=self.prefix).start()
        return self.bridge

    def stats(self) -> dict:
        try:
            return json.loads((self.segments / "stats.json").read_text())
        except (OSError, ValueError):
            return {}

    def feed(self, camera: str) -> dict:
        return self.stats().get("cameras", {}).get(f"{OFFICE}/{camera}", {})

    def segment_files(self, camera: str) -> list[Path]:
        fmt = self.receiver_settings.get("format", "ts")
        return sorted((self.segments / OFFICE / camera).glob(f"*.{fmt}"))

    def stop(self) -> None:
        for proc in (self.bridge, self.receiver):
            if proc is not None:
                proc.stop()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def worker_pids(bridge_pid: int) -> list[int]:
    """The camera workers: children of the bridge's forkserver process."""
    servers = [pid for pid in descendants(bridge_pid) if "forkserver" in cmdline(pid)]
    return sorted(pid for server in servers for pid in descendants(server)
                  if Path(f"/proc/{pid}/stat").exists() and _ppid(pid) == server)


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
