"""``motcua stats``: publish dossier statistics (the retained ``stats`` topic) from the same
dossier data the kiosk looks up, every ``dossiers.stats_interval_s`` seconds and as soon as the
export file changes.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from kiosk.dossiers.sources import DossierSource, SourceUnavailable, open_source
from kiosk.dossiers.stats import compute_stats
from motcua.bus import BusClient
from motcua.clock import Clock
from motcua.runtime import EXIT_OK, EXIT_USAGE, bus_for, load_or_exit, office_clock, run_until_signal, setup_logging

log = logging.getLogger("motcua.stats")
DEVICE_ID = "stats"


class StatsPublisher:
    """Checks the source every ``poll_s`` and publishes when it changed or ``interval_s`` passed."""

    def __init__(self, source: DossierSource, bus: BusClient, clock: Clock, interval_s: float,
                 poll_s: float = 1.0) -> None:
        self.source, self.bus, self.clock = source, bus, clock
        self.interval_s, self.poll_s = interval_s, poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stats", daemon=True)
        self.published = 0

    def start(self) -> "StatsPublisher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def publish(self) -> bool:
        try:
            records = self.source.all()
        except SourceUnavailable as exc:
            log.warning("no statistics: %s", exc)
            self.bus.set_status("degraded", "source_unavailable")
            return False
        payload = compute_stats(records, self.clock.now(), self.source.label)
        self.bus.publish(self.bus.topics.stats(), payload, qos=1, retain=True)
        self.bus.set_status("online")
        self.published += 1
        log.info("stats: %s", {k: payload[k] for k in ("received_today", "in_progress", "on_time", "overdue")})
        return True

    def _run(self) -> None:
        waited = self.interval_s  # publish at once
        while not self._stop.is_set():
            changed = self.source.refresh()
            if changed or waited >= self.interval_s:
                self.publish()
                waited = 0.0
            self._stop.wait(self.poll_s)
            waited += self.poll_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua stats", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("--interval", type=float, help="seconds between publications (default: from config)")
    parser.add_argument("--once", action="store_true", help="publish once and exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    source = open_source(cfg, "stats")
    if source is None:
        print("motcua stats: set dossiers.path (the one-stop system's export) or dossiers.kind: http",
              file=sys.stderr)
        return EXIT_USAGE
    clock = office_clock(cfg)
    bus = bus_for(cfg, "stats", device_id=DEVICE_ID, kind="stats", clock=clock).start(wait=5)
    publisher = StatsPublisher(source, bus, clock, options.interval or cfg.dossiers.stats_interval_s)
    if options.once:
        ok = publisher.publish()
        bus.stop()
        return EXIT_OK if ok else 1
    publisher.start()

    def stop() -> None:
        publisher.stop()
        bus.stop()

    return run_until_signal(stop)
