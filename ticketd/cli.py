"""``motcua ticketd``: run the ticket daemon until SIGTERM."""

from __future__ import annotations

import argparse
import logging

from motcua import sdnotify
from motcua.runtime import office_clock, load_or_exit, run_until_signal, setup_logging

log = logging.getLogger("motcua.ticketd")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua ticketd", description="Run the ticket daemon.")
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    from ticketd.service import TicketDaemon

    daemon = TicketDaemon(cfg, cfg.storage.data_dir, cfg.broker.url, office_clock(cfg),
                          username=cfg.broker.username, password=cfg.broker.password_value())
    daemon.start()
    sdnotify.ready()
    log.info("ticketd serving office %s on %s", cfg.office.id, daemon.bus.broker.masked())
    return run_until_signal(daemon.stop)
