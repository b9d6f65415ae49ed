"""``install.sh --root DIR``: the files an office box (or a device) gets, written under DIR."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from office_harness import DEMO_CONFIG, ROOT


def install(root, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", str(ROOT / "install.sh"), "--root", str(root), "--python", sys.executable,
                           *args], capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")})
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_office_box_tree(tmp_path):
    root = tmp_path / "box"
    install(root, "--config", str(DEMO_CONFIG), "--hall-screen")
    etc = root / "etc" / "motcua"
    assert (etc / "office.yaml").read_text() == DEMO_CONFIG.read_text()
    conf = (etc / "broker" / "mosquitto.conf").read_text()
    assert "password_file /etc/motcua/broker/passwd" in conf and "acl_file /etc/motcua/broker/acl" in conf
    assert "persistence_location /var/lib/motcua-broker/" in conf and str(root) not in conf
    assert stat.S_IMODE((etc / "credentials").stat().st_mode) == 0o700
    envs = sorted(p.name for p in (etc / "credentials").glob("*.env"))
    assert {"ticketd.env", "doctor.env", "display@hall.env", "rating-pad@5.env", "kiosk@kiosk-2.env"} <= set(envs)
    assert all(stat.S_IMODE((etc / "credentials" / n).stat().st_mode) == 0o600 for n in envs)

    units = root / "etc" / "systemd" / "system"
    for unit in (ROOT / "systemd").glob("*.service"):
        assert (units / unit.name).read_text() == unit.read_text()
    wants = units / "multi-user.target.wants"
    enabled = sorted(p.name for p in wants.iterdir())
    assert enabled == sorted(["motcua-broker.service", "motcua-ticketd.service", "motcua-stats.service",
                              "motcua-display@announcer.service", "motcua-display@led.service",
                              "motcua-display@hall.service", "motcua-camera-bridge.service"])
    assert os.readlink(wants / "motcua-display@hall.service") == "/etc/systemd/system/motcua-display@.service"
    timer = units / "timers.target.wants" / "motcua-backup.timer"
    assert os.readlink(timer) == "/etc/systemd/system/motcua-backup.timer"
    assert os.readlink(units / "mosquitto.service") == "/dev/null"  # Debian's broker stays off

    assert "u motcua " in (root / "etc" / "sysusers.d" / "motcua.conf").read_text()
    assert (root / "etc" / "udev" / "rules.d" / "70-motcua-printers.rules").exists()
    wrapper = root / "usr" / "local" / "bin" / "motcua"
    assert os.access(wrapper, os.X_OK) and "exec /opt/motcua/venv/bin/motcua" in wrapper.read_text()
    assert (root / "opt" / "motcua" / "src" / "systemd" / "README.md").exists()
    assert not (root / "opt" / "motcua" / "src" / ".venv").exists()

    # installing again keeps the office config and every password
    before = (etc / "credentials" / "rating-pad@5.env").read_text()
    (etc / "office.yaml").write_text(DEMO_CONFIG.read_text() + "\n# edited by the technician\n")
    install(root, "--config", str(DEMO_CONFIG))
    assert (etc / "office.yaml").read_text().endswith("# edited by the technician\n")
    assert (etc / "credentials" / "rating-pad@5.env").read_text() == before


def test_rating_pad_device_tree(tmp_path):
    box = tmp_path / "box"
    install(box, "--config", str(DEMO_CONFIG))
    credentials = box / "etc" / "motcua" / "credentials" / "rating-pad@3.env"
    device = tmp_path / "pad"
    install(device, "--config", str(DEMO_CONFIG), "--device", "motcua-rating-pad@3.service",
            "--credentials", str(credentials))
    units = device / "etc" / "systemd" / "system"
    assert os.readlink(units / "graphical.target.wants" / "motcua-rating-pad@3.service") == \
        "/etc/systemd/system/motcua-rating-pad@.service"
    assert os.readlink(units / "default.target") == "/lib/systemd/system/graphical.target"
    copied = device / "etc" / "motcua" / "credentials" / "rating-pad@3.env"
    assert copied.read_text() == credentials.read_text() and stat.S_IMODE(copied.stat().st_mode) == 0o600
    assert not (device / "etc" / "motcua" / "broker").exists()  # no broker on a device
