"""Helpers of the display tests: configs, screen bus clients, ticketd requests, screenshots."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import yaml

from motcua.bus import BusClient
from motcua.bus.client import default_client_id
from motcua.clock import Clock
from office_harness import DEMO_CONFIG, MONDAY_8AM, ROOT

ARTIFACTS = ROOT / "artifacts" / "display"
MIN_SHOW_S = 1.0


def write_config(folder: Path, **changes) -> Path:
    """The demo office with quick calls (``call_min_show_s`` 1 s) and a quiet announcer that writes
    WAVs (no chime, said once); ``changes`` are merged into the top-level sections."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["hall"]["call_min_show_s"] = MIN_SHOW_S
    data["announcer"].update(output="wav", chime=False, repeat=1)
    for section, values in changes.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def monday_clock() -> Clock:
    return Clock("Asia/Ho_Chi_Minh", datetime.fromisoformat(MONDAY_8AM))


def screen_bus(url: str, name: str) -> BusClient:
    return BusClient(url, "hoa-an", client_id=default_client_id(name) + f"-{id(object())}",
                     device_id=name, kind="display")


def op(watcher, counter: str, name: str, **fields) -> dict:
    """A counter operation that must succeed."""
    reply = watcher.request(watcher.topics.counter_cmd(counter), {"op": name, **fields})
    assert reply["ok"], reply
    return reply


def take(watcher, service: str) -> str:
    reply = watcher.request(watcher.topics.take("kiosk-1"), {"service": service, "print": False})
    assert reply["ok"], reply
    return reply["ticket"]["number"]


def save(widget, name: str) -> Path:
    """A screenshot of ``widget`` into ``artifacts/display/{name}.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert widget.grab().save(str(path), "PNG")
    return path


def run_display(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``python -m display ARGS`` as a subprocess (logs into ``log``)."""
    return subprocess.Popen([sys.executable, "-m", "display", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=open(log, "ab"))


def stop(process: subprocess.Popen) -> int:
    process.terminate()
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
