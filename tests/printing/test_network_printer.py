"""A network printer played by a TCP server on 127.0.0.1 that answers DLE EOT."""

from __future__ import annotations

import select
import socket

import pytest
from escpos_sim import EmulatedPrinter, TcpPrinter, raster_image

from ticketd.printing.connections import create_connection
from ticketd.printing.render import render_ticket
from ticketd.printing.status import read_status
from ticketd.printing.worker import PrinterWorker

WAIT = 60


@pytest.fixture
def tcp_printer():
    servers = []

    def make(state="ok", **options):
        server = TcpPrinter(EmulatedPrinter(state), **options)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def network_worker(printer_config, status_log):
    workers = []

    def make(server, **fields):
        cfg = printer_config(backend="network", host="127.0.0.1", port=server.port, **fields)
        worker = PrinterWorker(cfg, status_log)
        worker.start()
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def test_ok_printer_prints_the_ticket(tcp_printer, network_worker, status_log, sample_ticket):
    server = tcp_printer("ok")
    worker = network_worker(server)
    image = render_ticket(sample_ticket, 576)
    outcome = worker.submit(image).result(WAIT)
    assert outcome.printed
    [job] = server.printer.wait_for_jobs(1)
    assert raster_image(job).tobytes() == image.tobytes()
    assert job[-1][0] == "cut"
    worker.probe().result(WAIT)
    assert status_log.calls == [("p1", "online", None)]
    assert server.printer.queries  # it asked before printing


@pytest.mark.parametrize("state", ["paper_out", "cover_open"])
def test_fault_is_reported_and_nothing_printed(tcp_printer, network_worker, status_log,
                                               sample_ticket, state):
    server = tcp_printer(state)
    worker = network_worker(server)
    outcome = worker.submit(render_ticket(sample_ticket, 576)).result(WAIT)
    assert (outcome.printed, outcome.error_code) == (False, state)
    assert server.printer.jobs() == []
    status_log.wait_for(("p1", "offline", state))
    server.printer.state = "ok"  # paper loaded / cover closed
    assert worker.submit(render_ticket(sample_ticket, 576)).result(WAIT).printed
    status_log.wait_for(("p1", "online", None))
    assert len(server.printer.wait_for_jobs(1)) == 1


def test_paper_low_prints_and_degrades(tcp_printer, network_worker, status_log, sample_ticket):
    server = tcp_printer("paper_low")
    worker = network_worker(server)
    assert worker.submit(render_ticket(sample_ticket, 384)).result(WAIT).printed
    status_log.wait_for(("p1", "degraded", "paper_low"))


def test_silent_printer_prints_with_unknown_status(tcp_printer, network_worker, status_log,
                                                    sample_ticket):
    server = tcp_printer("silent")
    worker = network_worker(server)
    assert worker.submit(render_ticket(sample_ticket, 576)).result(WAIT).printed
    worker.probe().result(WAIT)
    assert len(server.printer.wait_for_jobs(1)) == 1
    assert {(s, d) for _, s, d in status_log.calls} == {("unknown", None)}


def test_unreachable_printer_is_offline(printer_config, status_log, sample_ticket):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = PrinterWorker(
        printer_config(backend="network", host="127.0.0.1", port=port), status_log
    )
    worker.start()
    try:
        outcome = worker.submit(render_ticket(sample_ticket, 576)).result(WAIT)
        assert outcome.error_code == "offline"
        status_log.wait_for(("p1", "offline", "offline"))
    finally:
        worker.stop()


def test_printer_that_stops_reading_times_out(tcp_printer, network_worker, status_log,
                                              sample_ticket):
    server = tcp_printer("ok", reading=False)
    worker = network_worker(server, timeout_s=1, status_query=False)
    big = render_ticket(sample_ticket, 576)
    outcome = worker.submit(big).result(WAIT)
    assert (outcome.printed, outcome.error_code) == (False, "timeout")
    status_log.wait_for(("p1", "offline", "timeout"))


def test_stale_reply_is_dropped_before_asking(tcp_printer, printer_config):
    # The printer's first byte is a late paper-out answer to an earlier query.
    server = tcp_printer("ok", greeting=bytes([0x7E]))
    conn = create_connection(printer_config(backend="network", host="127.0.0.1", port=server.port))
    conn.open()
    try:
        # wait until the stale byte is in our socket (a wait, not a check)
        select.select([conn._sock], [], [], WAIT)
        status = read_status(conn, timeout=2)
    finally:
        conn.close()
    assert (status.state, status.detail) == ("online", None)


def test_garbage_answer_is_unknown_not_ok(tcp_printer, printer_config):
    server = tcp_printer("garbage")
    conn = create_connection(printer_config(backend="network", host="127.0.0.1", port=server.port))
    conn.open()
    try:
        assert read_status(conn, timeout=2).state == "unknown"
    finally:
        conn.close()
