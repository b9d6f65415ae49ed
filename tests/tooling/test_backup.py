"""Backups made while ticketd works, kept by count; restores that refuse to hurt a running office."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from motcua.backup import list_backups, make_backup, prune
from motcua.config import load_config
from office_harness import DEMO_CONFIG, ROOT

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def cli(command: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua", command, "-c", str(DEMO_CONFIG), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def tickets_in(path) -> int:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        db.close()


def test_backup_while_numbers_are_taken_is_consistent_and_pruned(office):
    ticketd, watcher = office
    for _ in range(3):
        assert watcher.request(watcher.topics.take("kiosk-2"), {"service": "CT", "print": False})["ok"]
    busy = threading.Event()

    def keep_taking() -> None:
        while not busy.is_set():
            watcher.request(watcher.topics.take("kiosk-2"), {"service": "CT", "print": False})

    taker = threading.Thread(target=keep_taking)
    taker.start()
    try:
        done = cli("backup", ticketd.env(), "--keep", "2")
        assert done.returncode == 0, done.stderr
        for _ in range(2):
            assert cli("backup", ticketd.env(), "--keep", "2").returncode == 0
    finally:
        busy.set()
        taker.join(timeout=30)
    backups = list_backups(ticketd.data_dir / "backups")
    assert len(backups) == 2  # the oldest of three was pruned
    for backup in backups:
        copy = backup.path / "ticketd.sqlite3"
        assert not (backup.path / "ticketd.sqlite3-wal").exists()  # self-contained files
        db = sqlite3.connect(copy)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sequences = [row[0] for row in db.execute("SELECT seq FROM tickets WHERE service='CT' ORDER BY seq")]
        db.close()
        assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) >= 3  # no half-written take
        manifest = json.loads((backup.path / "manifest.json").read_text())
        assert manifest["office"] == "hoa-an" and manifest["files"]["ticketd.sqlite3"]["bytes"] == copy.stat().st_size


def test_restore_refuses_while_ticketd_runs_then_puts_the_backup_back(office):
    ticketd, watcher = office
    assert watcher.request(watcher.topics.take("kiosk-2"), {"service": "HT", "print": False})["ok"]
    assert cli("backup", ticketd.env()).returncode == 0
    assert watcher.request(watcher.topics.take("kiosk-2"), {"service": "HT", "print": False})["ok"]

    refused = cli("restore", ticketd.env(), "latest")
    assert refused.returncode == 1 and "ticketd đang chạy" in refused.stderr

    ticketd.stop()
    watcher.wait_state(watcher.topics.device_status("ticketd"), lambda s: s["state"] == "offline")
    assert tickets_in(ticketd.data_dir / "ticketd.sqlite3") == 2
    done = cli("restore", ticketd.env(), "latest")
    assert done.returncode == 0, done.stderr
    assert tickets_in(ticketd.data_dir / "ticketd.sqlite3") == 1
    aside = [p for p in ticketd.data_dir.iterdir() if p.name.startswith("before-restore-")]
    assert len(aside) == 1 and tickets_in(aside[0] / "ticketd.sqlite3") == 2


def test_restore_refuses_a_changed_backup_and_an_unknown_broker(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "ticketd.sqlite3")
    db.execute("CREATE TABLE tickets (seq)")
    db.commit()
    db.close()
    env = {"MOTCUA_DATA_DIR": str(data), "MOTCUA_MQTT_URL": "mqtt://127.0.0.1:9", "PYTHONPATH": str(ROOT),
           "PATH": "/usr/bin:/bin"}
    assert cli("backup", env).returncode == 0
    cannot_tell = cli("restore", env, "latest")
    assert cannot_tell.returncode == 1 and "--force" in cannot_tell.stderr
    assert cli("restore", env, "latest", "--force").returncode == 0
    (backup,) = list_backups(data / "backups")
    with (backup.path / "ticketd.sqlite3").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00")
    changed = cli("restore", env, backup.path.name, "--force")
    assert changed.returncode == 1 and "bị thay đổi" in changed.stderr


def test_retention_keeps_the_newest(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "ticketd.sqlite3").execute("CREATE TABLE x (y)").connection.close()
    cfg = load_config(DEMO_CONFIG)
    cfg.storage.data_dir = data
    start = datetime(2026, 11, 20, 2, 0, tzinfo=TZ)
    for day in range(5):
        make_backup(cfg, data / "backups", start + timedelta(days=day))
    make_backup(cfg, data / "backups", start + timedelta(days=4))  # same second: a second folder
    (data / "backups" / ".partial-20261125-020000").mkdir()  # left by a power cut
    removed = prune(data / "backups", keep=3)
    assert [p.name for p in removed] == ["20261120-020000", "20261121-020000", "20261122-020000"]
    assert [b.path.name for b in list_backups(data / "backups")] == [
        "20261123-020000", "20261124-020000", "20261124-020000-2"]
    assert not list((data / "backups").glob(".partial-*"))
