"""Typing Vietnamese on the on-screen keyboard, and what the take screens say about services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.services import ServiceBoard, week_text
from kiosk.vn_input import TextBuffer, apply_tone, tone_position
from motcua.config import load_config
from office_harness import DEMO_CONFIG

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("word, tone, expected", [
    ("hoa", "huyen", "hòa"), ("thuy", "hoi", "thủy"), ("quy", "sac", "quý"), ("gia", "huyen", "già"),
    ("gin", "huyen", "gìn"), ("ngươi", "huyen", "người"), ("hoang", "huyen", "hoàng"), ("mua", "huyen", "mùa"),
    ("chuyên", "hoi", "chuyển"), ("đât", "sac", "đất"), ("tiên", "nang", "tiện"), ("KET", "sac", "KÉT"),
    ("hòa", "sac", "hóa"), ("hòa", "huyen", "hoa"), ("bcd", "sac", "bcd"),
])
def test_tone_keys_mark_the_right_vowel(word, tone, expected) -> None:
    assert apply_tone(word, tone) == expected


def test_tone_position_of_a_word_without_vowels() -> None:
    assert tone_position("nh") is None


def test_text_buffer_types_a_query_with_tones() -> None:
    buffer = TextBuffer(max_len=12)
    for key in "KÊT":
        buffer.insert(key)
    buffer.tone("sac")
    buffer.insert(" ")
    buffer.insert(" ")  # a double space is ignored
    for key in "HÔN":
        buffer.insert(key)
    assert buffer.text == "kết hôn"
    buffer.backspace()
    assert buffer.text == "kết hô"
    buffer.set("x" * 50)
    assert len(buffer.text) == 12
    buffer.clear()
    buffer.insert(" ")
    assert buffer.text == ""
    code = TextBuffer(upper=True)
    code.insert("h")
    assert code.text == "H"


@pytest.fixture(scope="module")
def cfg():
    return load_config(DEMO_CONFIG)


def test_services_open_and_closed_by_the_configured_hours(cfg) -> None:
    board = ServiceBoard(cfg)
    early = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
    option = board.option(cfg.service("HT"), early)
    assert not option.open
    assert option.note == "Ngoài giờ cấp số · Hôm nay cấp số: 07:30–11:30, 13:30–17:00"
    assert option.hours_week == "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00"
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    assert board.option(cfg.service("CUTRU"), saturday).open
    closed = board.option(cfg.service("HT"), saturday)
    assert not closed.open and closed.note == "Hôm nay không cấp số"
    assert week_text(cfg.service("CUTRU").hours) == (
        "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30")


def test_retained_state_overrides_the_hours(cfg) -> None:
    board = ServiceBoard(cfg)
    morning = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
    assert board.option(cfg.service("HT"), morning).open
    assert board.update({"service": "HT", "open": False, "waiting": 0, "issued_today": 3})
    assert not board.option(cfg.service("HT"), morning).open
    board.update({"service": "HT", "open": True, "waiting": 4, "est_wait_s": 610, "issued_today": 5})
    option = board.option(cfg.service("HT"), morning)
    assert option.open and option.note == "4 người đang chờ · khoảng 11 phút"
    board.update({"service": "DD", "open": True, "waiting": 2, "issued_today": 40})  # quota 40
    quota = board.option(cfg.service("DD"), morning)
    assert not quota.open and quota.note == "Đã hết số trong ngày hôm nay"
    assert not board.update({"service": "NOPE", "open": True})


def test_fields_group_services_in_config_order(cfg) -> None:
    board = ServiceBoard(cfg)
    fields = board.fields(datetime(2026, 11, 23, 8, 0, tzinfo=TZ))
    assert [f.name for f in fields][:3] == ["Hộ tịch", "Chứng thực", "Đất đai"]
    assert all(f.open for f in fields)
    assert board.field("Đất đai", datetime(2026, 11, 23, 8, 0, tzinfo=TZ)).services[0].code == "DD"
