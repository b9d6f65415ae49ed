"""Reliability tests: fast slices under `make test`, long variants with MOTCUA_SOAK=1 (`make soak`)."""

import os

import pytest

SOAK = os.environ.get("MOTCUA_SOAK") == "1"


@pytest.fixture
def soak() -> bool:
    return SOAK
