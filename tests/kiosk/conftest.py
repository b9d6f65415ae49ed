"""Kiosk test helpers: office configs derived from the demo office, a kiosk app that is always
taken down, and screenshots saved as artefacts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from office_harness import DEMO_CONFIG, MONDAY_8AM

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "config" / "examples" / "dossiers-sample.csv"
SAMPLE_JSON = ROOT / "config" / "examples" / "dossiers-sample.json"
SHOTS = ROOT / "artifacts" / "kiosk"
# a dossier of the sample: received 11/11, due 20/11 16:00, still processing (overdue on 23/11)
OVERDUE_CODE = "000.31.17.H17-261120-0005"
OVERDUE_LAST4 = "2468"


def office_data(**sections) -> dict:
    """The demo office as a dict, with sections replaced or extended (``kiosk={...}`` merges)."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name] = {**data[name], **value}
        else:
            data[name] = value
    return data


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
        app.window.unlocked = True  # lets qtbot close it at teardown
        app.start(wait=10)
        app.window.unlocked = False
        return app

    yield make
    for app in apps:
        app.stop()
        app.window.unlocked = True
        QApplication.instance().removeEventFilter(app.window)


def shot(window, name: str) -> Path:
    """Save the window as ``artifacts/kiosk/{name}.png`` (after pending layout and paint)."""
    from PySide6.QtWidgets import QApplication

    SHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    assert window.grab().save(str(path)), f"could not save {path}"
    return path


def kiosk_env_for(process_env: dict) -> dict:
    """The environment of a kiosk subprocess next to a test ticketd."""
    env = dict(process_env)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("DISPLAY", None)
    return env

