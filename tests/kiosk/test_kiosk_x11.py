"""The kiosk on a real X screen (Xvfb, Qt's xcb platform, no window manager): it covers the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from office_harness import ROOT, wait_until


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (make deps installs it)")
def test_kiosk_fills_a_real_x_screen(office, tmp_path):
    ticketd, _watcher = office
    display = ":77"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1080x1920x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    env = dict(ticketd.env(), DISPLAY=display, QT_QPA_PLATFORM="xcb")
    kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "--kiosk", "kiosk-1"], env=env, cwd=ROOT,
                             stderr=open(tmp_path / "kiosk.log", "wb"))
    shot = tmp_path / "screen.png"
    try:
        def grab():
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "x11grab", "-video_size", "1080x1920",
                            "-i", display, "-frames:v", "1", str(shot)], check=False, timeout=30)
            if not shot.exists():
                return None
            pixels = np.asarray(Image.open(shot).convert("RGB"))
            black = (pixels.sum(axis=2) == 0).mean()
            return [pixels] if black < 0.02 else None  # the bare X root is black

        pixels = wait_until(grab, timeout=60, interval=1.0)[0]
        assert kiosk.poll() is None, (tmp_path / "kiosk.log").read_text()
        assert pixels[-5:, :].mean() > 30, "the bottom of the screen is not covered"
        os.makedirs(ROOT / "artifacts" / "kiosk", exist_ok=True)
        shutil.copy(shot, ROOT / "artifacts" / "kiosk" / "x11-home.png")
    finally:
        kiosk.terminate()
        kiosk.wait(timeout=15)
        xvfb.terminate()
        xvfb.wait(timeout=10)
