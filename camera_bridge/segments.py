"""Rolling segments of one camera, written from compressed packets without re-encoding.

A segment starts on a key frame and is cut at the first key frame after ``segment_s``, or at once
when the stream starts over (a new session after a reconnect, new codec parameters, time going
back). Packets that cannot be decoded without what was lost (after a gap, before any key frame)
are skipped until the next key frame. Only ``keep`` segments are kept. MPEG-TS segments are also
listed in an HLS playlist (``index.m3u8``; ended with ``#EXT-X-ENDLIST`` when the receiver stops)
so any HLS player can play them from the receiver's HTTP re-serve or any web server.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

import av

from camera_bridge.wire import Header, StreamConfig

log = logging.getLogger("camera_bridge.segments")

MP4_OPTIONS = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}  # playable if cut short
PARAMETER_SET_NALS = {"h264": {7, 8}, "hevc": {32, 33, 34}}


def nal_types(codec: str, data: bytes, limit: int = 8) -> set[int]:
    """Types of the first ``limit`` NAL units of an Annex B buffer."""
    found: set[int] = set()
    start = 0
    while len(found) < limit:
        i = data.find(b"\x00\x00\x01", start)
        if i < 0 or i + 3 >= len(data):
            break
        byte = data[i + 3]
        found.add(byte & 0x1F if codec == "h264" else (byte >> 1) & 0x3F)
        start = i + 3
    return found


def with_parameter_sets(config: StreamConfig, payload: bytes) -> bytes:
    """A key frame that carries its SPS/PPS (and VPS) in-band, as MPEG-TS needs."""
    wanted = PARAMETER_SET_NALS[config.codec]
    annex_b = config.extradata.startswith((b"\x00\x00\x01", b"\x00\x00\x00\x01"))
    if not annex_b or wanted & nal_types(config.codec, payload) == wanted:
        return payload
    return config.extradata + payload


@dataclass
class Segment:
    path: Path
    duration: float
    discontinuity: bool


class SegmentWriter:
    def __init__(self, directory: Path, segment_s: float, keep: int, fmt: str) -> None:
        self.directory, self.segment_s, self.keep, self.fmt = directory, segment_s, keep, fmt
        directory.mkdir(parents=True, exist_ok=True)
        self.segments: list[Segment] = []
        self._old = sorted(p for p in directory.glob(f"*.{fmt}"))  # from earlier runs: rolled out first
        self._sequence = 0
        self._out: av.container.OutputContainer | None = None
        self._stream = None
        self._path: Path | None = None
        self._config: StreamConfig | None = None
        self._session: int | None = None
        self._next_seq: int | None = None
        self._first_pts = self._last_pts = self._last_dts = 0
        self._waiting_key = True
        self._pending_break = False  # the next segment does not continue the previous one
        self._open_break = False  # the open segment does not continue the previous one
        self.frames_written = 0
        self.skipped = 0
        self.segments_done = 0

    def write(self, header: Header, payload: bytes, config: StreamConfig | None) -> None:
        if config is not None and config != self._config:
            self._config = config
            self._cut(discontinuity=self._out is not None)
        new_session = header.session != self._session
        gap = not new_session and self._next_seq is not None and header.seq != self._next_seq
        self._session, self._next_seq = header.session, header.seq + 1
        if new_session:
            self._cut(discontinuity=True)
        if gap or new_session:
            self._waiting_key = True
        if self._config is None or (self._waiting_key and not header.key):
            self.skipped += 1
            return
        self._waiting_key = False
        if self._out is not None and header.dts <= self._last_dts:
            self._cut(discontinuity=True)
        if header.key and self._out is not None and self._elapsed(header.pts) >= self.segment_s:
            self._cut(discontinuity=False)
        if self._out is None:
            self._open(header)
        if header.key:
            payload = with_parameter_sets(self._config, payload)
        packet = av.Packet(payload)
        packet.pts, packet.dts = header.pts, header.dts
        packet.time_base = self._config.time_base
        packet.stream = self._stream
        packet.is_keyframe = header.key
        self._out.mux(packet)
        self._last_pts, self._last_dts = max(self._last_pts, header.pts), header.dts
        self.frames_written += 1

    def _elapsed(self, pts: int) -> float:
        return float((pts - self._first_pts) * self._config.time_base)

    def _open(self, header: Header) -> None:
        config = self._config
        assert config is not None
        name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}Z-{self._sequence:06d}.{self.fmt}"
        self._path = self.directory / name
        self._out = av.open(str(self._path), "w", format="mpegts" if self.fmt == "ts" else "mp4",
                            options=MP4_OPTIONS if self.fmt == "mp4" else {})
        rate = Fraction(config.fps).limit_denominator(1001) if config.fps > 0 else None
        self._stream = self._out.add_mux_stream(config.codec, rate=rate, width=config.width,
                                                height=config.height)
        self._stream.time_base = config.time_base
        self._first_pts = self._last_pts = header.pts
        self._last_dts = header.dts - 1
        self._open_break, self._pending_break = self._pending_break and self._sequence > 0, False

    def _cut(self, discontinuity: bool) -> None:
        """Close the open segment (if any); the next one is marked as a discontinuity if asked."""
        self._pending_break = self._pending_break or discontinuity
        if self._out is None:
            return
        frame = 1 / self._config.fps if self._config.fps > 0 else 0
        duration = self._elapsed(self._last_pts) + frame
        try:
            self._out.close()
        except av.error.FFmpegError as exc:
            log.warning("closing %s failed: %s", self._path, exc)
        self.segments.append(Segment(self._path, duration, self._open_break))
        self._sequence += 1
        self.segments_done += 1
        self._out = self._stream = None
        self._roll()

    def _roll(self) -> None:
        while len(self._old) + len(self.segments) > self.keep:
            victim = self._old.pop(0) if self._old else self.segments.pop(0).path
            victim.unlink(missing_ok=True)
        if self.fmt == "ts":
            self._write_playlist()

    def _write_playlist(self, ended: bool = False) -> None:
        target = max((math.ceil(s.duration) for s in self.segments), default=1)
        first = self._sequence - len(self.segments)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{max(1, target)}",
                 f"#EXT-X-MEDIA-SEQUENCE:{first}"]
        for segment in self.segments:
            if segment.discontinuity:
                lines.append("#EXT-X-DISCONTINUITY")
            lines += [f"#EXTINF:{segment.duration:.3f},", segment.path.name]
        if ended:
            lines.append("#EXT-X-ENDLIST")
        tmp = self.directory / "index.m3u8.tmp"
        tmp.write_text("\n".join(lines) + "\n", encoding="ascii")
        os.replace(tmp, self.directory / "index.m3u8")

    def abort(self) -> None:
        """After a write error: finish the open segment; writing resumes at the next key frame."""
        self._cut(discontinuity=True)
        self._waiting_key = True

    def close(self) -> None:
        """The end of this run: finish the open segment and mark the playlist as ended."""
        self._cut(discontinuity=False)
        if self.fmt == "ts" and self.segments:
            self._write_playlist(ended=True)
