"""Synthetic camera clips made with PyAV's bundled encoders (libx264, libx265).

``moving``: a textured picture that scrolls (every frame differs); ``black``: all black;
``frozen``: one textured picture repeated. Key frames every ``gop`` frames, no B-frames, like most
IP cameras' defaults for live streaming.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

ENCODERS = {"h264": "libx264", "hevc": "libx265"}


def picture(kind: str, index: int, width: int, height: int, seed: int = 7) -> np.ndarray:
    if kind == "black":
        return np.zeros((height, width, 3), np.uint8)
    rng = np.random.default_rng(seed)
    cells = rng.integers(40, 220, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    base = np.kron(cells, np.ones((8, 8, 1), np.uint8))[:height, :width]
    if kind == "frozen":
        return base
    shifted = np.roll(base, 4 * index, axis=1)
    bar = (index * 6) % height
    shifted[bar:bar + 12, :, :] = 255
    return shifted


def make_clip(path: Path, kind: str = "moving", frames: int = 100, width: int = 320, height: int = 240,
              fps: int = 10, gop: int = 10, codec: str = "h264", bitrate_kbps: int | None = None) -> Path:
    """Write an MP4 clip and return its path."""
    out = av.open(str(path), "w")
    stream = out.add_stream(ENCODERS[codec], rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    if codec == "h264":
        options = {"g": str(gop), "bf": "0", "preset": "ultrafast", "threads": "1"}
    else:
        options = {"preset": "ultrafast", "x265-params": f"keyint={gop}:min-keyint={gop}:bframes=0:"
                   f"scenecut=0:repeat-headers=1:log-level=error:pools=1:frame-threads=1"}
    if bitrate_kbps:
        stream.bit_rate = bitrate_kbps * 1000
    stream.options = options
    for index in range(frames):
        frame = av.VideoFrame.from_ndarray(picture(kind, index, width, height), format="rgb24")
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def count_frames(paths: list[Path]) -> int:
    """Frames that decode from ``paths``, in order (raises if a file does not play)."""
    total = 0
    for path in paths:
        with av.open(str(path)) as container:
            for _frame in container.decode(video=0):
                total += 1
    return total
