"""Fixtures of the technician tooling tests: a broker running on ``motcua provision``'s files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from motcua.broker import free_port
from tooling.brokers import ProvisionedBroker, provision_cli


@pytest.fixture
def box_dir():
    """A folder the ``mosquitto`` user can enter (Mosquitto started as root runs as that user;
    pytest's own temporary folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="motcua-tooling-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def provisioned_broker(box_dir):
    port = free_port()
    out, state = box_dir / "etc", box_dir / "broker-state"
    provision_cli(out, port, state)
    broker = ProvisionedBroker(out, port, state).start()
    yield broker
    broker.stop()
