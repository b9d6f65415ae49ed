"""Where dossier records come from: the one-stop system's export file, or its JSON API.

``ImportSource`` copies the export into SQLite and copies it again whenever the file changes
(size or modification time); until a changed file parses, the last good copy keeps answering.
``HttpSource`` asks the API with a timeout. Both raise ``SourceUnavailable`` when they cannot
answer, so the kiosk can say so instead of "not found".
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import urllib.error
import urllib.request
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from kiosk.dossiers.records import DossierRecord, RecordError, Status, parse_export, record_from_row, rows_from_data
from motcua.config import OfficeConfig

log = logging.getLogger("motcua.kiosk.dossiers")

SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY, procedure TEXT NOT NULL, status TEXT NOT NULL, received_at TEXT NOT NULL,
    due_at TEXT, finished_at TEXT, returned_at TEXT, field TEXT, applicant TEXT, id_last4 TEXT,
    collect_place TEXT, note TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_COLUMNS = ("code", "procedure", "status", "received_at", "due_at", "finished_at", "returned_at",
            "field", "applicant", "id_last4", "collect_place", "note")


class SourceUnavailable(RuntimeError):
    """The source cannot answer now (file missing and nothing imported yet, API down, timeout)."""


class DossierSource(Protocol):
    label: str

    def refresh(self) -> bool:
        """Re-read the data if it changed; True when it did."""

    def find(self, code: str) -> DossierRecord | None:
        """The dossier with ``code``, or None."""

    def all(self) -> list[DossierRecord]:
        """Every dossier (for statistics)."""


def _row(record: DossierRecord) -> tuple:
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return (record.code, record.procedure, record.status.value, when(record.received_at), when(record.due_at),
            when(record.finished_at), when(record.returned_at), record.field, record.applicant,
            record.id_last4, record.collect_place, record.note)


def _record(row: sqlite3.Row, tz: tzinfo) -> DossierRecord:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value).astimezone(tz) if value else None

    return DossierRecord(
        code=row["code"], procedure=row["procedure"], status=Status(row["status"]),
        received_at=when(row["received_at"]), due_at=when(row["due_at"]), finished_at=when(row["finished_at"]),
        returned_at=when(row["returned_at"]), field=row["field"], applicant=row["applicant"],
        id_last4=row["id_last4"], collect_place=row["collect_place"], note=row["note"],
    )


class ImportSource:
    """The export file at ``export_path`` mirrored into the SQLite file ``db_path``."""

    def __init__(self, export_path: Path, db_path: Path | str, tz: tzinfo) -> None:
        self.export_path = Path(export_path)
        self.tz = tz
        self.label = f"import:{self.export_path.name}"
        if str(db_path) != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(db_path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(SCHEMA)
        self._warned_missing = False

    def _signature(self) -> str | None:
        try:
            st = self.export_path.stat()
        except FileNotFoundError:
            return None
        return f"{st.st_size}:{st.st_mtime_ns}"

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row["value"] if row else None

    def refresh(self) -> bool:
        signature = self._signature()
        with self._lock:
            if signature is None:
                if not self._warned_missing:
                    log.warning("dossier export %s is missing; answering from the last import", self.export_path)
                    self._warned_missing = True
                return False
            self._warned_missing = False
            if signature == self._meta("signature"):
                return False
        try:
            parsed = parse_export(self.export_path, self.tz)
        except (OSError, UnicodeDecodeError, ValueError, RecordError) as exc:
            log.error("cannot read dossier export %s: %s; keeping the last import", self.export_path, exc)
            return False
        for problem in parsed.problems[:20]:
            log.warning("dossier export %s: %s", self.export_path.name, problem)
        with self._lock, self._db:
            self._db.execute("DELETE FROM dossiers")
            self._db.executemany(f"INSERT INTO dossiers ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})",
                                 [_row(r) for r in parsed.records])
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (signature,))
        log.info("imported %d dossiers from %s (%d rows skipped)", len(parsed.records), self.export_path,
                 len(parsed.problems))
        return True

    def _imported(self) -> bool:
        return self._meta("signature") is not None

    def find(self, code: str) -> DossierRecord | None:
        self.refresh()
        with self._lock:
            if not self._imported():
                raise SourceUnavailable(f"no dossier export imported yet ({self.export_path})")
            row = self._db.execute("SELECT * FROM dossiers WHERE code=?", (code,)).fetchone()
        return _record(row, self.tz) if row else None

    def all(self) -> list[DossierRecord]:
        self.refresh()
        with self._lock:
            if not self._imported():
                raise SourceUnavailable(f"no dossier export imported yet ({self.export_path})")
            rows = self._db.execute("SELECT * FROM dossiers ORDER BY received_at").fetchall()
        return [_record(row, self.tz) for row in rows]


class HttpSource:
    """A JSON API: ``url`` (with ``{code}``) for one dossier, ``list_url`` for all of them."""

    def __init__(self, url: str, list_url: str | None, timeout_s: float, tz: tzinfo) -> None:
        self.url, self.list_url, self.timeout_s, self.tz = url, list_url, timeout_s, tz
        self.label = f"http:{urlsplit(url).hostname or url}"

    def refresh(self) -> bool:
        return False

    def _get(self, url: str) -> object | None:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise SourceUnavailable(f"dossier API answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise SourceUnavailable(f"dossier API unreachable: {exc}") from None

    def find(self, code: str) -> DossierRecord | None:
        data = self._get(self.url.format(code=quote(code, safe="")))
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            data = data["data"]
        if not isinstance(data, dict) or data.get("found") is False:
            return None
        try:
            return record_from_row(data, self.tz)
        except RecordError as exc:
            raise SourceUnavailable(f"dossier API sent an unreadable record: {exc}") from None

    def all(self) -> list[DossierRecord]:
        if not self.list_url:
            raise SourceUnavailable("dossiers.list_url is not configured")
        data = self._get(self.list_url)
        try:
            rows = rows_from_data(data)
        except RecordError as exc:
            raise SourceUnavailable(f"dossier API list unreadable: {exc}") from None
        records = []
        for row in rows:
            try:
                records.append(record_from_row(row, self.tz))
            except RecordError as exc:
                log.warning("dossier API list: %s", exc)
        return records


def export_path(cfg: OfficeConfig) -> Path | None:
    """``dossiers.path`` made absolute against the config file's folder."""
    path = cfg.dossiers.path
    if path is None:
        return None
    path = path.expanduser()
    if not path.is_absolute():
        base = cfg.source.parent if cfg.source is not None else Path.cwd()
        path = base / path
    return path.resolve()


def open_source(cfg: OfficeConfig, owner: str) -> DossierSource | None:
    """The configured source (None when an import has no file configured); ``owner`` names the
    SQLite copy under the data dir (each process keeps its own)."""
    tz = cfg.office.tz
    if cfg.dossiers.kind == "http":
        return HttpSource(cfg.dossiers.url or "", cfg.dossiers.list_url, cfg.dossiers.timeout_s, tz)
    path = export_path(cfg)
    if path is None:
        return None
    return ImportSource(path, cfg.storage.data_dir / "dossiers" / f"{owner}.sqlite3", tz)
