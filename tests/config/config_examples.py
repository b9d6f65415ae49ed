"""Paths of the example configs (a module with a unique name, importable from any test folder)."""

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
DEMO = EXAMPLES / "demo-office.yaml"
BROKEN = EXAMPLES / "broken-office.yaml"
