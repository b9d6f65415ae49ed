"""``motcua backup`` and ``motcua restore``: consistent copies of the office databases.

A backup copies every ``*.sqlite3`` of the data dir with SQLite's online backup API (a consistent
snapshot even while ticketd writes), checks each copy, and writes them with a ``manifest.json``
(sizes, SHA-256) into ``<dest>/<YYYYmmdd-HHMMSS>/``; the folder appears only once complete. The
newest ``--keep`` backups are kept. A restore verifies the backup first, refuses while ticketd is
online (``--force`` overrides), and moves the current files aside instead of deleting them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from motcua.config import OfficeConfig
from motcua.i18n import t
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, load_or_exit

NAME_RE = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
MANIFEST = "manifest.json"
DEFAULT_KEEP = 14


class BackupError(Exception):
    """A backup that cannot be made or trusted (the message is for a person)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created_at: datetime
    files: dict[str, dict]


def default_dest(cfg: OfficeConfig) -> Path:
    return cfg.storage.data_dir / "backups"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _integrity(path: Path) -> list[str]:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` (which may be in use) as a self-contained file."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def make_backup(cfg: OfficeConfig, dest: Path, now: datetime) -> Backup:
    data_dir = cfg.storage.data_dir
    sources = sorted(data_dir.glob("*.sqlite3"))
    if not sources:
        raise BackupError(t("doctor.backup_nothing", path=data_dir))
    dest.mkdir(parents=True, exist_ok=True)
    name = now.strftime("%Y%m%d-%H%M%S")
    suffix = 1
    while (dest / name).exists():
        suffix += 1
        name = f"{now.strftime('%Y%m%d-%H%M%S')}-{suffix}"
    partial = dest / f".partial-{name}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    files = {}
    try:
        for source in sources:
            target = partial / source.name
            copy_database(source, target)
            problems = _integrity(target)
            if problems != ["ok"]:
                raise BackupError(t("doctor.backup_copy_bad", file=source.name, error="; ".join(problems[:3])))
            files[source.name] = {"bytes": target.stat().st_size, "sha256": _sha256(target)}
        manifest = {"office": cfg.office.id, "created_at": now.isoformat(timespec="seconds"), "files": files}
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial.rename(dest / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(dest / name, now, files)


def list_backups(dest: Path) -> list[Backup]:
    """Complete backups in ``dest``, oldest first."""
    found = []
    if not dest.is_dir():
        return found
    for path in sorted(p for p in dest.iterdir() if p.is_dir() and NAME_RE.match(p.name)):
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            found.append(Backup(path, datetime.fromisoformat(manifest["created_at"]), manifest["files"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def prune(dest: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and leftovers of interrupted ones)."""
    removed = []
    for old in list_backups(dest)[:-keep] if keep > 0 else []:
        shutil.rmtree(old.path)
        removed.append(old.path)
    for leftover in dest.glob(".partial-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return removed


def verify(backup: Backup) -> None:
    """Raise ``BackupError`` unless every file is there, unchanged and sound."""
    for name, info in backup.files.items():
        path = backup.path / name
        if not path.exists() or _sha256(path) != info.get("sha256"):
            raise BackupError(t("doctor.restore_changed", file=name, path=backup.path))
        problems = _integrity(path)
        if problems != ["ok"]:
            raise BackupError(t("doctor.backup_copy_bad", file=name, error="; ".join(problems[:3])))


def find_backup(dest: Path, which: str) -> Backup:
    backups = list_backups(dest)
    if which == "latest":
        if not backups:
            raise BackupError(t("doctor.restore_none", path=dest))
        return backups[-1]
    path = Path(which)
    candidates = [b for b in backups if b.path.name == which] or [
        b for b in list_backups(path.parent) if b.path.resolve() == path.resolve()]
    if not candidates:
        raise BackupError(t("doctor.restore_not_found", which=which))
    return candidates[0]


def put_back(backup: Backup, data_dir: Path, now: datetime) -> Path:
    """Move the current databases aside and copy the backup's in; return where the old ones went."""
    aside = data_dir / f"before-restore-{now.strftime('%Y%m%d-%H%M%S')}"
    aside.mkdir(parents=True, exist_ok=True)
    owner = data_dir.stat()
    for name in backup.files:
        for suffix in ("", "-wal", "-shm", "-journal"):
            current = data_dir / f"{name}{suffix}"
            if current.exists():
                current.rename(aside / current.name)
        tmp = data_dir / f".{name}.restoring"
        shutil.copyfile(backup.path / name, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        if os.geteuid() == 0:
            os.chown(tmp, owner.st_uid, owner.st_gid)
        tmp.chmod(0o640)
        tmp.replace(data_dir / name)
    return aside


def _wall_clock(cfg: OfficeConfig) -> datetime:
    return datetime.now(cfg.office.tz)


def backup_main(argv: list[str] | None = None) -> int:
    from motcua.doctor.cli import config_path

    parser = argparse.ArgumentParser(prog="motcua backup", description=t("doctor.backup_description"))
    parser.add_argument("-c", "--config", help=t("doctor.option_config"))
    parser.add_argument("--dest", type=Path, help=t("doctor.backup_option_dest"))
    parser.add_argument("--keep", type=int, default=DEFAULT_KEEP, help=t("doctor.backup_option_keep"))
    options = parser.parse_args(argv)
    if options.keep < 1:
        parser.error(t("doctor.backup_keep_positive"))
    cfg = load_or_exit(config_path(options.config))
    dest = options.dest or default_dest(cfg)
    try:
        made = make_backup(cfg, dest, _wall_clock(cfg))
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(t("doctor.backup_failed", error=exc), file=sys.stderr)
        return EXIT_RUNTIME
    removed = prune(dest, options.keep)
    print(t("doctor.backup_done", path=made.path, count=len(made.files), removed=len(removed)))
    return EXIT_OK


def restore_main(argv: list[str] | None = None) -> int:
    from motcua.doctor.cli import config_path
    from motcua.doctor.snapshot import StatusReader, broker_for

    parser = argparse.ArgumentParser(prog="motcua restore", description=t("doctor.restore_description"))
    parser.add_argument("backup", help=t("doctor.restore_option_backup"))
    parser.add_argument("-c", "--config", help=t("doctor.option_config"))
    parser.add_argument("--dest", type=Path, help=t("doctor.backup_option_dest"))
    parser.add_argument("--credentials", type=Path, help=t("doctor.option_credentials"))
    parser.add_argument("--force", action="store_true", help=t("doctor.restore_option_force"))
    options = parser.parse_args(argv)
    cfg = load_or_exit(config_path(options.config))
    try:
        backup = find_backup(options.dest or default_dest(cfg), options.backup)
        verify(backup)
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(t("doctor.restore_refused", error=exc), file=sys.stderr)
        return EXIT_RUNTIME
    if not options.force:
        try:
            broker, ca_file = broker_for(cfg, options.credentials)
        except (OSError, KeyError, ValueError) as exc:
            print(t("doctor.restore_cannot_tell", where=exc), file=sys.stderr)
            return EXIT_RUNTIME
        reader = StatusReader(broker, cfg.office.id, ca_file)
        snapshot = reader.read()
        reader.close()
        if snapshot.error is not None:
            print(t("doctor.restore_cannot_tell", where=f"{broker.host}:{broker.port}"), file=sys.stderr)
            return EXIT_RUNTIME
        if (snapshot.statuses.get("ticketd") or {}).get("state") == "online":
            print(t("doctor.restore_ticketd_online"), file=sys.stderr)
            return EXIT_RUNTIME
    aside = put_back(backup, cfg.storage.data_dir, _wall_clock(cfg))
    print(t("doctor.restore_done", path=backup.path, aside=aside))
    return EXIT_OK
