"""Ticket printing cost per ticket, for 58 mm (384 dots) and 80 mm (576 dots) paper.

Columns: render (image from a ticket), encode (ESC/POS job bytes), job (submit to a capture
printer until the job file is written, status check included), and bytes per job.
Prints a table; no targets.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import percentile

from motcua.config.schema import PrinterDevice
from ticketd.printing.escpos_job import ticket_job_bytes
from ticketd.printing.render import TicketPrint, render_ticket
from ticketd.printing.worker import PrinterWorker

TICKET = TicketPrint(
    office_name="Trung tâm Phục vụ hành chính công phường Bến Thành",
    service_name="Hộ tịch – Đăng ký khai sinh, kết hôn, khai tử",
    number="A012",
    priority=False,
    issued_at=datetime(2026, 11, 23, 8, 3),
    ahead=4,
    est_wait_s=540,
    note="Vui lòng chuẩn bị căn cước công dân.",
    qr_url="https://motcua.example.vn/ve?so=A012",
)


def timed(fn, count: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(count):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def job_latencies(paper_mm: int, count: int, folder: Path) -> list[float]:
    cfg = PrinterDevice(id=f"bench-{paper_mm}", name="bench", backend="capture",
                        paper_width_mm=paper_mm, capture_dir=folder / str(paper_mm))
    worker = PrinterWorker(cfg, lambda *_: None)
    worker.start()
    image = render_ticket(TICKET, worker.width_dots)
    try:
        samples, _ = timed(lambda: worker.submit(image).result(30), count)
    finally:
        worker.stop()
    return samples


def measure(paper_mm: int, width: int, count: int, folder: Path) -> str:
    """One table row for paper ``paper_mm`` printed ``width`` dots wide."""
    numbers = iter(range(1, 10**6))
    render_s, image = timed(
        lambda: render_ticket(dataclasses.replace(TICKET, number=f"A{next(numbers):03d}"), width),
        count,
    )
    encode_s, data = timed(lambda: ticket_job_bytes(image, width), count)
    job_s = job_latencies(paper_mm, count, folder)
    return (f"{paper_mm:>4}mm {width:>5} | {ms(render_s):>17} | {ms(encode_s):>17} | "
            f"{ms(job_s):>15} | {len(data):>7} | {image.height:>5}")


def ms(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:7.1f} / {percentile(values, 99) * 1000:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=30, help="tickets per measurement")
    args = parser.parse_args()
    print(f"{'paper':>6} {'dots':>5} | {'render p50/p99 ms':>17} | {'encode p50/p99 ms':>17} | "
          f"{'job p50/p99 ms':>15} | {'bytes':>7} | {'rows':>5}")
    with tempfile.TemporaryDirectory() as folder:
        for paper_mm, width in ((58, 384), (80, 576)):
            print(measure(paper_mm, width, args.count, Path(folder)))

if __name__ == "__main__":
    main()
