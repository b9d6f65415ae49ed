"""A small ward office for engine tests: four services, four counters, five officers, Monday 23/11/2026."""

from __future__ import annotations

from dataclasses import astuple, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ticketd.engine import Engine
from ticketd.model import CounterDef, EngineError, OfficerDef, Policy, ServiceDef

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 23)  # a Monday
WEEKDAY_HOURS = [(time(7, 30), time(11, 15)), (time(13, 30), time(16, 30))]
ALL_DAY = [(time(0, 0), time(23, 59, 59))]

SERVICES = [
    ServiceDef("HT", "Hộ tịch", "Hộ tịch", "A",
               {d: WEEKDAY_HOURS for d in range(5)} | {5: [(time(7, 30), time(11, 30))]}, daily_quota=200),
    ServiceDef("CT", "Chứng thực", "Chứng thực", "B", {d: WEEKDAY_HOURS for d in range(5)}),
    ServiceDef("CU", "Cư trú", "Đăng ký và quản lý cư trú", "C", {d: WEEKDAY_HOURS for d in range(5)},
               avg_service_s=600.0),
    ServiceDef("DD", "Đất đai", "Đất đai", "D", {d: WEEKDAY_HOURS for d in range(5)}, daily_quota=3),
]
COUNTERS = [
    CounterDef("1", "Quầy 1", ["HT"]),
    CounterDef("2", "Quầy 2", ["HT", "CT"]),
    CounterDef("3", "Quầy 3", ["CT", "CU"], weights={"CT": 3, "CU": 1}),
    CounterDef("4", "Quầy 4", ["DD"]),
]
OFFICERS = [
    OfficerDef("o1", "Nguyễn Thị Hoa", "Chuyên viên"),
    OfficerDef("o2", "Trần Văn Bình", "Công chức Tư pháp - Hộ tịch"),
    OfficerDef("o3", "Lê Thị Thu", "Chuyên viên"),
    OfficerDef("o4", "Phạm Quốc Đạt", "Công chức Địa chính"),
    OfficerDef("o5", "Võ Minh Tâm", "Chuyên viên"),
]


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    """An instant of the test day in office time."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def make_engine(policy: Policy | None = None, services: list[ServiceDef] | None = None,
                counters: list[CounterDef] | None = None, **restore) -> Engine:
    return Engine(services if services is not None else SERVICES, counters if counters is not None else COUNTERS,
                  OFFICERS, policy or Policy(), DAY, **restore)


def open_counter(engine: Engine, counter: str, officer: str, now: datetime | None = None):
    return engine.counter_op(counter, "open", {"officer": officer}, now or at(7, 30))


def refused(code: str, fn, *args, **kwargs) -> EngineError:
    """Run ``fn`` expecting an EngineError with ``code``; return it for further checks."""
    with pytest.raises(EngineError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, (info.value.code, info.value.message_key)
    return info.value


def snapshot(engine: Engine, now: datetime) -> dict:
    """Every observable piece of engine state, as plain values, to compare before/after or across restores."""
    return {
        "tickets": {t.number: astuple(t) for t in engine.tickets()},
        "counters": {cid: astuple(replace(st, credits=dict(sorted(st.credits.items()))))
                     for cid, st in engine.counters.items()},
        "services": {code: engine.service_view(code, now) for code in engine.services},
        "recent": [astuple(c) for c in engine.recent_calls()],
        "serving": engine.serving(),
        "waiting_total": engine.waiting_total(),
        "ahead": {t.number: (engine.ahead(t), engine.est_wait_s(t)) for t in engine.tickets()},
    }
