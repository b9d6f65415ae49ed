"""Serial printer on a pty pair, device-file printer on a FIFO, USB without a device."""

from __future__ import annotations

import pytest
from escpos_sim import EmulatedPrinter, PtyPrinter, raster_image

from ticketd.printing.render import render_ticket
from ticketd.printing.worker import PrinterWorker

WAIT = 60


@pytest.fixture
def pty_printer():
    printers = []

    def make(state="ok"):
        printer = PtyPrinter(EmulatedPrinter(state))
        printers.append(printer)
        return printer

    yield make
    for printer in printers:
        printer.close()


def run_worker(cfg, status_log):
    worker = PrinterWorker(cfg, status_log)
    worker.start()
    return worker


def test_serial_printer_prints_and_reports(pty_printer, printer_config, status_log, sample_ticket):
    pty = pty_printer("ok")
    worker = run_worker(printer_config(backend="serial", device=pty.path, baudrate=115200),
                        status_log)
    try:
        image = render_ticket(sample_ticket, 576)
        assert worker.submit(image).result(WAIT).printed
        pty.printer.state = "paper_out"
        outcome = worker.submit(image).result(WAIT)
        assert outcome.error_code == "paper_out"
        pty.printer.state = "cover_open"
        assert worker.submit(image).result(WAIT).error_code == "cover_open"
        pty.printer.state = "ok"
        assert worker.submit(image).result(WAIT).printed
        worker.probe().result(WAIT)
    finally:
        assert worker.stop()
    jobs = pty.printer.wait_for_jobs(2)
    assert len(jobs) == 2
    assert all(raster_image(job).tobytes() == image.tobytes() for job in jobs)
    assert [(s, d) for _, s, d in status_log.calls] == [
        ("online", None), ("offline", "paper_out"), ("offline", "cover_open"), ("online", None),
    ]


def test_missing_serial_port_is_offline(tmp_path, printer_config, status_log, sample_ticket):
    worker = run_worker(printer_config(backend="serial", device=str(tmp_path / "ttyUSB9")),
                        status_log)
    try:
        assert worker.submit(render_ticket(sample_ticket, 384)).result(WAIT).error_code == "offline"
    finally:
        worker.stop()
    status_log.wait_for(("p1", "offline", "offline"))


def test_file_printer_writes_the_job(pty_printer, printer_config, status_log, sample_ticket):
    device = pty_printer("silent")  # a device node that takes bytes and never answers
    worker = run_worker(printer_config(backend="file", device=device.path, paper_width_mm=58),
                        status_log)
    image = render_ticket(sample_ticket, 384)
    try:
        assert worker.submit(image).result(WAIT).printed
    finally:
        assert worker.stop()
    [job] = device.printer.wait_for_jobs(1)
    assert raster_image(job).tobytes() == image.tobytes()
    assert device.printer.queries == []  # a write-only backend never asks
    assert [(s, d) for _, s, d in status_log.calls] == [("unknown", None)]


def test_file_printer_without_device_is_offline(tmp_path, printer_config, status_log,
                                                sample_ticket):
    path = tmp_path / "lp0"
    worker = run_worker(printer_config(backend="file", device=str(path)), status_log)
    try:
        assert worker.submit(render_ticket(sample_ticket, 576)).result(WAIT).error_code == "offline"
    finally:
        worker.stop()
    assert not path.exists()  # no plain file was created where the device should be


def test_file_printer_that_stops_reading_times_out(printer_config, status_log, sample_ticket):
    stalled = PtyPrinter(EmulatedPrinter("ok"), reading=False)
    worker = run_worker(printer_config(backend="file", device=stalled.path, timeout_s=1),
                        status_log)
    try:
        outcome = worker.submit(render_ticket(sample_ticket, 576)).result(WAIT)
        assert outcome.error_code == "timeout"
        status_log.wait_for(("p1", "offline", "timeout"))
    finally:
        worker.stop()
        stalled.close()


def test_usb_printer_that_is_not_there_is_offline(printer_config, status_log, sample_ticket):
    cfg = printer_config(backend="usb", usb_vendor_id="0x0416", usb_product_id="0x5011")
    worker = run_worker(cfg, status_log)
    try:
        outcome = worker.submit(render_ticket(sample_ticket, 576)).result(WAIT)
        assert (outcome.printed, outcome.error_code) == (False, "offline")
    finally:
        worker.stop()
