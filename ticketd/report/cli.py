"""``motcua report``: per officer, service and hour figures as HTML or CSV, and the hall's
monthly satisfaction (``--publish-satisfaction``)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import date, datetime
from pathlib import Path

from motcua.clock import business_day
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, bus_for, load_or_exit, office_clock, setup_logging
from ticketd.report import csv_out, html
from ticketd.report.data import load
from ticketd.report.figures import build
from ticketd.report.satisfaction import publish

log = logging.getLogger("motcua.report")


def parse_day(text: str) -> date:
    """``2026-11-23`` or ``23/11/2026``."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="motcua report", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    parser.add_argument("--from", dest="start", type=parse_day, help="first day (default: today)")
    parser.add_argument("--to", dest="end", type=parse_day, help="last day, inclusive (default: --from)")
    parser.add_argument("--format", choices=("html", "csv"), default="html")
    parser.add_argument("--out", help="output folder (default: <data dir>/reports)")
    parser.add_argument("--db", help="ticketd database (default: <data dir>/ticketd.sqlite3)")
    parser.add_argument("--publish-satisfaction", action="store_true",
                        help="publish this month's satisfaction per counter for the hall display, then exit")
    parser.add_argument("--every", type=float, metavar="SECONDS",
                        help="with --publish-satisfaction: publish again every SECONDS until stopped")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    setup_logging(options.verbose)
    cfg = load_or_exit(options.config)
    clock = office_clock(cfg)
    db_path = Path(options.db) if options.db else cfg.storage.data_dir / "ticketd.sqlite3"
    if not db_path.exists():
        print(f"motcua report: no ticketd database at {db_path}", file=sys.stderr)
        return EXIT_RUNTIME
    if options.publish_satisfaction:
        return _publish(cfg, clock, db_path, options.every)
    now = clock.now()
    start = options.start or business_day(now, cfg.reset.time)
    end = options.end or start
    if end < start:
        print("motcua report: --to is before --from", file=sys.stderr)
        return EXIT_USAGE
    report = build(cfg, load(db_path, start, end), now)
    out = Path(options.out) if options.out else cfg.storage.data_dir / "reports"
    stem = f"report-{start.isoformat()}_{end.isoformat()}"
    if options.format == "csv":
        paths = csv_out.write(report, out, stem)
    else:
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{stem}.html"
        path.write_text(html.render(report), encoding="utf-8")
        paths = [path]
    for path in paths:
        print(path)
    return EXIT_OK


def _publish(cfg, clock, db_path: Path, every: float | None) -> int:
    bus = bus_for(cfg, "report", clock=clock)
    bus.start(wait=10)
    if not bus.connected.is_set():
        print("motcua report: the broker is not reachable", file=sys.stderr)
        bus.stop()
        return EXIT_RUNTIME
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        while True:
            payload = publish(cfg, bus, db_path, clock.now())
            log.info("satisfaction %s", "published" if payload else "cleared (hall.show_satisfaction is off)")
            if not every or stop.wait(every):
                break
    except (RuntimeError, ValueError) as exc:
        print(f"motcua report: publishing failed: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    finally:
        bus.stop()
    return EXIT_OK
