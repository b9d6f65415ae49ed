"""Dossier records and the reader of the electronic one-stop system's export (CSV or JSON).

Column names are matched loosely (accents, case, spaces and underscores ignored), so both the
Vietnamese headers of a spreadsheet export ("Mã hồ sơ", "Ngày hẹn trả") and the keys of a JSON
API (``dossierNo``, ``dueDate``) work. Only the last four digits of the applicant's ID number are
kept (for the second factor at the kiosk).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Mapping

from kiosk.dossiers.codes import is_valid, normalise
from motcua.text import fold, nfc


class Status(Enum):
    """OpenCPS-style dossier statuses."""

    WAITING = "cho_xu_ly"
    PROCESSING = "dang_xu_ly"
    NEEDS_MORE = "yeu_cau_bo_sung"
    REJECTED = "tu_choi"
    READY = "cho_tra_ket_qua"
    RETURNED = "da_tra_ket_qua"

    @property
    def unfinished(self) -> bool:
        return self in (Status.WAITING, Status.PROCESSING, Status.NEEDS_MORE)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


STATUS_WORDS = {
    Status.WAITING: ("cho xu ly", "moi tiep nhan", "da tiep nhan", "tiep nhan", "waiting", "received", "new"),
    Status.PROCESSING: ("dang xu ly", "dang giai quyet", "processing", "in progress"),
    Status.NEEDS_MORE: ("yeu cau bo sung", "bo sung ho so", "cho bo sung", "need more", "additional"),
    Status.REJECTED: ("tu choi", "khong giai quyet", "rejected", "denied"),
    Status.READY: ("cho tra ket qua", "da co ket qua", "co ket qua", "ready", "done"),
    Status.RETURNED: ("da tra ket qua", "da tra", "hoan thanh", "returned", "released", "finished"),
}
_STATUS_BY_KEY = {_key(word): status for status, words in STATUS_WORDS.items() for word in words}
_STATUS_BY_KEY.update({_key(s.value): s for s in Status})

COLUMNS = {
    "code": ("Mã hồ sơ", "Mã HS", "Số hồ sơ", "dossierNo", "dossier_no", "code"),
    "procedure": ("Tên thủ tục", "Thủ tục", "Thủ tục hành chính", "serviceName", "procedure"),
    "field": ("Lĩnh vực", "domainName", "field"),
    "applicant": ("Chủ hồ sơ", "Người nộp", "Người nộp hồ sơ", "Họ tên", "applicantName", "applicant"),
    "id_number": ("Số giấy tờ", "Số CCCD", "CCCD", "Số định danh", "applicantIdNo", "id_number"),
    "status": ("Trạng thái", "Tình trạng", "dossierStatus", "status"),
    "received_at": ("Ngày tiếp nhận", "Ngày nhận", "receiveDate", "received_at"),
    "due_at": ("Ngày hẹn trả", "Hạn trả", "Hạn giải quyết", "dueDate", "due_at"),
    "finished_at": ("Ngày có kết quả", "Ngày xử lý xong", "finishDate", "finished_at"),
    "returned_at": ("Ngày trả kết quả", "Ngày trả", "releaseDate", "returned_at"),
    "collect_place": ("Nơi trả kết quả", "Nơi nhận kết quả", "collectPlace", "collect_place"),
    "note": ("Ghi chú", "note"),
}
_COLUMN_BY_KEY = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y")


class RecordError(ValueError):
    """A row of the export that cannot become a record."""


@dataclass(frozen=True)
class DossierRecord:
    code: str
    procedure: str
    status: Status
    received_at: datetime
    due_at: datetime | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    field: str | None = None
    applicant: str | None = None
    id_last4: str | None = None
    collect_place: str | None = None
    note: str | None = None

    @property
    def done_at(self) -> datetime | None:
        """When the result was ready (or handed over, when the export lacks the first date)."""
        return self.finished_at or self.returned_at


def parse_status(value: str) -> Status:
    status = _STATUS_BY_KEY.get(_key(value))
    if status is None:
        raise RecordError(f"unknown status {value!r}")
    return status


def parse_time(value: Any, tz: tzinfo) -> datetime | None:
    """A date or date-time of the export (``dd/mm/yyyy[ HH:MM]`` or ISO 8601) in ``tz``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"unreadable date {text!r}") from None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = nfc(str(value)).strip()
    return text or None


def record_from_row(row: Mapping[str, Any], tz: tzinfo) -> DossierRecord:
    """A record from one export row (keys matched loosely, see ``COLUMNS``)."""
    data = {}
    for key, value in row.items():
        name = _COLUMN_BY_KEY.get(_key(str(key)))
        if name is not None:
            data[name] = value
    code = normalise(str(data.get("code") or ""))
    if not is_valid(code):
        raise RecordError(f"bad dossier code {data.get('code')!r}")
    received = parse_time(data.get("received_at"), tz)
    if received is None:
        raise RecordError(f"{code}: no received date")
    digits = re.sub(r"\D", "", str(data.get("id_number") or ""))
    return DossierRecord(
        code=code,
        procedure=_text(data.get("procedure")) or "",
        status=parse_status(str(data.get("status") or "")),
        received_at=received,
        due_at=parse_time(data.get("due_at"), tz),
        finished_at=parse_time(data.get("finished_at"), tz),
        returned_at=parse_time(data.get("returned_at"), tz),
        field=_text(data.get("field")),
        applicant=_text(data.get("applicant")),
        id_last4=digits[-4:] if len(digits) >= 4 else None,
        collect_place=_text(data.get("collect_place")),
        note=_text(data.get("note")),
    )


@dataclass
class ParsedExport:
    records: list[DossierRecord]
    problems: list[str]


def rows_from_data(data: Any) -> list[Mapping[str, Any]]:
    """The rows of a decoded JSON export: a list, or a mapping holding one under a usual key."""
    if isinstance(data, Mapping):
        for key in ("items", "data", "dossiers", "records"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise RecordError("a JSON export must be a list of records (or {items: [...]})")
    return [row for row in data if isinstance(row, Mapping)]


def _rows_from_csv(text: str) -> list[Mapping[str, Any]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def parse_export(path: Path, tz: tzinfo) -> ParsedExport:
    """Every readable record of the export at ``path``; unreadable rows are listed, not fatal."""
    text = path.read_text(encoding="utf-8-sig")
    rows: Iterable[Mapping[str, Any]] = (
        rows_from_data(json.loads(text)) if path.suffix.lower() == ".json" else _rows_from_csv(text)
    )
    records: dict[str, DossierRecord] = {}
    problems = []
    for number, row in enumerate(rows, start=1):
        try:
            record = record_from_row(row, tz)
        except RecordError as exc:
            problems.append(f"row {number}: {exc}")
            continue
        records[record.code] = record
    return ParsedExport(list(records.values()), problems)
