"""Kiosk fixtures: office configs in a fresh folder, the contract's environment, and kiosk apps
that are always taken down. Helpers to import live in ``kiosk_support``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kiosk_support import SAMPLE_CSV, office_data
from office_harness import MONDAY_8AM


@pytest.fixture
def write_office(tmp_path):
    """Write an office YAML (see ``office_data``) into a fresh folder holding a copy of the sample
    export; returns its path. ``dossiers`` defaults to importing that copy."""

    def write(name: str = "office.yaml", **sections) -> Path:
        folder = tmp_path / "conf"
        folder.mkdir(exist_ok=True)
        shutil.copy(SAMPLE_CSV, folder / "dossiers.csv")
        sections.setdefault("dossiers", {"kind": "import", "path": "dossiers.csv"})
        path = folder / name
        path.write_text(yaml.safe_dump(office_data(**sections), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture
def office_env(monkeypatch, tmp_path):
    """The contract's environment for an in-process kiosk: broker, data dir, office clock."""

    def apply(broker_url: str, data_dir: Path | None = None) -> Path:
        data_dir = data_dir or tmp_path / "kiosk-data"
        monkeypatch.setenv("MOTCUA_MQTT_URL", broker_url)
        monkeypatch.setenv("MOTCUA_DATA_DIR", str(data_dir))
        monkeypatch.setenv("MOTCUA_NOW", MONDAY_8AM)
        return data_dir

    return apply


@pytest.fixture
def make_kiosk(qtbot):
    """Build and start ``KioskApp``s; each is stopped and its window destroyed afterwards."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.app import KioskApp

    apps = []

    def make(cfg, kiosk_id: str | None = None, **kwargs) -> KioskApp:
        app = KioskApp(cfg, kiosk_id, **kwargs)
        apps.append(app)
        qtbot.addWidget(app.window)
        app.start(wait=10)
        return app

    yield make
    for app in apps:
        app.stop()
        app.window.unlocked = True  # lets qtbot close the window
        QApplication.instance().removeEventFilter(app.window)
