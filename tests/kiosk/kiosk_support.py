"""Kiosk test helpers (importable under a unique name): the sample data, office configs derived
from the demo office, screenshots saved as artefacts."""

from __future__ import annotations

from pathlib import Path

import yaml

from office_harness import DEMO_CONFIG

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
