"""The receipt scanner: frames from a camera (index or device) or a video file played in a loop
as if it were one, decoded for a QR code (OpenCV) or a Code 39 barcode, in a worker thread.

``ReceiptScanner.start()`` when the dossier screen opens, ``stop()`` when it closes; ``on_code``
gets each dossier code found (the same code again only after ``repeat_s``), ``on_error`` a
description when the camera cannot be opened or stops delivering frames.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from kiosk import code39
from kiosk.dossiers.codes import code_from_scan

log = logging.getLogger("motcua.kiosk.scanner")


def decode_frame(frame: np.ndarray, qr: cv2.QRCodeDetector | None = None) -> str | None:
    """The dossier code visible in ``frame`` (BGR or gray), from a QR code or a Code 39 barcode."""
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    detector = qr or cv2.QRCodeDetector()
    try:
        text, _points, _ = detector.detectAndDecode(gray)
    except cv2.error:
        text = ""
    if text:
        code = code_from_scan(text)
        if code:
            return code
    bar = code39.decode(gray)
    return code_from_scan(bar) if bar else None


def camera_source(camera: int | str, base: Path) -> int | str:
    """What ``cv2.VideoCapture`` opens: an index, a device path, a URL, or a file under ``base``."""
    if isinstance(camera, int):
        return camera
    text = camera.strip()
    if text.isdigit():
        return int(text)
    if "://" in text or text.startswith("/dev/"):
        return text
    path = Path(text).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


class ReceiptScanner:
    """Reads frames while started; a video file loops and is paced at its own frame rate."""

    def __init__(self, source: int | str, on_code: Callable[[str], None], on_error: Callable[[str], None],
                 repeat_s: float = 4.0, max_fps: float = 10.0) -> None:
        self.source, self.on_code, self.on_error = source, on_code, on_error
        self.repeat_s, self.max_fps = repeat_s, max_fps
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: tuple[str, float] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._last = None
        self._thread = threading.Thread(target=self._run, name="receipt-scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _open(self) -> cv2.VideoCapture | None:
        capture = cv2.VideoCapture(self.source)
        if not capture.isOpened():
            capture.release()
            return None
        return capture

    def _run(self) -> None:
        capture = self._open()
        if capture is None:
            log.warning("cannot open camera %r", self.source)
            self.on_error(f"cannot open camera {self.source!r}")
            return
        is_file = isinstance(self.source, str) and Path(self.source).is_file()
        fps = capture.get(cv2.CAP_PROP_FPS) if is_file else 0.0
        period = 1.0 / min(self.max_fps, fps) if fps and fps > 0 else 1.0 / self.max_fps
        detector = cv2.QRCodeDetector()
        failures = 0
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                ok, frame = capture.read()
                if not ok:
                    if is_file:  # loop the video as a camera that never ends
                        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                        failures += 1
                        if failures > 3:
                            self.on_error(f"video {self.source!r} delivers no frames")
                            return
                        continue
                    self.on_error(f"camera {self.source!r} stopped delivering frames")
                    return
                failures = 0
                code = decode_frame(frame, detector)
                if code:
                    self._found(code)
                self._stop.wait(max(0.0, period - (time.monotonic() - started)))
        finally:
            capture.release()

    def _found(self, code: str) -> None:
        now = time.monotonic()
        if self._last and self._last[0] == code and now - self._last[1] < self.repeat_s:
            return
        self._last = (code, now)
        log.info("scanned dossier code %s", code)
        self.on_code(code)
