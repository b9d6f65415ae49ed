"""``motcua doctor`` (every check in one table, with what to do) and ``motcua devices`` (the live
status of every device).

``doctor`` exits 0 when nothing needs a person, 1 when something does, 2 when the config is
unusable. Broker credentials: ``--credentials`` (an env file made by ``motcua provision``), else
``$MOTCUA_MQTT_URL``, else ``/etc/motcua/credentials/doctor.env`` when readable, else the config.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from motcua.backup import default_dest, list_backups
from motcua.config import ConfigError, OfficeConfig, load_config
from motcua.doctor import checks as c
from motcua.doctor.snapshot import Snapshot, StatusReader, broker_for
from motcua.doctor.table import render
from motcua.i18n import t
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, load_or_exit, office_clock

DEFAULT_CONFIG = Path("/etc/motcua/office.yaml")
CHECK_WIDTHS = [26, 8, 52, 60]
DEVICE_WIDTHS = [22, 16, 16, 24, 16]
# the device lists of the config and the ``kind`` their devices report
CONTRACT_KINDS = {"kiosks": "kiosk", "printers": "printer", "led_boards": "led", "button_boxes": "button_box",
                  "keypads": "keypad", "displays": "display", "rating_pads": "rating_pad", "cameras": "camera"}


def config_path(option: str | None) -> str | None:
    """``-c``, else ``$MOTCUA_CONFIG``, else the installed office config when there is one."""
    if option or os.environ.get("MOTCUA_CONFIG"):
        return option
    return str(DEFAULT_CONFIG) if DEFAULT_CONFIG.exists() else None


def config_check(path: str | None) -> tuple[OfficeConfig | None, c.Check]:
    name = t("doctor.check_config")
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        first = str(exc.errors[0]) if exc.errors else ""
        return None, c.Check(name, c.FAIL, t("doctor.config_bad", count=len(exc.errors), first=first),
                             t("doctor.config_bad_action", path=path or "$MOTCUA_CONFIG"))
    return cfg, c.Check(name, c.OK, t("doctor.config_ok", path=cfg.source or path))


def read_broker(cfg: OfficeConfig, credentials: Path | None) -> tuple[Snapshot, str]:
    """What the broker holds, and ``host:port`` for the table."""
    try:
        broker, ca_file = broker_for(cfg, credentials)
    except (OSError, KeyError, ValueError) as exc:
        return Snapshot(error="refused", reason=t("doctor.credentials_unreadable", error=exc)), "?"
    reader = StatusReader(broker, cfg.office.id, ca_file)
    try:
        snapshot = reader.read()
    finally:
        reader.close()
    user = f"{broker.username}@" if broker.username else ""
    return snapshot, f"{user}{broker.host}:{broker.port}"


def disk_paths(cfg: OfficeConfig) -> dict[str, Path]:
    paths = {t("doctor.disk_data"): cfg.storage.data_dir, t("doctor.disk_backups"): default_dest(cfg)}
    for printer in cfg.devices.printers:
        if printer.capture_dir is not None:
            paths[t("doctor.disk_capture", id=printer.id)] = printer.capture_dir
    if cfg.announcer.wav_dir is not None:
        paths[t("doctor.disk_recordings")] = cfg.announcer.wav_dir
    return paths


def run_checks(path: str | None, credentials: Path | None) -> tuple[list[c.Check], int]:
    cfg, row = config_check(path)
    rows = [row]
    if cfg is None:
        return rows + [c.clock_check(datetime.now().astimezone())], EXIT_USAGE
    now = office_clock(cfg).now()
    snapshot, where = read_broker(cfg, credentials)
    rows.append(c.broker_check(snapshot.error, snapshot.reason, where))
    if snapshot.error is None:
        rows.append(c.ticketd_check(snapshot.statuses.get("ticketd"), now))
        bridge = c.bridge_check(snapshot.bridge_state)
        rows += [bridge] if bridge else []
        rows += c.devices_checks(cfg, snapshot.statuses, now)
    else:
        rows.append(c.skipped_for_broker())
    rows += c.disk_checks(disk_paths(cfg))
    rows.append(c.clock_check(now))
    rows += c.sqlite_checks(cfg.storage.data_dir)
    backups = list_backups(default_dest(cfg))
    rows.append(c.backup_check(backups[-1].created_at if backups else None, datetime.now(cfg.office.tz)))
    return rows, EXIT_RUNTIME if any(r.status == c.FAIL for r in rows) else EXIT_OK


def checks_table(rows: list[c.Check]) -> str:
    headers = [t("doctor.col_check"), t("doctor.col_result"), t("doctor.col_detail"), t("doctor.col_action")]
    body = [[r.name, t(f"doctor.status_{r.status}"), r.detail, r.action] for r in rows]
    return render(headers, body, CHECK_WIDTHS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua doctor", description=t("doctor.description"))
    parser.add_argument("-c", "--config", help=t("doctor.option_config"))
    parser.add_argument("--credentials", type=Path, help=t("doctor.option_credentials"))
    options = parser.parse_args(argv)
    rows, code = run_checks(config_path(options.config), options.credentials)
    print(checks_table(rows))
    failing = sum(r.status == c.FAIL for r in rows)
    print()
    print(t("doctor.summary_fail", count=failing) if failing else t("doctor.summary_ok"))
    return code


# ---- motcua devices ---------------------------------------------------------------------------

def devices_table(cfg: OfficeConfig, statuses: dict[str, dict], now: datetime) -> str:
    configured = {device.id: kind for kind, device in cfg.devices.all()}
    ids = sorted(set(statuses) | set(configured), key=lambda d: (d != "ticketd", d not in configured, d))
    rows = []
    for device in ids:
        status = statuses.get(device)
        if status is None:
            rows.append([device, CONTRACT_KINDS[configured[device]], t("doctor.devices_never"), "", ""])
            continue
        rows.append([device, str(status.get("kind") or ""), c.state_text(status.get("state")),
                     str(status.get("detail") or ""), c.age_text(status.get("updated_at"), now)])
    headers = [t("doctor.col_device"), t("doctor.col_kind"), t("doctor.col_state"), t("doctor.col_detail"),
               t("doctor.col_updated")]
    return render(headers, rows, DEVICE_WIDTHS)


def devices_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua devices", description=t("doctor.devices_description"))
    parser.add_argument("-c", "--config", help=t("doctor.option_config"))
    parser.add_argument("--credentials", type=Path, help=t("doctor.option_credentials"))
    parser.add_argument("--watch", action="store_true", help=t("doctor.devices_option_watch"))
    options = parser.parse_args(argv)
    cfg = load_or_exit(config_path(options.config))
    clock = office_clock(cfg)
    try:
        broker, ca_file = broker_for(cfg, options.credentials)
    except (OSError, KeyError, ValueError) as exc:
        print(t("doctor.credentials_unreadable", error=exc), file=sys.stderr)
        return EXIT_USAGE
    changed = threading.Event()
    reader = StatusReader(broker, cfg.office.id, ca_file, on_change=changed.set)
    snapshot = reader.read()
    if snapshot.error is not None:
        reader.close()
        row = c.broker_check(snapshot.error, snapshot.reason, f"{broker.host}:{broker.port}")
        print(f"{row.detail}\n{row.action}", file=sys.stderr)
        return EXIT_RUNTIME
    if not options.watch:
        reader.close()
        print(devices_table(cfg, snapshot.statuses, clock.now()))
        return EXIT_OK
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            changed.clear()
            sys.stdout.write("\x1b[H\x1b[2J" + devices_table(cfg, reader.statuses(), clock.now()) + "\n")
            sys.stdout.flush()
            changed.wait(5)  # redraw on a change, and every 5 s for the ages
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return EXIT_OK
