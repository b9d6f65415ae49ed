"""``motcua province run``: the aggregator, the live view and the dashboard in one process."""

from __future__ import annotations

import logging

from motcua.clock import Clock
from province.aggregator import Aggregator
from province.config import ProvinceConfig
from province.live import Live
from province.queries import Pool
from province.web import Dashboard

log = logging.getLogger("province")


class ProvinceService:
    def __init__(self, cfg: ProvinceConfig, clock: Clock | None = None) -> None:
        self.cfg = cfg
        self.clock = clock or Clock.from_env(cfg.province.timezone)
        self.pool = Pool(cfg.database.dsn)
        self.live = Live(cfg, self.pool, self.clock)
        self.aggregator = Aggregator(
            cfg.broker.url, cfg.database.dsn, client_id=cfg.broker.client_id, on_written=lambda written: self.live.notify(written.offices),
            max_batch=cfg.ingest.max_batch, session_expiry_s=cfg.broker.session_expiry_s,
            receive_maximum=cfg.broker.receive_maximum, keepalive=cfg.broker.keepalive_s,
            username=cfg.broker.username, password=cfg.broker.password(), clock=self.clock,
        )
        self.dashboard = Dashboard(cfg, self.pool, self.live, self.clock, ready=self.aggregator.connected.is_set)

    def start(self) -> "ProvinceService":
        self.aggregator.start()  # applies migrations first
        self.live.start()
        self.dashboard.start()
        return self

    def stop(self) -> None:
        self.dashboard.stop()
        self.aggregator.stop()
        self.live.stop()
        self.pool.close()
        log.info("stopped")
