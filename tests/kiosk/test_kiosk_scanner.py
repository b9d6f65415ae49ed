"""Receipt codes read from pixels: Code 39 and QR images, and a video file played as a camera."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode

from kiosk import code39
from kiosk.scanner import ReceiptScanner, camera_source, decode_frame

CODE = "000.31.17.H17-261120-0005"
URL = f"https://dichvucong.danang.gov.vn/tra-cuu-ho-so?mahs={CODE}"


def code39_image(text: str, narrow: int = 3, wide: int = 8, height: int = 120) -> np.ndarray:
    """A Code 39 symbol drawn from the published element widths (test-side encoder)."""
    columns = [255] * 40
    for char in "*" + text + "*":
        for index, flag in enumerate(code39.PATTERNS[char]):
            columns += [0 if index % 2 == 0 else 255] * (wide if flag == "1" else narrow)
        columns += [255] * narrow
    columns += [255] * 40
    return np.tile(np.array(columns, dtype=np.uint8), (height, 1))


def qr_frame(text: str, size: tuple[int, int] = (640, 480), box: int = 5) -> np.ndarray:
    code = qrcode.QRCode(box_size=box, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((size[1], size[0]), 235, dtype=np.uint8)
    y, x = (size[1] - matrix.shape[0]) // 2, (size[0] - matrix.shape[1]) // 2
    frame[y:y + matrix.shape[0], x:x + matrix.shape[1]] = matrix
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_video(path: Path, frames: list[np.ndarray], fps: int = 10) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def test_code39_table_is_well_formed() -> None:
    assert len(code39.PATTERNS) == 44 == len(set(code39.PATTERNS.values()))
    assert all(len(p) == 9 and p.count("1") == 3 for p in code39.PATTERNS.values())


def test_code39_reads_a_blurred_scaled_barcode_in_a_frame() -> None:
    image = code39_image(CODE)
    assert code39.decode_row(image[60]) == CODE
    blurred = cv2.GaussianBlur(cv2.resize(image, None, fx=0.8, fy=1.0), (3, 3), 0)
    frame = np.full((480, 1280), 200, dtype=np.uint8)
    frame[150:150 + blurred.shape[0], 60:60 + blurred.shape[1]] = blurred
    assert code39.decode(frame, rows=15) == CODE
    assert decode_frame(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)) == CODE


def test_noise_and_blank_frames_give_nothing() -> None:
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    assert decode_frame(noise) is None
    assert decode_frame(np.full((480, 640), 255, dtype=np.uint8)) is None


@pytest.mark.parametrize("payload", [URL, CODE])
def test_qr_frames_give_the_dossier_code(payload) -> None:
    assert decode_frame(qr_frame(payload)) == CODE


def test_a_video_file_plays_as_a_camera_and_its_qr_is_found(tmp_path) -> None:
    blank = np.full((480, 640, 3), 235, dtype=np.uint8)
    video = write_video(tmp_path / "receipt.avi", [blank] * 8 + [qr_frame(URL)] * 6)
    found, errors = [], []
    seen = threading.Event()
    scanner = ReceiptScanner(str(video), on_code=lambda c: (found.append(c), seen.set()), on_error=errors.append,
                             repeat_s=60)
    scanner.start()
    try:
        assert seen.wait(20), errors
    finally:
        scanner.stop()
    assert found[0] == CODE and errors == []
    assert not scanner.running


def test_a_missing_camera_is_reported(tmp_path) -> None:
    errors: list[str] = []
    done = threading.Event()
    scanner = ReceiptScanner(str(tmp_path / "no-such.avi"), on_code=lambda c: None,
                             on_error=lambda e: (errors.append(e), done.set()))
    scanner.start()
    assert done.wait(10)
    scanner.stop()
    assert "cannot open" in errors[0]


def test_camera_sources_from_config(tmp_path) -> None:
    assert camera_source(0, tmp_path) == 0
    assert camera_source("2", tmp_path) == 2
    assert camera_source("/dev/video1", tmp_path) == "/dev/video1"
    assert camera_source("rtsp://cam/stream", tmp_path) == "rtsp://cam/stream"
    assert camera_source("scans/receipt.avi", tmp_path) == str(tmp_path / "scans" / "receipt.avi")
