"""Engine definitions (services, counters, officers, policy) from the office config."""

from __future__ import annotations

from motcua.config import OfficeConfig
from ticketd.model import CounterDef, OfficerDef, Policy, ServiceDef


def service_defs(cfg: OfficeConfig) -> list[ServiceDef]:
    return [
        ServiceDef(
            code=s.code, name=s.name, field=s.field, prefix=s.prefix,
            hours={day: s.hours.for_weekday(day) for day in range(7) if s.hours.for_weekday(day)},
            daily_quota=s.daily_quota, avg_service_s=float(s.avg_service_minutes) * 60,
        )
        for s in cfg.services
    ]


def counter_defs(cfg: OfficeConfig) -> list[CounterDef]:
    """Counters; weights only when the config gives a counter unequal weights."""
    result = []
    for c in cfg.counters:
        weights = {item.code: item.weight for item in c.services}
        if len(set(weights.values())) <= 1:
            weights = {}
        result.append(CounterDef(id=c.id, name=c.name, services=c.service_codes, weights=weights))
    return result


def officer_defs(cfg: OfficeConfig) -> list[OfficerDef]:
    return [OfficerDef(id=o.id, name=o.name, title=o.title) for o in cfg.officers]


def policy(cfg: OfficeConfig) -> Policy:
    q = cfg.queue
    return Policy(
        priority_mode=q.priority_mode, interleave_every=q.interleave_every,
        starvation_s=q.starvation_minutes * 60, rating_window_s=q.rating_window_minutes * 60,
    )
