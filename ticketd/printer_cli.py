"""``motcua printer``: test pages, reprints, capture-printer faults and pictures of captured jobs.

``test`` and ``reprint`` go through ticketd (it owns the printers' ports); ``fault`` and ``png``
work on the files of a capture printer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from motcua.bus import RequestTimeout
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, bus_for, load_or_exit, setup_logging
from ticketd.printing.capture import CAPTURE_STATES, job_files, set_capture_state
from ticketd.printing.raster import job_image


def _ask(cfg, topic_name: str, payload: dict) -> dict | None:
    bus = bus_for(cfg, "printer-cli").start(wait=5)
    try:
        return bus.request(getattr(bus.topics, topic_name)(), payload, timeout=30)
    except RequestTimeout:
        print("ticketd did not answer: is it running? (systemctl status motcua-ticketd)", file=sys.stderr)
        return None
    finally:
        bus.stop()


def _print_reply(reply: dict | None) -> int:
    if reply is None:
        return EXIT_RUNTIME
    if not reply["ok"]:
        print(f"{reply['error']['code']}: {reply['error']['message']}", file=sys.stderr)
        return EXIT_RUNTIME
    status = reply.get("status") or {}
    line = f"printer {reply['printer']}: printed={reply['printed']}"
    if reply.get("print_error"):
        line += f" ({reply['print_error']['code']}: {reply['print_error']['message']})"
    if status:
        line += f"; status {status['state']}" + (f" ({status['detail']})" if status.get("detail") else "")
    print(line)
    return EXIT_OK if reply["printed"] else EXIT_RUNTIME


def save_pngs(folder: Path, out: Path) -> list[Path]:
    """Decode each captured job in ``folder`` into ``out/job-NNNNNN.png``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for job in job_files(folder):
        target = out / (job.stem + ".png")
        job_image(job.read_bytes()).save(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua printer", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="office YAML (default: $MOTCUA_CONFIG)")
    sub = parser.add_subparsers(dest="action", required=True)
    test = sub.add_parser("test", help="print the test page and show the printer's status")
    test.add_argument("printer")
    reprint = sub.add_parser("reprint", help='print a ticket again, marked "IN LẠI"')
    reprint.add_argument("number")
    reprint.add_argument("--printer")
    fault = sub.add_parser("fault", help="put a capture printer into a state (tests, demos)")
    fault.add_argument("printer")
    fault.add_argument("state", choices=CAPTURE_STATES)
    png = sub.add_parser("png", help="save a capture printer's jobs as PNG pictures")
    png.add_argument("printer")
    png.add_argument("--out", help="folder (default: <capture_dir>/png)")
    options = parser.parse_args(argv)
    setup_logging()
    cfg = load_or_exit(options.config)
    if options.action == "test":
        return _print_reply(_ask(cfg, "test_page", {"printer": options.printer}))
    if options.action == "reprint":
        payload = {"number": options.number, **({"printer": options.printer} if options.printer else {})}
        return _print_reply(_ask(cfg, "reprint", payload))
    try:
        printer = cfg.printer(options.printer)
    except KeyError:
        print(f"no printer {options.printer!r} in the config", file=sys.stderr)
        return EXIT_USAGE
    if printer.backend != "capture":
        print(f"printer {printer.id} is not a capture printer", file=sys.stderr)
        return EXIT_USAGE
    if options.action == "fault":
        set_capture_state(printer.capture_dir, options.state)
        print(f"capture printer {printer.id} is now {options.state}")
        return EXIT_OK
    written = save_pngs(printer.capture_dir, Path(options.out) if options.out else printer.capture_dir / "png")
    print(f"{len(written)} job(s) saved as PNG in {written[0].parent if written else '-'}")
    return EXIT_OK
