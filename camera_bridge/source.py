"""A camera's RTSP stream read as compressed packets (PyAV, FFmpeg underneath), never decoded,
plus a decoder that is fed key frames only, for health thumbnails and previews.

RTSP runs over TCP with open and read timeouts (FFmpeg's defaults hang 30-60 s). Errors become a
``SourceError`` whose ``reason`` is a short code: FFmpeg's messages repeat the URL, credentials
included, so they are never logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np

from camera_bridge.wire import StreamConfig

SUPPORTED_CODECS = ("h264", "hevc")


class SourceError(Exception):
    """Opening or reading the camera failed; ``reason`` is safe to log and publish."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(exc: BaseException) -> str:
    """``av.error.ConnectionRefusedError`` -> ``connection_refused``; the message is dropped."""
    name = type(exc).__name__
    if isinstance(exc, av.error.ExitError):
        return "timeout"
    name = re.sub(r"Error$", "", name) or "error"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class RtspSource:
    """One connection to one camera; open again after any error."""

    def __init__(self, url: str, open_timeout_s: float, read_timeout_s: float, fps_hint: float) -> None:
        self._url = url
        self.open_timeout_s, self.read_timeout_s = open_timeout_s, read_timeout_s
        self.fps_hint = fps_hint
        self._container: av.container.InputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None

    def open(self) -> StreamConfig:
        self.close()
        options = {
            "rtsp_transport": "tcp",
            "allowed_media_types": "video",
            "timeout": str(int(self.read_timeout_s * 1_000_000)),  # socket I/O timeout, microseconds
            "analyzeduration": "1000000",
            "probesize": "1000000",
        }
        try:
            container = av.open(self._url, options=options,
                                timeout=(self.open_timeout_s, self.read_timeout_s))
        except (av.error.FFmpegError, OSError) as exc:
            raise SourceError(_reason(exc)) from None
        if not container.streams.video:
            container.close()
            raise SourceError("no_video")
        stream = container.streams.video[0]
        codec = stream.codec_context
        if codec.name not in SUPPORTED_CODECS:
            container.close()
            raise SourceError(f"unsupported_codec_{codec.name}")
        rate = stream.average_rate or stream.guessed_rate
        self._container, self._stream = container, stream
        return StreamConfig(codec.name, codec.width, codec.height, Fraction(stream.time_base),
                            float(rate) if rate else self.fps_hint, bytes(codec.extradata or b""))

    def packets(self) -> Iterator[av.Packet]:
        """Compressed packets until the camera ends the stream; ``SourceError`` on a failure."""
        if self._container is None or self._stream is None:
            raise SourceError("not_open")
        try:
            for packet in self._container.demux(self._stream):
                if packet.size:
                    yield packet
        except (av.error.FFmpegError, OSError) as exc:
            raise SourceError(_reason(exc)) from None

    def close(self) -> None:
        if self._container is not None:
            try:
                self._container.close()
            except (av.error.FFmpegError, OSError):
                pass
        self._container = self._stream = None


class KeyframeDecoder:
    """Decodes single key frames (never the frames between them)."""

    def __init__(self, config: StreamConfig) -> None:
        self._ctx = av.CodecContext.create(config.codec, "r")
        self._ctx.thread_count = 1  # frame threads would hold a key frame back until more arrive
        if config.extradata:
            self._ctx.extradata = config.extradata

    def decode(self, packet: av.Packet) -> av.VideoFrame | None:
        try:
            frames = self._ctx.decode(packet)
            if not frames:
                frames = self._ctx.decode(None)  # drain: a key frame stands alone
            self._ctx.flush_buffers()
        except av.error.FFmpegError:
            self._ctx.flush_buffers()
            return None
        return frames[-1] if frames else None


def thumbnail(frame: av.VideoFrame, width: int) -> np.ndarray:
    """A small grey picture of ``frame``, ``width`` pixels wide, aspect kept."""
    height = max(2, round(frame.height * width / max(1, frame.width)))
    return frame.to_ndarray(format="gray", width=width, height=height)
