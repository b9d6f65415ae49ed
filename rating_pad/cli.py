"""``motcua rating-pad N``: the rating tablet of counter N."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from motcua.runtime import (
    bus_for,
    counter_or_exit,
    load_or_exit,
    office_clock,
    setup_logging,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="motcua rating-pad", description="The rating tablet of counter N.")
    parser.add_argument("counter", help="counter id, e.g. 3")
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("--screenshots", metavar="DIR", help="save a PNG of each screen into DIR (headless demo)")
    parser.add_argument("--auto-rate", action="store_true",
                        help="demo: a simulated citizen answers every rate request")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    counter = counter_or_exit(cfg, options.counter, "motcua rating-pad")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from display.qt.fullscreen import show_full_screen
    from rating_pad.app import AutoCitizen, RatingPad, pad_device_id, save_screens

    app = QApplication.instance() or QApplication([sys.argv[0]])
    clock = office_clock(cfg)
    bus = bus_for(cfg, f"rating-pad-{counter}", device_id=pad_device_id(cfg, counter), kind="rating_pad",
                  clock=clock)
    pad = RatingPad(cfg, counter, bus, clock)
    window = pad.window
    if options.auto_rate:
        AutoCitizen(window)  # a child of the window: Qt keeps it alive
    if options.screenshots:
        save_screens(window, Path(options.screenshots))
    bus.start(wait=5)
    pad.start()
    if options.windowed or options.screenshots:
        window.show()
    else:
        show_full_screen(window)
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)  # lets Python run its signal handlers
    wake.start(300)
    code = app.exec()
    pad.stop()
    bus.stop()
    return int(code)
