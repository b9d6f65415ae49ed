"""``motcua counter N``: the officer's console of counter N."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from motcua.bus import json_handler
from motcua.runtime import (
    EXIT_USAGE,
    bus_for,
    counter_or_exit,
    load_or_exit,
    office_clock,
    setup_logging,
)

log = logging.getLogger("motcua.counter")

PIN_ENV = "MOTCUA_OFFICER_PIN"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="motcua counter", description="The officer's console of counter N.")
    parser.add_argument("counter", help="counter id, e.g. 3")
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("--officer", help=f"log this officer in at start (PIN from ${PIN_ENV} when they have one)")
    parser.add_argument("--screenshots", metavar="DIR", help="save a PNG of each screen into DIR (headless demo)")
    parser.add_argument("--no-top", action="store_true", help="do not keep the window above other windows")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    counter = counter_or_exit(cfg, options.counter, "motcua counter")
    if options.officer and options.officer not in {o.id for o in cfg.officers}:
        print(f"motcua counter: no officer {options.officer!r} in the config", file=sys.stderr)
        return EXIT_USAGE

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from counter_console.commands import CommandSender
    from counter_console.model import ConsoleModel
    from counter_console.screenshots import ScreenshotWriter
    from counter_console.window import ConsoleWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    clock = office_clock(cfg)
    bus = bus_for(cfg, f"counter-{counter}", device_id=f"console-{counter}", kind="counter_console", clock=clock)
    sender = CommandSender(bus, counter, f"console-{counter}")
    model = ConsoleModel(cfg, counter)
    window = ConsoleWindow(model, sender.send, clock, always_on_top=not options.no_top)
    bus.subscribe(bus.topics.counter_state(counter), json_handler(window.bridge.counter_state.emit))
    for code in model.counter.service_codes:
        bus.subscribe(bus.topics.service_state(code), json_handler(window.bridge.service_state.emit))
    bus.start(wait=5)
    if options.officer:
        window.select_officer(options.officer)
        if not model.needs_pin(options.officer) or os.environ.get(PIN_ENV):
            window.pin.setText(os.environ.get(PIN_ENV, ""))
            QTimer.singleShot(1500, window.do_login)  # after the retained state has arrived
    if options.screenshots:
        ScreenshotWriter(window, Path(options.screenshots)).start()  # a child of the window
    window.show()
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)  # lets Python run its signal handlers
    wake.start(300)
    code = app.exec()
    bus.stop()
    return int(code)
