"""sd_notify: the datagram systemd receives, and nothing at all outside systemd."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from office_harness import ROOT

SCRIPT = "from motcua import sdnotify; print(sdnotify.ready(), sdnotify.watchdog(), sdnotify.watchdog_interval())"


def run(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_ready_and_watchdog_reach_the_notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        server.settimeout(10)
        out = run({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000"})
        assert [server.recv(64), server.recv(64)] == [b"READY=1", b"WATCHDOG=1"]
    assert out == "True True 15.0"


def test_abstract_socket_name(tmp_path):
    name = f"motcua-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        server.settimeout(10)
        run({"NOTIFY_SOCKET": "@" + name})
        assert server.recv(64) == b"READY=1"


def test_without_systemd_nothing_is_sent():
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=dict(env, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "False False None"
