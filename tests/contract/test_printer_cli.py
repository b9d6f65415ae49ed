"""``motcua printer``: test page and reprint through ticketd, faults and pictures of capture jobs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from office_harness import DEMO_CONFIG, ROOT
from ticketd.printing.raster import job_image


def printer_cli(ticketd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua", "printer", "-c", str(DEMO_CONFIG), *args],
                          env=ticketd.env(), cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_test_page_reprint_fault_and_png(office):
    ticketd, w = office
    capture = ticketd.data_dir / "capture" / "printer-1"
    test = printer_cli(ticketd, "test", "printer-1")
    assert test.returncode == 0, test.stderr
    assert "printed=True" in test.stdout and "status online" in test.stdout
    first = w.request(w.topics.take("kiosk-1"), {"service": "HT"})
    reprint = printer_cli(ticketd, "reprint", first["ticket"]["number"], "--printer", "printer-1")
    assert reprint.returncode == 0, reprint.stderr
    jobs = sorted(capture.glob("job-*.bin"))
    assert len(jobs) == 3
    original, again = (np.array(job_image(p.read_bytes())) for p in jobs[1:])
    assert original.shape[1] == again.shape[1] == 576
    assert again.shape[0] > original.shape[0], "the reprint lacks its IN LẠI mark"
    assert printer_cli(ticketd, "fault", "printer-1", "paper_out").returncode == 0
    refused = printer_cli(ticketd, "test", "printer-1")
    assert refused.returncode == 1 and "paper_out" in refused.stdout
    png = printer_cli(ticketd, "png", "printer-1")
    assert png.returncode == 0 and "3 job(s)" in png.stdout
    assert sorted(p.name for p in (capture / "png").glob("*.png")) == [p.stem + ".png" for p in jobs]
    unknown = printer_cli(ticketd, "test", "printer-9")
    assert unknown.returncode == 1 and "unknown_device" in unknown.stderr
