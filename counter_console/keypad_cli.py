"""``motcua keypads``: drive every serial counter keypad of the config until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import sys

from counter_console.keypad import KeypadPort
from motcua.config import OfficeConfig
from motcua.runtime import EXIT_USAGE, bus_for, load_or_exit, office_clock, run_until_signal, setup_logging

log = logging.getLogger("motcua.keypad")


def build_ports(cfg: OfficeConfig) -> list[KeypadPort]:
    """One ``KeypadPort`` per serial line, each keypad with its own (not yet started) bus client."""
    ports: dict[str, KeypadPort] = {}
    clock = office_clock(cfg)
    for device in cfg.devices.keypads:
        port = ports.get(device.port)
        if port is None:
            port = ports[device.port] = KeypadPort(device.port, device.baudrate)
        elif port.baudrate != device.baudrate:
            log.warning("keypad %s: %s runs at %d baud for its first keypad; %d ignored",
                        device.id, device.port, port.baudrate, device.baudrate)
        port.add(device, bus_for(cfg, f"keypad-{device.id}", device_id=device.id, kind="keypad", clock=clock))
    return list(ports.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua keypads", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    try:
        ports = build_ports(cfg)
    except ValueError as exc:
        print(f"motcua keypads: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not ports:
        print("motcua keypads: the config has no devices.keypads", file=sys.stderr)
        return EXIT_USAGE
    for port in ports:
        for keypad in port.keypads.values():
            keypad.bus.start()
        port.start()

    def stop() -> None:
        for port in ports:
            port.stop()
            for keypad in port.keypads.values():
                keypad.bus.stop()

    return run_until_signal(stop)
