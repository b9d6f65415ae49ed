"""Serial LED number boards: frame encoding (``frames``) and the shared serial line (``bus``)."""

from display.led.bus import LedBus
from display.led.frames import PRESETS, FrameSpec, encode_frame, frame_spec

__all__ = ["PRESETS", "FrameSpec", "LedBus", "encode_frame", "frame_spec"]
