"""Fixtures of the display tests: the office config for the screens, pointed at the test broker."""

from __future__ import annotations

import pytest

from display_helpers import write_config
from motcua.config import load_config


@pytest.fixture
def display_config(tmp_path):
    return write_config(tmp_path / "config")


@pytest.fixture
def cfg(display_config, office, monkeypatch):
    """The loaded config, pointed at the office's broker and data dir."""
    ticketd, _watcher = office
    monkeypatch.setenv("MOTCUA_MQTT_URL", ticketd.broker_url)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(ticketd.data_dir))
    return load_config(display_config)


@pytest.fixture
def clean_stats(office):
    """No retained ``stats`` before or after the test (the broker lives for the whole session)."""
    _ticketd, watcher = office
    topic = watcher.topics.stats()
    watcher.bus.publish(topic, b"", 1, True).wait_for_publish(5)
    yield topic
    watcher.bus.publish(topic, b"", 1, True).wait_for_publish(5)
