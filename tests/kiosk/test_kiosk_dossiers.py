"""Dossier codes, the export reader, both sources, the statistics and the lookup rules."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk_support import OVERDUE_CODE, OVERDUE_LAST4, SAMPLE_CSV, SAMPLE_JSON
from kiosk_dossier_api import DossierAPI
from kiosk.dossiers.codes import CodeState, check_typed, code_from_scan
from kiosk.dossiers.lookup import DossierLookup, Outcome, mask_name
from kiosk.dossiers.records import Status, parse_export, parse_time, record_from_row
from kiosk.dossiers.sources import HttpSource, ImportSource, SourceUnavailable
from kiosk.dossiers.stats import compute_stats
from motcua.clock import Clock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


@pytest.mark.parametrize("typed, state", [
    ("", CodeState.EMPTY), ("000.31", CodeState.TYPING), ("000.31.17.H17-2611", CodeState.TYPING),
    ("000.31.17.H17-261120-", CodeState.TYPING), ("000.31.17.h17-261120-00", CodeState.TYPING),
    ("000.31.17.H17-261120-0005", CodeState.VALID), ("000.00.06.H56-231027-0361", CodeState.VALID),
    ("H56-231027-1234567", CodeState.VALID), ("000.31.17.H17-26112A", CodeState.INVALID),
    ("000.31.17.H17-261120-12345678", CodeState.INVALID), ("Đ17", CodeState.INVALID), ("-261120", CodeState.INVALID),
])
def test_codes_are_checked_as_typed(typed, state) -> None:
    assert check_typed(typed).state is state


@pytest.mark.parametrize("payload, code", [
    ("000.31.17.H17-261120-0005", "000.31.17.H17-261120-0005"),
    (" 000.31.17.h17-261120-0005\n", "000.31.17.H17-261120-0005"),
    ("https://dichvucong.danang.gov.vn/tra-cuu-ho-so?mahs=000.31.17.H17-261120-0005", "000.31.17.H17-261120-0005"),
    ("https://x.vn/tracuu?lang=vi&MaHoSo=000.31.17.H17-261120-0005&k=1", "000.31.17.H17-261120-0005"),
    ("https://x.vn/ho-so/000.31.17.H17-261120-0005", "000.31.17.H17-261120-0005"),
    ("https://x.vn/tracuu?mahs=khong-phai-ma", None), ("hello", None), ("", None),
])
def test_codes_are_pulled_out_of_scans(payload, code) -> None:
    assert code_from_scan(payload) == code


def test_the_sample_export_reads_completely() -> None:
    parsed = parse_export(SAMPLE_CSV, TZ)
    assert parsed.problems == []
    assert len(parsed.records) == 24
    record = {r.code: r for r in parsed.records}[OVERDUE_CODE]
    assert record.procedure == "Đăng ký thường trú"
    assert record.status is Status.PROCESSING
    assert record.received_at == datetime(2026, 11, 11, 9, 20, tzinfo=TZ)
    assert record.due_at == datetime(2026, 11, 20, 16, 0, tzinfo=TZ)
    assert record.id_last4 == OVERDUE_LAST4
    assert "Công an phường" in record.collect_place
    as_json = {r.code: r for r in parse_export(SAMPLE_JSON, TZ).records}
    assert as_json[OVERDUE_CODE] == record  # the API keys and ISO dates give the same record


def test_rows_with_problems_are_skipped_and_listed(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Mã hồ sơ;Trạng thái;Ngày tiếp nhận;Tên thủ tục\n"
                    "000.31.17.H17-261120-0001;Đang xử lý;20/11/2026;Đăng ký khai sinh\n"
                    "SAI-MA;Đang xử lý;20/11/2026;x\n"
                    "000.31.17.H17-261120-0002;Trạng thái lạ;20/11/2026;x\n"
                    "000.31.17.H17-261120-0003;đã trả kết quả;2026-11-20T10:00:00Z;x\n", encoding="utf-8-sig")
    parsed = parse_export(path, TZ)
    assert [r.code[-4:] for r in parsed.records] == ["0001", "0003"]
    assert parsed.records[1].status is Status.RETURNED
    assert parsed.records[1].received_at == datetime(2026, 11, 20, 17, 0, tzinfo=TZ)
    assert len(parsed.problems) == 2 and "row 2" in parsed.problems[0]


def test_dates_and_aliases() -> None:
    assert parse_time("05/11/2026", TZ) == datetime(2026, 11, 5, tzinfo=TZ)
    assert parse_time("", TZ) is None
    record = record_from_row({"dossier_no": "000.31.17.H17-261120-0001", "TRẠNG THÁI": "Chờ xử lý",
                              "Ngay tiep nhan": "20/11/2026 08:00", "So CCCD": "0481-8600-1234"}, TZ)
    assert record.status is Status.WAITING and record.id_last4 == "1234"


def test_import_source_rereads_the_file_when_it_changes(tmp_path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(SAMPLE_CSV.read_text(encoding="utf-8"), encoding="utf-8")
    source = ImportSource(export, tmp_path / "db" / "copy.sqlite3", TZ)
    assert source.find(OVERDUE_CODE).status is Status.PROCESSING
    assert source.refresh() is False  # unchanged
    changed = export.read_text(encoding="utf-8").replace("11/11/2026 09:20,20/11/2026 16:00,,,Đang xử lý",
                                                         "11/11/2026 09:20,20/11/2026 16:00,21/11/2026 10:00,,Chờ trả kết quả")
    export.write_text(changed, encoding="utf-8")
    os.utime(export, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    assert source.find(OVERDUE_CODE).status is Status.READY
    export.write_bytes(b"\xff\xfe not utf-8 \xff")  # a broken export keeps the last good copy
    os.utime(export, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
    assert source.find(OVERDUE_CODE).status is Status.READY
    export.unlink()
    assert len(source.all()) == 24
    again = ImportSource(export, tmp_path / "db" / "copy.sqlite3", TZ)  # a restart answers from the copy
    assert again.find(OVERDUE_CODE) is not None


def test_import_source_without_any_import_is_unavailable(tmp_path) -> None:
    source = ImportSource(tmp_path / "missing.csv", ":memory:", TZ)
    with pytest.raises(SourceUnavailable):
        source.find(OVERDUE_CODE)


def test_http_source_finds_misses_and_times_out() -> None:
    with DossierAPI(SAMPLE_JSON) as api:
        source = HttpSource(api.url + "/hoso/{code}", api.url + "/hoso", 0.5, TZ)
        assert source.find(OVERDUE_CODE).id_last4 == OVERDUE_LAST4
        assert source.find("000.31.17.H17-991231-9999") is None
        assert len(source.all()) == 12
        api.gate.clear()  # the server holds its answer: only the client's timeout can end the wait
        with pytest.raises(SourceUnavailable):
            source.find(OVERDUE_CODE)
        assert api.requests[-1].startswith("/hoso/000.31.17.H17-261120-0005")
        api.gate.set()
    with pytest.raises(SourceUnavailable):
        source.find(OVERDUE_CODE)  # server gone


def test_stats_of_the_sample_on_monday_morning() -> None:
    records = parse_export(SAMPLE_CSV, TZ).records
    stats = compute_stats(records, MONDAY_8AM, "import:dossiers-sample.csv")
    assert stats == {"received_today": 4, "in_progress": 10, "on_time": 9, "overdue": 5, "period": "2026-11",
                     "source": "import:dossiers-sample.csv", "updated_at": "2026-11-23T08:00:00+07:00"}
    later = compute_stats(records, datetime(2026, 11, 26, 8, 0, tzinfo=TZ), "x")
    assert later["received_today"] == 0 and later["overdue"] == 5 + 4  # four more passed their due date


def test_lookup_with_second_factor_and_lock(tmp_path) -> None:
    source = ImportSource(SAMPLE_CSV, tmp_path / "copy.sqlite3", TZ)
    lookup = DossierLookup(source, Clock(start=MONDAY_8AM), True, "Bộ phận trả kết quả", max_failures=3)
    assert lookup.lookup("000.31.17.H17-2611").outcome is Outcome.INVALID_CODE
    assert lookup.lookup(OVERDUE_CODE).outcome is Outcome.NEED_FACTOR
    assert lookup.lookup("000.31.17.H17-991231-9999", "1234").outcome is Outcome.NOT_FOUND
    found = lookup.lookup(OVERDUE_CODE.lower(), OVERDUE_LAST4)
    assert found.outcome is Outcome.FOUND
    view = found.view
    assert view.status == "Đang xử lý" and view.overdue and view.overdue_text == "Hồ sơ đã quá hạn 3 ngày"
    assert view.due == "20/11/2026 lúc 16:00" and view.received == "11/11/2026 lúc 09:20"
    assert view.applicant == "Võ V** B**" and view.done is None
    for _ in range(3):
        assert lookup.lookup(OVERDUE_CODE, "0000").outcome is Outcome.WRONG_FACTOR
    assert lookup.lookup(OVERDUE_CODE, OVERDUE_LAST4).outcome is Outcome.LOCKED
    assert "sai nhiều lần" in lookup.lookup(OVERDUE_CODE, OVERDUE_LAST4).message


def test_lookup_views_of_finished_dossiers(tmp_path) -> None:
    source = ImportSource(SAMPLE_CSV, ":memory:", TZ)
    lookup = DossierLookup(source, Clock(start=MONDAY_8AM), False, "Bộ phận trả kết quả")
    ready = lookup.lookup("000.31.17.H17-261119-0012").view
    assert ready.status_kind == "done" and not ready.overdue and ready.done == "19/11/2026 lúc 16:05"
    late = lookup.lookup("000.31.17.H17-261105-0006").view
    assert late.overdue and late.overdue_text == "Hồ sơ được giải quyết trễ hạn 1 ngày"
    assert lookup.lookup("000.31.17.H17-261110-0009").view.status == "Từ chối giải quyết"
    assert DossierLookup(None, Clock(), False, "x").lookup(OVERDUE_CODE).outcome is Outcome.NOT_CONFIGURED


def test_mask_name() -> None:
    assert mask_name("Nguyễn Thị Hồng Nhung") == "Nguyễn T** H** N**"
    assert mask_name("An") == "An" and mask_name(None) is None


def test_sample_json_is_the_api_shape() -> None:
    data = json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))
    assert {"dossierNo", "dossierStatus", "receiveDate", "dueDate"} <= set(data["items"][0])
