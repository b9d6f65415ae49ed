"""What every motcua process does the same way: logging, config, broker client, SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Callable

from motcua.bus import BusClient
from motcua.bus.client import default_client_id
from motcua.clock import Clock
from motcua.config import ConfigError, OfficeConfig, load_config

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


class ConfigExit(SystemExit):
    """Raised after printing config errors: exit code 2."""


def setup_logging(verbose: bool = False) -> None:
    level = logging.DEBUG if verbose else getattr(logging, os.environ.get("MOTCUA_LOG", "INFO").upper(), logging.INFO)
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def load_or_exit(path: str | None) -> OfficeConfig:
    """The office config, or the list of its errors on stderr and exit code 2."""
    try:
        return load_config(path)
    except ConfigError as exc:
        for issue in exc.errors:
            print(str(issue), file=sys.stderr)
        raise ConfigExit(EXIT_USAGE) from None


def counter_or_exit(cfg: OfficeConfig, counter: object, prog: str) -> str:
    """The counter id as a string, or a usage error (exit 2) when the config has no such counter."""
    counter = str(counter)
    if counter not in {c.id for c in cfg.counters}:
        print(f"{prog}: no counter {counter!r} in the config", file=sys.stderr)
        raise ConfigExit(EXIT_USAGE)
    return counter


def office_clock(cfg: OfficeConfig) -> Clock:
    return Clock.from_env(cfg.office.timezone)


def bus_for(cfg: OfficeConfig, name: str, device_id: str | None = None, kind: str | None = None,
            clock: Clock | None = None) -> BusClient:
    """A broker client with the config's URL and credentials (``MOTCUA_MQTT_URL`` already applied)."""
    return BusClient(
        cfg.broker.url, cfg.office.id, client_id=default_client_id(f"motcua-{name}"),
        device_id=device_id, kind=kind, clock=clock or office_clock(cfg), keepalive=cfg.broker.keepalive_s,
        username=cfg.broker.username, password=cfg.broker.password_value(),
    )


def run_until_signal(stop: Callable[[], None]) -> int:
    """Block until SIGTERM or SIGINT, then run ``stop`` once (one stop event per process)."""
    done = threading.Event()

    def handler(_signum, _frame) -> None:
        done.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not done.wait(0.5):
        pass
    stop()
    return EXIT_OK
