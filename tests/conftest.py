"""Shared fixtures: a real Mosquitto per test session, ticketd processes, bus watchers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pytest  # noqa: E402

from motcua.broker import LocalBroker  # noqa: E402
from office_harness import DEMO_CONFIG, TicketdProcess, Watcher, wait_until  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def broker(tmp_path):
    """A fresh Mosquitto per test: retained state left by one test never reaches another."""
    with LocalBroker(workdir=tmp_path / "broker") as running:
        yield running


@pytest.fixture
def office(broker, tmp_path):
    """A running ticketd on the demo office (Monday 08:00) and a watcher of its topics."""
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url, tmp_path / "data").start()
    watcher = Watcher(broker.url, "hoa-an")
    try:
        wait_until(lambda: (watcher.latest(watcher.topics.device_status("ticketd")) or {}).get("state") == "online",
                   timeout=20)
    except AssertionError:
        raise AssertionError("ticketd did not come online:\n" + ticketd.log())
    yield ticketd, watcher
    watcher.close()
    ticketd.stop()
