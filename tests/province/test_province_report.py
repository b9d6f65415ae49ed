"""Monthly reports per office and per officer, from PostgreSQL to CSV and printable HTML."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from province import queries, report
from province.ingest import Batch
from province.simulate import SimOffice
from province.store import Store

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime.fromisoformat("2026-11-23T08:00:00+07:00")
NAMES = {"hoa-an": "Phường Hòa An"}


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _month_of_two_offices(dsn: str) -> None:
    an, minh = SimOffice("hoa-an", counters=2), SimOffice("hoa-minh", counters=2)
    messages = an.opening(T0) + minh.opening(T0)
    messages += an.take("HT", _at(0)) + an.take("HT", _at(1)) + an.take("CT", _at(2)) + minh.take("HT", _at(3))
    messages += an.call_next("2", _at(3)) + an.start("2", _at(4))  # A001: waited 3, served 4 minutes
    done_2, ticket_2 = an.finish("2", _at(8))
    messages += an.call_next("1", _at(10)) + an.start("1", _at(11))  # A002: waited 9, served 8 minutes
    done_1, ticket_1 = an.finish("1", _at(19))
    messages += done_2 + done_1 + an.rate(ticket_1, "very_satisfied", _at(20)) + an.rate(ticket_2, "dissatisfied", _at(9))
    december = SimOffice("hoa-an", day="2026-12-01")
    messages += december.take("HT", _at(8 * 24 * 60))
    batch = Batch()
    for topic, payload, _retained in messages:
        batch.add(topic, json.dumps(payload, ensure_ascii=False).encode(), T0)
    store = Store(dsn).connect()
    store.write(batch)
    store.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_office_report_counts_the_month_only(dsn):
    _month_of_two_offices(dsn)
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        header, cells = report.table("office", queries.monthly_offices(conn, date(2026, 11, 1)), NAMES)
    rows = _csv_rows(report.to_csv(header, cells))
    assert rows[0][:4] == ["Mã đơn vị", "Đơn vị", "Số phiếu cấp", "Đã phục vụ"]
    assert rows[1] == ["hoa-an", "Phường Hòa An", "3", "2", "0", "6.0", "6.0", "2", "1", "0", "1", "50", "2", "1"]
    assert rows[2] == ["hoa-minh", "hoa-minh", "1", "0", "0", "", "", "0", "0", "0", "0", "", "0", "1"]
    assert rows[3] == ["", "Tổng cộng", "4", "2", "0", "", "", "2", "1", "0", "1", "50", "2", "2"]


def test_officer_report_gives_each_officer_their_service_and_ratings(dsn):
    _month_of_two_offices(dsn)
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        header, cells = report.table("officer", queries.monthly_officers(conn, date(2026, 11, 1)), NAMES)
    rows = {r[2]: r for r in _csv_rows(report.to_csv(header, cells))[1:]}
    assert rows["cb-1"][3:] == ["Nguyễn Thị Lan", "Công chức", "1", "0", "8.0", "1", "1", "0", "0", "100", "1"]
    assert rows["cb-2"][3:] == ["Trần Văn Hùng", "Công chức", "1", "0", "4.0", "1", "0", "0", "1", "0", "1"]


def test_report_command_writes_a_printable_page(dsn, tmp_path):
    _month_of_two_offices(dsn)
    out = tmp_path / "bao-cao.html"
    env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_PROVINCE_DSN=dsn, MOTCUA_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "province", "report", "2026-11", "--by", "officer", "--format",
                           "html", "-o", str(out)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "<style>" in page and "@media print" in page and "/static/" not in page
    assert "Báo cáo tháng 11/2026" in page and "Theo cán bộ" in page and "Nguyễn Thị Lan" in page
    empty = subprocess.run([sys.executable, "-m", "province", "report", "2025-01"], capture_output=True, env=env,
                           cwd=ROOT, timeout=60)
    assert empty.returncode == 0 and len(_csv_rows(empty.stdout)) == 1  # the header alone
