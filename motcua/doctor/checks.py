"""Each check of ``motcua doctor``: what it found and, when it is not fine, what a person does.

Checks take what was gathered (config, broker snapshot, paths, command output) and return
``Check`` rows; only ``gather_*`` helpers touch the system.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from motcua.config import OfficeConfig
from motcua.i18n import t

OK, WARN, FAIL, UNKNOWN = "ok", "warn", "fail", "unknown"

DISK_FAIL_BYTES, DISK_FAIL_RATIO = 1 << 30, 0.05
DISK_WARN_BYTES, DISK_WARN_RATIO = 2 << 30, 0.10
BACKUP_WARN_DAYS = 2


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    action: str = ""


def age_text(updated_at: str | None, now: datetime) -> str:
    """``"5 phút trước"`` from an ISO time (a time in the future counts as just now)."""
    try:
        then = datetime.fromisoformat(updated_at) if updated_at else None
    except ValueError:
        then = None
    if then is None or then.tzinfo is None:
        return t("doctor.age_unknown")
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return t("doctor.age_seconds", n=seconds)
    if seconds < 3600:
        return t("doctor.age_minutes", n=seconds // 60)
    if seconds < 86400:
        return t("doctor.age_hours", n=seconds // 3600)
    return t("doctor.age_days", n=seconds // 86400)


# ---- broker and what it holds ---------------------------------------------------------------

def broker_check(error: str | None, reason: str, where: str) -> Check:
    name = t("doctor.check_broker")
    if error is None:
        return Check(name, OK, t("doctor.broker_ok", where=where))
    if error == "refused":
        return Check(name, FAIL, t("doctor.broker_refused", where=where, reason=reason),
                     t("doctor.broker_refused_action"))
    return Check(name, FAIL, t("doctor.broker_unreachable", where=where, reason=reason),
                 t("doctor.broker_unreachable_action"))


def ticketd_check(status: dict[str, Any] | None, now: datetime) -> Check:
    name = t("doctor.check_ticketd")
    if status is None:
        return Check(name, FAIL, t("doctor.ticketd_never"), t("doctor.ticketd_action"))
    age = age_text(status.get("updated_at"), now)
    if status.get("state") == "online":
        return Check(name, OK, t("doctor.ticketd_online", age=age))
    return Check(name, FAIL, t("doctor.ticketd_down", state=state_text(status.get("state")), age=age),
                 t("doctor.ticketd_action"))


def device_check(kind: str, device: Any, status: dict[str, Any], now: datetime) -> Check:
    """One configured device that has a status. ``kind`` is its list in ``devices:``."""
    label = t(f"doctor.kind_{kind}", id=device.id)
    state, detail = status.get("state"), status.get("detail")
    age = age_text(status.get("updated_at"), now)
    if kind == "printers":
        return _printer_check(label, device.id, state, detail, age)
    shown = t("doctor.device_state", state=state_text(state), age=age)
    if detail:
        shown += f" – {detail}"
    if state == "online":
        return Check(label, OK, shown)
    if state == "offline":
        return Check(label, FAIL, shown, t("doctor.device_offline_action"))
    return Check(label, WARN, shown, t("doctor.device_degraded_action"))


def state_text(state: str | None) -> str:
    return t(f"doctor.state_{state}") if state in ("online", "degraded", "offline", "unknown") else str(state)


def _printer_check(label: str, printer: str, state: str | None, detail: str | None, age: str) -> Check:
    if state == "online":
        return Check(label, OK, t("doctor.printer_ok", age=age))
    if state == "unknown":
        return Check(label, UNKNOWN, t("doctor.printer_unknown", age=age), t("doctor.printer_never_action", id=printer))
    key = detail if detail in ("paper_out", "paper_low", "cover_open", "offline", "timeout") else "other"
    return Check(label, WARN if state == "degraded" else FAIL,
                 t(f"doctor.printer_{key}", detail=detail or state, age=age), t(f"doctor.printer_{key}_action", id=printer))


def devices_checks(cfg: OfficeConfig, statuses: dict[str, dict[str, Any]], now: datetime) -> list[Check]:
    """A row per device that reported a status; the devices never seen share one row."""
    rows, never = [], []
    for kind, device in cfg.devices.all():
        status = statuses.get(device.id)
        if status is not None:
            rows.append(device_check(kind, device, status, now))
        elif kind == "printers":  # ticketd reports a printer once it used it
            rows.append(Check(t("doctor.kind_printers", id=device.id), UNKNOWN, t("doctor.printer_never"),
                              t("doctor.printer_never_action", id=device.id)))
        else:
            never.append(device.id)
    if never:
        rows.append(Check(t("doctor.check_never_seen"), FAIL, ", ".join(never), t("doctor.device_never_action")))
    return rows


def bridge_check(state: str | None) -> Check | None:
    """The province link, when the broker has a bridge (Mosquitto reports ``1`` or ``0``)."""
    if state is None:
        return None
    if state == "1":
        return Check(t("doctor.check_bridge"), OK, t("doctor.bridge_up"))
    return Check(t("doctor.check_bridge"), WARN, t("doctor.bridge_down"), t("doctor.bridge_down_action"))


def skipped_for_broker() -> Check:
    return Check(t("doctor.check_devices"), UNKNOWN, t("doctor.devices_no_broker"),
                 t("doctor.devices_no_broker_action"))


# ---- the box --------------------------------------------------------------------------------

def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_checks(paths: dict[str, Path]) -> list[Check]:
    """Free space where each path lives (one row per file system)."""
    rows, seen = [], set()
    for label, path in paths.items():
        where = _existing(path)
        device = where.stat().st_dev
        if device in seen:
            continue
        seen.add(device)
        usage = shutil.disk_usage(where)
        free_gib, ratio = usage.free / (1 << 30), usage.free / usage.total if usage.total else 0
        detail = t("doctor.disk_detail", what=label, path=path, free=f"{free_gib:.1f}", percent=round(ratio * 100))
        if usage.free < DISK_FAIL_BYTES or ratio < DISK_FAIL_RATIO:
            rows.append(Check(t("doctor.check_disk"), FAIL, detail, t("doctor.disk_action")))
        elif usage.free < DISK_WARN_BYTES or ratio < DISK_WARN_RATIO:
            rows.append(Check(t("doctor.check_disk"), WARN, detail, t("doctor.disk_action")))
        else:
            rows.append(Check(t("doctor.check_disk"), OK, detail))
    return rows


Runner = Callable[[list[str]], subprocess.CompletedProcess]


def run_quietly(command: list[str]) -> subprocess.CompletedProcess:
    """Run a system tool; a missing tool is returned as exit code 127."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 127, "", str(exc))


def clock_check(now: datetime, run: Runner = run_quietly) -> Check:
    """Time sync from systemd-timesyncd (timedatectl), else chrony; else unknown."""
    name, shown = t("doctor.check_clock"), now.strftime("%d/%m/%Y %H:%M")
    result = run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
    if result.returncode == 0 and result.stdout.strip() in ("yes", "no"):
        synced = result.stdout.strip() == "yes"
    else:
        result = run(["chronyc", "-n", "tracking"])
        leap = next((line.partition(":")[2].strip() for line in result.stdout.splitlines()
                     if line.startswith("Leap status")), None) if result.returncode == 0 else None
        if leap is None:
            return Check(name, UNKNOWN, t("doctor.clock_unknown", now=shown), t("doctor.clock_unknown_action"))
        synced = leap == "Normal"
    if synced:
        return Check(name, OK, t("doctor.clock_ok", now=shown))
    return Check(name, WARN, t("doctor.clock_unsynced", now=shown), t("doctor.clock_unsynced_action"))


def sqlite_checks(data_dir: Path) -> list[Check]:
    """``PRAGMA quick_check`` on every database of the data dir, opened read-only."""
    name = t("doctor.check_sqlite")
    paths = sorted(data_dir.glob("*.sqlite3")) if data_dir.is_dir() else []
    rows = []
    if not any(p.name == "ticketd.sqlite3" for p in paths):
        rows.append(Check(name, WARN, t("doctor.sqlite_missing", path=data_dir / "ticketd.sqlite3"),
                          t("doctor.ticketd_action")))
    for path in paths:
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                result = [row[0] for row in db.execute("PRAGMA quick_check")]
            finally:
                db.close()
        except sqlite3.OperationalError as exc:  # cannot open: permissions, locked
            rows.append(Check(name, UNKNOWN, t("doctor.sqlite_unreadable", file=path.name, error=exc),
                              t("doctor.sqlite_unreadable_action")))
            continue
        except sqlite3.DatabaseError as exc:  # not a database, malformed
            result = [str(exc)]
        if result == ["ok"]:
            rows.append(Check(name, OK, t("doctor.sqlite_ok", file=path.name)))
        else:
            rows.append(Check(name, FAIL, t("doctor.sqlite_bad", file=path.name, error="; ".join(result[:3])),
                              t("doctor.sqlite_bad_action")))
    return rows


def backup_check(latest: datetime | None, now: datetime) -> Check:
    name = t("doctor.check_backup")
    if latest is None:
        return Check(name, WARN, t("doctor.backup_none"), t("doctor.backup_action"))
    age = age_text(latest.isoformat(), now)
    if (now - latest).total_seconds() > BACKUP_WARN_DAYS * 86400:
        return Check(name, WARN, t("doctor.backup_old", age=age), t("doctor.backup_action"))
    return Check(name, OK, t("doctor.backup_ok", age=age))
