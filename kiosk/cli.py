"""``motcua kiosk [--kiosk ID] [--screenshots DIR] [--tour]``: the touchscreen kiosk.

On a real screen it runs full screen and locked (only the technician PIN closes it; SIGTERM
stops the service). Without a display it runs headless (Qt offscreen); ``--screenshots DIR``
saves a PNG per screen change, which is how the demo shows it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, load_or_exit, setup_logging

log = logging.getLogger("motcua.kiosk")


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua kiosk", description="Run the touchscreen kiosk.")
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("--kiosk", help="kiosk device id (default: the first kiosk of the config)")
    parser.add_argument("--screenshots", type=Path, help="save a PNG of every screen change into this folder")
    parser.add_argument("--windowed", action="store_true", help="a normal window instead of locked full screen")
    parser.add_argument("--tour", action="store_true", help="walk through every screen once (takes one ticket)")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    if options.kiosk is not None and options.kiosk not in {k.id for k in cfg.devices.kiosks}:
        print(f"motcua kiosk: no kiosk {options.kiosk!r} in the config "
              f"(known: {', '.join(k.id for k in cfg.devices.kiosks) or 'none'})", file=sys.stderr)
        return EXIT_USAGE
    if not cfg.devices.kiosks:
        print("motcua kiosk: the config has no kiosk under devices.kiosks", file=sys.stderr)
        return EXIT_USAGE
    if not _has_display() and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # headless: the demo and tests
    offscreen = os.environ.get("QT_QPA_PLATFORM") == "offscreen"

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.procedures import CatalogueError
    from kiosk.ui.app import KioskApp
    from kiosk.ui.tour import Tour

    qt_app = QApplication.instance() or QApplication(["motcua-kiosk"])
    qt_app.setQuitOnLastWindowClosed(False)  # only the technician's PIN ends the kiosk
    try:
        kiosk = KioskApp(cfg, options.kiosk, screenshots=options.screenshots,
                         fullscreen=not (offscreen or options.windowed))
    except CatalogueError as exc:
        print(f"motcua kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kiosk.window.exit_requested.connect(qt_app.quit)
    # exit() rather than quit(): Qt 6's quit() first asks windows to close, which the locked one refuses
    signal.signal(signal.SIGTERM, lambda *_: qt_app.exit(0))
    signal.signal(signal.SIGINT, lambda *_: qt_app.exit(0))
    heartbeat = QTimer(interval=200)  # lets Python run the signal handlers while Qt waits
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start()
    kiosk.start()
    tour = Tour(kiosk) if options.tour else None
    if tour is not None:
        tour.start()
    try:
        code = qt_app.exec()
    finally:
        kiosk.stop()
    return EXIT_OK if code == 0 else EXIT_RUNTIME
