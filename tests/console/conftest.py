"""Fixtures for the counter console: the demo config, the office clock, a console on the bus."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.bus import BusClient
from motcua.bus.client import default_client_id
from motcua.clock import Clock
from motcua.config import load_config
from office_harness import DEMO_CONFIG, MONDAY_8AM


@pytest.fixture
def demo_cfg():
    return load_config(DEMO_CONFIG)


@pytest.fixture
def office_clock():
    """The clock ticketd runs on in the ``office`` fixture (started at Monday 08:00)."""
    return Clock("Asia/Ho_Chi_Minh", datetime.fromisoformat(MONDAY_8AM))


@pytest.fixture
def console_bus(broker):
    """Factory of started bus clients for console-side code; stopped after the test."""
    made: list[BusClient] = []

    def make(name: str) -> BusClient:
        bus = BusClient(broker.url, "hoa-an", client_id=default_client_id(name) + f"-{len(made)}")
        made.append(bus)
        return bus

    yield make
    for bus in made:
        bus.stop()
