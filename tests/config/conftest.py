"""Shared fixtures: the example configs as data, a writer for variants, a clean environment."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config_examples import DEMO


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MOTCUA_CONFIG", "MOTCUA_MQTT_URL", "MOTCUA_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def demo_data() -> dict[str, Any]:
    """A fresh deep copy of the demo office as plain data."""
    return copy.deepcopy(yaml.safe_load(DEMO.read_text(encoding="utf-8")))


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[Any], Path]:
    """Write data (or YAML text) to a file in tmp_path and return its path."""

    def write(content: Any, name: str = "office.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
