"""This month's satisfaction per counter, published for the hall display (retained).

Extension topic ``motcua/{office}/satisfaction`` (retained, QoS 1), published only when
``hall.show_satisfaction`` is true (otherwise the retained message is cleared)::

    {"period": "2026-11", "from": "2026-11-01", "to": "2026-11-23",
     "counters": [{"counter": "1", "counter_name": "Quầy 1", "very_satisfied": 8, "satisfied": 3,
                   "dissatisfied": 1, "ratings": 12, "satisfaction_pct": 91.7}, ...],
     "office": {"very_satisfied": ..., "satisfied": ..., "dissatisfied": ..., "ratings": ...,
                "satisfaction_pct": ...},
     "updated_at": "2026-11-23T10:00:00+07:00"}

``satisfaction_pct`` is null for a counter without ratings.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from motcua.bus import BusClient
from motcua.clock import business_day, iso
from motcua.config import OfficeConfig
from ticketd.report.data import load
from ticketd.report.figures import LEVELS, counter_satisfaction, satisfaction_pct


def topic(bus: BusClient) -> str:
    return f"{bus.topics.root}/satisfaction"


def month_payload(cfg: OfficeConfig, db_path: Path, now: datetime) -> dict[str, Any]:
    """The payload for the month of ``now`` (its first day up to today)."""
    today = business_day(now, cfg.reset.time)
    first = date(today.year, today.month, 1)
    ratings = load(db_path, first, today).ratings
    counters = counter_satisfaction(cfg, ratings)
    office = dict.fromkeys(LEVELS, 0)
    for counter in counters:
        for level in LEVELS:
            office[level] += counter.ratings[level]

    def figures(counts: dict[str, int]) -> dict[str, Any]:
        pct = satisfaction_pct(counts)
        return {**counts, "ratings": sum(counts.values()), "satisfaction_pct": None if pct is None else round(pct, 1)}

    return {
        "period": f"{today:%Y-%m}", "from": first.isoformat(), "to": today.isoformat(),
        "counters": [{"counter": c.counter, "counter_name": c.name, **figures(c.ratings)} for c in counters],
        "office": figures(office),
        "updated_at": iso(now),
    }


def publish(cfg: OfficeConfig, bus: BusClient, db_path: Path, now: datetime, timeout: float = 5.0) -> dict | None:
    """Publish (or clear, when the config hides it) the retained satisfaction; the payload sent."""
    if not cfg.hall.show_satisfaction:
        info = bus.publish(topic(bus), b"", 1, retain=True)
        payload = None
    else:
        payload = month_payload(cfg, db_path, now)
        info = bus.publish(topic(bus), payload, 1, retain=True)
    info.wait_for_publish(timeout)
    if not info.is_published():
        raise RuntimeError(f"the broker did not acknowledge {topic(bus)} within {timeout:g} s")
    return payload
