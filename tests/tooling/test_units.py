"""The systemd units: valid for ``systemd-analyze verify``, sandboxed (exposure ≤ 2.5), and
restarting, ordered on the broker, under the motcua user."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from office_harness import ROOT

UNITS = ROOT / "systemd"
# what each unit file is checked as (templates need an instance)
INSTANCES = {
    "motcua-broker.service": "motcua-broker.service",
    "motcua-ticketd.service": "motcua-ticketd.service",
    "motcua-display@.service": "motcua-display@hall.service",
    "motcua-kiosk@.service": "motcua-kiosk@kiosk-1.service",
    "motcua-rating-pad@.service": "motcua-rating-pad@3.service",
    "motcua-stats.service": "motcua-stats.service",
    "motcua-camera-bridge.service": "motcua-camera-bridge.service",
    "motcua-keypads.service": "motcua-keypads.service",
    "motcua-backup.service": "motcua-backup.service",
    "motcua-backup.timer": "motcua-backup.timer",
}
# binaries that exist on an office box but not in the test container
INSTALLED_ONLY = ("/opt/motcua/venv/bin/motcua", "/usr/bin/cage")
MAX_EXPOSURE = 2.5


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "systemd"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), capture_output=True)
        found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd (make deps)")
    return found


@pytest.fixture(scope="module")
def unit_dir(tmp_path_factory) -> Path:
    """The units with the box-only binaries pointed at /usr/bin/true (verify wants them to exist)."""
    folder = tmp_path_factory.mktemp("units")
    for path in UNITS.iterdir():
        if path.suffix in (".service", ".timer"):
            text = path.read_text()
            for binary in INSTALLED_ONLY:
                text = text.replace(binary, "/usr/bin/true")
            (folder / path.name).write_text(text)
    return folder


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """``{section: {key: [every value, in order]}}`` of a unit file."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            current.setdefault(key, []).append(value)
    return sections


def test_every_unit_file_is_known():
    assert sorted(p.name for p in UNITS.iterdir() if p.suffix in (".service", ".timer")) == sorted(INSTANCES)


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_verify_is_clean(unit_dir, name):
    done = subprocess.run([systemd_analyze(), "verify", INSTANCES[name]], cwd=unit_dir, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # unknown keys are only warnings


@pytest.mark.parametrize("name", sorted(n for n in INSTANCES if n.endswith(".service")))
def test_exposure_is_low(unit_dir, name):
    done = subprocess.run([systemd_analyze(), "security", "--offline=true", f"--threshold={round(MAX_EXPOSURE * 10)}",
                           INSTANCES[name]], cwd=unit_dir, capture_output=True, text=True, timeout=120)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match[1]) <= MAX_EXPOSURE, done.stdout
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("name", sorted(n for n in INSTANCES if n.endswith(".service") and "backup" not in n))
def test_long_running_units_restart_and_follow_the_broker(name):
    sections = unit(name)
    service, head = sections["Service"], sections["Unit"]
    assert service["Restart"] == ["always"]
    assert head["StartLimitIntervalSec"] == ["0"]  # never give up, e.g. after a power cut
    assert service["NoNewPrivileges"] == ["yes"] and service["CapabilityBoundingSet"] == [""]
    if name != "motcua-broker.service":
        assert service["User"] == ["motcua"]
        assert "motcua-broker.service" in head["After"][0].split()
        assert "motcua-broker.service" in head["Wants"][0].split()
        assert service["EnvironmentFile"][0].startswith("/etc/motcua/credentials/")
    if service["ProtectSystem"] == ["strict"]:
        assert service["ReadWritePaths"][0] in ("/var/lib/motcua", "/var/lib/motcua-broker")
        assert service["PrivateTmp"] == ["yes"] and service["ProtectHome"] == ["yes"]


def test_ticketd_notifies_and_is_watched():
    service = unit("motcua-ticketd.service")["Service"]
    assert service["Type"] == ["notify"] and int(service["WatchdogSec"][0]) > 0


def test_backup_runs_nightly_and_catches_up():
    timer = unit("motcua-backup.timer")["Timer"]
    assert timer["OnCalendar"] == ["*-*-* 02:00:00"] and timer["Persistent"] == ["true"]
    assert unit("motcua-backup.service")["Service"]["Type"] == ["oneshot"]
