"""The worker against the capture printer: job files, faults, hangs, queueing."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from escpos_sim import parse_job, raster_image

from ticketd.printing.capture import job_files, read_capture_state, set_capture_state
from ticketd.printing.escpos_job import ticket_job_bytes
from ticketd.printing.render import render_ticket
from ticketd.printing.worker import PrinterPool, PrinterWorker

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "printing"
WAIT = 60  # generous: only how long a test waits, never a pass/fail limit


@pytest.fixture
def capture_worker(tmp_path, printer_config, status_log):
    workers = []

    def make(folder="cap", **fields):
        cfg = printer_config(backend="capture", capture_dir=tmp_path / folder, **fields)
        worker = PrinterWorker(cfg, status_log)
        worker.start()
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


@pytest.mark.parametrize("paper_mm, width", [(80, 576), (58, 384)])
def test_printed_ticket_is_captured_exactly(capture_worker, status_log, sample_ticket, paper_mm,
                                            width):
    ticket = dataclasses.replace(
        sample_ticket, priority=True,
        note="Người cao tuổi, người khuyết tật, phụ nữ mang thai được ưu tiên.",
    )
    worker = capture_worker(paper_width_mm=paper_mm, id=f"kiosk-{paper_mm}")
    image = render_ticket(ticket, width)
    outcome = worker.submit(image).result(WAIT)
    assert outcome.printed and outcome.error_code is None
    [job] = job_files(worker.cfg.capture_dir)
    assert job.name == "job-000001.bin"
    data = job.read_bytes()
    assert data == ticket_job_bytes(image, width)
    commands = parse_job(data)
    assert commands[-1][0] == "cut"
    decoded = raster_image(commands)
    assert decoded.width == width
    assert decoded.tobytes() == image.tobytes()
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(decoded.convert("L")))
    assert text == ticket.qr_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    decoded.save(ARTIFACTS / f"ticket-{paper_mm}mm.png")
    status_log.wait_for((f"kiosk-{paper_mm}", "online", None))


@pytest.mark.parametrize("state", ["paper_out", "cover_open", "offline"])
def test_fault_refuses_the_job_without_sending(capture_worker, status_log, sample_ticket, state):
    worker = capture_worker()
    set_capture_state(worker.cfg.capture_dir, state)
    outcome = worker.submit(render_ticket(sample_ticket, 576)).result(WAIT)
    assert not outcome.printed
    assert outcome.error_code == state
    assert outcome.message  # Vietnamese text for the kiosk screen
    assert job_files(worker.cfg.capture_dir) == []
    status_log.wait_for(("p1", "offline", state))


def test_paper_low_prints_and_reports_degraded(capture_worker, status_log, sample_ticket):
    worker = capture_worker()
    set_capture_state(worker.cfg.capture_dir, "paper_low")
    assert worker.submit(render_ticket(sample_ticket, 576)).result(WAIT).printed
    assert len(job_files(worker.cfg.capture_dir)) == 1
    status_log.wait_for(("p1", "degraded", "paper_low"))


def test_recovers_on_the_next_job_after_a_failure(capture_worker, status_log, sample_ticket):
    worker = capture_worker()
    image = render_ticket(sample_ticket, 576)
    status_log.wait_for(("p1", "online", None))
    set_capture_state(worker.cfg.capture_dir, "offline")
    assert worker.submit(image).result(WAIT).error_code == "offline"
    set_capture_state(worker.cfg.capture_dir, "online")
    assert worker.submit(image).result(WAIT).printed
    worker.probe().result(WAIT)  # queued after the job's own status report
    states = [(s, d) for _, s, d in status_log.calls]
    assert states == [("online", None), ("offline", "offline"), ("online", None)]


def test_hang_times_out_without_holding_up_another_printer(tmp_path, printer_config, status_log,
                                                           sample_ticket):
    hung = printer_config(id="hung", backend="capture", capture_dir=tmp_path / "hung", timeout_s=2)
    good = printer_config(id="good", backend="capture", capture_dir=tmp_path / "good")
    set_capture_state(hung.capture_dir, "hang")
    pool = PrinterPool([hung, good], status_log)
    pool.start()
    try:
        image = render_ticket(sample_ticket, 576)
        finished = []
        started = time.monotonic()
        f_hung = pool.submit("hung", image)
        f_hung.add_done_callback(lambda _: finished.append("hung"))
        f_good = pool.submit("good", image)
        f_good.add_done_callback(lambda _: finished.append("good"))
        assert f_good.result(WAIT).printed
        outcome = f_hung.result(WAIT)
        elapsed = time.monotonic() - started
        assert outcome.error_code == "timeout" and not outcome.printed
        assert finished == ["good", "hung"]
        assert elapsed >= hung.timeout_s  # it really waited for the printer
        assert len(job_files(good.capture_dir)) == 1 and job_files(hung.capture_dir) == []
        status_log.wait_for(("hung", "offline", "timeout"))
    finally:
        assert pool.stop()


def test_jobs_from_two_threads_never_interleave(capture_worker, sample_ticket):
    worker = capture_worker()
    kiosk_jobs = {
        prefix: [
            ticket_job_bytes(render_ticket(
                dataclasses.replace(sample_ticket, number=f"{prefix}{i:03d}"), 576))
            for i in range(1, 5)
        ]
        for prefix in "AB"
    }
    futures, lock = [], threading.Lock()

    def kiosk(prefix: str) -> None:
        for data in kiosk_jobs[prefix]:
            future = worker.submit(data)
            with lock:
                futures.append(future)

    threads = [threading.Thread(target=kiosk, args=(prefix,)) for prefix in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(f.result(WAIT).printed for f in futures)
    captured = [p.read_bytes() for p in job_files(worker.cfg.capture_dir)]
    assert len(captured) == 8
    for jobs in kiosk_jobs.values():  # each file is one whole job, in each kiosk's order
        assert [data for data in captured if data in jobs] == jobs


def test_capture_state_file(tmp_path):
    assert read_capture_state(tmp_path) == "online"
    set_capture_state(tmp_path, "cover_open")
    assert read_capture_state(tmp_path) == "cover_open"
    with pytest.raises(ValueError):
        set_capture_state(tmp_path, "on fire")


def test_probe_reports_status(capture_worker, status_log):
    worker = capture_worker()
    assert worker.probe().result(WAIT).state == "online"
    set_capture_state(worker.cfg.capture_dir, "cover_open")
    status = worker.probe().result(WAIT)
    assert (status.state, status.detail) == ("offline", "cover_open")
    assert worker.status == status


def test_submit_after_stop_is_refused(capture_worker, sample_ticket):
    worker = capture_worker()
    assert worker.stop()
    with pytest.raises(RuntimeError):
        worker.submit(b"\x1b@")
