"""``motcua display hall | counter N | announcer | led``: the office's screens, voice and LED boards.

hall, counter  PySide6 windows (full screen on a real display). ``--screenshots DIR`` saves a PNG
               after every change, for headless boxes and the demo (``$VARS`` in DIR are
               expanded, so a process list needs no shell).
announcer      speaks every call; ``--say A012 --counter 3`` speaks one sentence and exits,
               ``--print`` prints that sentence instead of speaking it.
led            drives the serial LED number boards of ``devices.led_boards``.
Exit codes: 0 ok, 1 runtime failure, 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

from motcua.config import OfficeConfig
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, bus_for, load_or_exit, run_until_signal, setup_logging

log = logging.getLogger("display")


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("expected WIDTHxHEIGHT, e.g. 1920x1080")
    return int(match[1]), int(match[2])


def _folder(text: str) -> Path:
    return Path(os.path.expanduser(os.path.expandvars(text))).resolve()


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    common.add_argument("-v", "--verbose", action="store_true")
    screen = argparse.ArgumentParser(add_help=False)
    screen.add_argument("--device-id", help="this display's device id (default: from devices.displays)")
    screen.add_argument("--screenshots", type=_folder, metavar="DIR",
                        help="save a PNG of the window after every change (at most 2 per second)")
    screen.add_argument("--keep", type=int, default=50, help="screenshots to keep (default 50)")
    screen.add_argument("--size", type=_size, help="window size WIDTHxHEIGHT instead of full screen")
    screen.add_argument("--windowed", action="store_true", help="a normal window, not full screen")

    top = argparse.ArgumentParser(prog="motcua display", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="what", required=True)
    sub.add_parser("hall", parents=[common, screen], help="the hall TV")
    counter = sub.add_parser("counter", parents=[common, screen], help="the screen of counter N")
    counter.add_argument("counter", help="counter id")
    announcer = sub.add_parser("announcer", parents=[common], help="speak every call")
    announcer.add_argument("--say", metavar="NUMBER", help="speak this one number and exit")
    announcer.add_argument("--counter", help="with --say: the counter to send the citizen to")
    announcer.add_argument("--print", action="store_true", help="with --say: print the sentence, do not speak")
    announcer.add_argument("--device-id", default="announcer", help="device id for the status (default announcer)")
    sub.add_parser("led", parents=[common], help="drive the serial LED number boards")
    return top


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    if options.what in ("hall", "counter"):
        return _screen(cfg, options)
    if options.what == "announcer":
        return _say(cfg, options) if options.say is not None else _announcer(cfg, options)
    return _led(cfg)


def _screen(cfg: OfficeConfig, options: argparse.Namespace) -> int:
    if options.what == "counter" and options.counter not in {c.id for c in cfg.counters}:
        print(f"motcua display counter: no counter {options.counter!r} in the config "
              f"(counters: {', '.join(c.id for c in cfg.counters)})", file=sys.stderr)
        return EXIT_USAGE
    if options.keep < 1:
        print("motcua display: --keep must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    from display.qt.apps import run_counter, run_hall  # Qt only for the screens

    if options.what == "hall":
        return run_hall(cfg, options.device_id, options.screenshots, options.keep, options.size, options.windowed)
    return run_counter(cfg, options.counter, options.device_id, options.screenshots, options.keep,
                       options.size, options.windowed)


def _say(cfg: OfficeConfig, options: argparse.Namespace) -> int:
    from display.announcement import announcement_text
    from display.announcer_service import announcer_config
    from display.voice import Announcer

    if not options.counter:
        print("motcua display announcer: --say needs --counter", file=sys.stderr)
        return EXIT_USAGE
    try:
        sentence = announcement_text(options.say, options.counter, cfg.announcer)
    except ValueError as exc:
        print(f"motcua display announcer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if options.print:
        print(sentence)
        return EXIT_OK
    config = announcer_config(cfg)
    folder = Path(config.wav_dir)
    before = set(folder.glob("*.wav")) if folder.is_dir() else set()
    failures: list[str] = []
    announcer = Announcer(config, on_status=lambda state, detail: failures.append(detail) if state != "online" else None)
    announcer.announce({"number": options.say, "counter": options.counter})
    announcer.stop()
    if failures:
        print(f"motcua display announcer: could not speak: {failures[-1]}", file=sys.stderr)
        return EXIT_RUNTIME
    for path in sorted(set(folder.glob("*.wav")) - before if folder.is_dir() else ()):
        print(f"no sound card: wrote {path}", file=sys.stderr)
    return EXIT_OK


def _announcer(cfg: OfficeConfig, options: argparse.Namespace) -> int:
    from display.announcer_service import AnnouncerService

    bus = bus_for(cfg, "announcer", device_id=options.device_id, kind="announcer")
    service = AnnouncerService(cfg, bus)
    bus.start(wait=5)

    def stop() -> None:
        service.stop()
        bus.stop()

    return run_until_signal(stop)


def _led(cfg: OfficeConfig) -> int:
    from display.led_service import led_lines

    lines = led_lines(cfg)
    if not lines:
        print("motcua display led: no devices.led_boards in the config", file=sys.stderr)
        return EXIT_USAGE
    for line in lines:
        line.start()

    def stop() -> None:
        for line in lines:
            line.stop()

    return run_until_signal(stop)
