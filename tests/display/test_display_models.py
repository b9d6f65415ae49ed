"""The hall and counter-screen models, fed contract payloads directly (no broker, no Qt)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from display.counter_screen_model import CounterScreenModel
from display.hall_model import HallModel, vi_datetime, wait_text

ROOT = "motcua/hoa-an/"
AT = "2026-11-23T08:10:00+07:00"
OFFICER = {"id": "cb-lan", "name": "Nguyễn Thị Lan", "title": "Công chức Tư pháp – Hộ tịch"}


def ticket(number: str, service: str = "HT", name: str = "Hộ tịch", state: str = "called") -> dict:
    return {"number": number, "service": service, "service_name": name, "seq": int(number[1:]), "priority": False,
            "state": state, "issued_at": AT, "ahead": 0, "est_wait_s": 0, "counter": "1"}


def counter_state(counter: str, status: str, current: dict | None = None, reason: str | None = None) -> dict:
    return {"counter": counter, "name": f"Quầy {counter}", "status": status,
            "officer": OFFICER if status != "closed" else None, "services": ["HT"], "current": current,
            "updated_at": AT, "paused_reason": reason}


def call(number: str, counter: str, at: str = AT, recall: bool = False) -> dict:
    return {"number": number, "counter": counter, "counter_name": f"Quầy {counter}", "service": "HT",
            "recall": recall, "at": at}


def hall_msg(*calls: dict, waiting: int = 0) -> dict:
    recent = [{k: c[k] for k in ("number", "counter", "counter_name", "at")} for c in calls]
    return {"recent": recent, "serving": [], "waiting_total": waiting, "updated_at": AT}


def model(min_show: float = 5.0) -> HallModel:
    m = HallModel("hoa-an", [("1", "Quầy 1"), ("2", "Quầy 2"), ("3", "Quầy 3")],
                  [("HT", "Hộ tịch"), ("CT", "Chứng thực")], min_show)
    m.set_connected(True)
    return m


def test_vietnamese_date_and_time():
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    assert vi_datetime(datetime(2026, 11, 23, 8, 5, tzinfo=tz)) == "Thứ Hai, 23/11/2026 08:05"
    assert vi_datetime(datetime(2026, 11, 29, 17, 30, tzinfo=tz)) == "Chủ Nhật, 29/11/2026 17:30"
    assert vi_datetime(datetime(2026, 11, 25, 0, 0, tzinfo=tz)).startswith("Thứ Tư, ")


def test_wait_text():
    assert [wait_text(s) for s in (0, 59, 60, 61, 540, 3599, 3600, 3900)] == [
        "dưới 1 phút", "dưới 1 phút", "~1 phút", "~2 phút", "~9 phút", "~1 giờ", "~1 giờ",
        "~1 giờ 05 phút"]


def test_two_calls_in_the_same_millisecond_are_both_shown_in_order():
    m = model(min_show=5.0)
    m.apply(ROOT + "call", call("A001", "1"), now=100.0)
    m.apply(ROOT + "call", call("B001", "2"), now=100.0)
    m.apply(ROOT + "hall", hall_msg(call("B001", "2"), call("A001", "1")), now=100.0)
    assert m.showing.number == "A001"
    assert [c.number for c in m.recent()] == ["A001"]  # B001 waits for its turn, not shown early
    assert m.next_tick_in(101.0) == 4.0
    assert not m.tick(104.9)
    assert m.tick(105.0)
    assert m.showing.number == "B001"
    assert [c.number for c in m.recent()] == ["B001", "A001"]
    assert m.next_tick_in(105.0) is None
    assert m.highlight_serial == 2


def test_a_call_after_the_minimum_time_shows_at_once():
    m = model(min_show=5.0)
    m.apply(ROOT + "call", call("A001", "1"), now=0.0)
    m.apply(ROOT + "call", call("A002", "1", at="2026-11-23T08:11:00+07:00"), now=6.0)
    assert m.showing.number == "A002"
    m.apply(ROOT + "call", call("A002", "1", at="2026-11-23T08:12:00+07:00", recall=True), now=7.0)
    assert m.showing.number == "A002" and not m.showing.recall  # the recall waits its turn
    assert m.tick(11.0) and m.showing.recall


def test_a_backlog_keeps_the_calls_already_shown_in_the_list():
    m = model(min_show=5.0)
    calls = [call(f"A{i:03d}", "1", at=f"2026-11-23T08:{i:02d}:00+07:00") for i in range(1, 9)]
    for item in calls:
        m.apply(ROOT + "call", item, now=0.0)
    m.apply(ROOT + "hall", hall_msg(*reversed(calls)), now=0.0)
    for second in (5.0, 10.0):
        assert m.tick(second)
    assert [c.number for c in m.recent()] == ["A003", "A002", "A001"]  # not the queued A004..A008
    assert m.next_tick_in(10.0) == 5.0


def test_the_daily_reset_empties_the_list():
    m = model(min_show=0.0)
    m.apply(ROOT + "call", call("A009", "1"), now=0.0)
    m.apply(ROOT + "hall", hall_msg(call("A009", "1")), now=0.0)
    assert [c.number for c in m.recent()] == ["A009"]
    m.apply(ROOT + "hall", hall_msg(), now=10.0)
    assert m.recent() == [] and m.showing is None


def test_rebuild_from_retained_state_highlights_the_newest_without_blinking():
    m = model()
    m.apply(ROOT + "hall", hall_msg(call("A003", "1"), call("B002", "2"), waiting=7), now=0.0)
    assert m.showing is None and m.highlight_serial == 0
    assert [(c.number, c.counter_name) for c in m.recent()] == [("A003", "Quầy 1"), ("B002", "Quầy 2")]
    assert m.waiting_total() == 7


def test_counter_rows_show_open_and_paused_counters_in_config_order():
    m = model()
    m.apply(ROOT + "counter/3/state", counter_state("3", "open", ticket("B004", "CT", "Chứng thực", "serving")), 0)
    m.apply(ROOT + "counter/1/state", counter_state("1", "open"), 0)
    m.apply(ROOT + "counter/2/state", counter_state("2", "closed"), 0)
    m.apply(ROOT + "counter/9/state", counter_state("9", "paused", reason="Họp"), 0)
    rows = [(r.name, r.number, r.caption, r.paused) for r in m.counter_rows()]
    assert rows == [("Quầy 1", None, "Chờ gọi số", False), ("Quầy 3", "B004", "Chứng thực", False),
                    ("Quầy 9", None, "Tạm nghỉ", True)]


def test_waiting_rows_per_service():
    m = model()
    state = {"service": "CT", "name": "Chứng thực", "field": "Chứng thực", "open": True, "waiting": 4,
             "est_wait_s": 600, "last_called": None, "issued_today": 9, "updated_at": AT}
    m.apply(ROOT + "service/CT/state", state, 0)
    m.apply(ROOT + "service/HT/state", {**state, "service": "HT", "name": "Hộ tịch", "waiting": 0}, 0)
    m.apply(ROOT + "service/XD/state", {**state, "service": "XD", "name": "Xây dựng", "open": False}, 0)
    assert [(r.name, r.waiting, r.wait_text) for r in m.waiting_rows()] == [
        ("Hộ tịch", 0, "—"), ("Chứng thực", 4, "~10 phút"), ("Xây dựng", 4, "Ngoài giờ")]


def test_stats_absent_then_present():
    m = model()
    assert m.stats() is None
    m.apply(ROOT + "stats", {"received_today": 12, "in_progress": 30, "on_time": 10, "overdue": 1,
                             "period": "Tháng 11/2026", "source": "import", "updated_at": AT}, 0)
    assert m.stats().overdue == 1
    m.apply(ROOT + "stats", None, 0)
    assert m.stats() is None


def test_losing_the_broker_forgets_every_number_and_ignores_late_messages():
    m = model()
    m.apply(ROOT + "counter/1/state", counter_state("1", "open", ticket("A001")), 0)
    m.apply(ROOT + "call", call("A001", "1"), 0)
    m.apply(ROOT + "call", call("A002", "1"), 0)
    assert m.set_connected(False)
    assert m.counter_rows() == [] and m.recent() == [] and m.showing is None and m.next_tick_in(0) is None
    assert not m.apply(ROOT + "counter/1/state", counter_state("1", "open", ticket("A001")), 1)
    assert m.counter_rows() == []
    assert m.set_connected(True) and m.ever_connected


def test_malformed_messages_change_nothing():
    m = model()
    assert not m.apply(ROOT + "counter/1/state", {"counter": "1"}, 0)
    assert not m.apply(ROOT + "call", {"number": 12}, 0)
    assert not m.apply("motcua/other-office/hall", hall_msg(), 0)
    assert m.counter_rows() == [] and m.showing is None


def test_counter_screen_modes():
    m = CounterScreenModel("1", "Quầy 1")
    assert m.screen().mode == "connecting"
    m.set_connected(True)
    closed = m.screen()
    assert (closed.mode, closed.number, closed.officer_name) == ("closed", "Đóng", "")
    m.apply_state(counter_state("1", "open", ticket("A012", state="serving")))
    s = m.screen()
    assert (s.mode, s.title, s.headline, s.number, s.service, s.officer_name, s.officer_title) == (
        "serving", "Quầy 1", "ĐANG PHỤC VỤ SỐ", "A012", "Hộ tịch", "Nguyễn Thị Lan", "Công chức Tư pháp – Hộ tịch")
    m.apply_state(counter_state("1", "paused", ticket("A012"), reason="Họp giao ban"))
    s = m.screen()
    assert (s.mode, s.number, s.detail, s.officer_name) == ("paused", "Tạm nghỉ", "Lý do: Họp giao ban", "Nguyễn Thị Lan")
    m.apply_state(counter_state("1", "open"))
    assert (m.screen().mode, m.screen().number) == ("idle", "—")
    assert m.apply_call(call("A013", "1")) and not m.apply_call(call("B001", "2"))
    assert m.flash_serial == 1
    m.set_connected(False)
    s = m.screen()
    assert (s.mode, s.headline, s.number, s.officer_name) == ("disconnected", "Mất kết nối", "", "")
