"""The provincial receiver: a CurveZMQ ROUTER socket that offices dial, one segment writer per
camera, and an acknowledgement of every packet back to its sender (the bridge bounds its backlog
with them; they are cumulative, so a lost one costs nothing).

Only allow-listed office keys get through; every message is filed under the office its key
belongs to (the ZAP User-Id), never under a name the sender chose. Per camera it keeps packets,
bytes, gaps (packets the bridge dropped), sessions and end-to-end latency (receive time minus the
bridge's read time; both clocks must be NTP-synchronised), writes them to ``stats.json`` in the
segment folder and logs them once a minute. Optionally re-serves the segment folder over HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import av
import zmq

from camera_bridge import wire
from camera_bridge.allowlist import AllowList, OfficeAuthenticator
from camera_bridge.keys import load_secret
from camera_bridge.meters import Percentiles, RateMeter
from camera_bridge.segments import SegmentWriter
from camera_bridge.settings import ReceiverSettings

log = logging.getLogger("camera_bridge.receiver")
LOG_EVERY_S = 60.0


@dataclass
class CameraFeed:
    office: str
    camera: str
    writer: SegmentWriter
    packets: int = 0
    bytes: int = 0
    key_frames: int = 0
    missing: int = 0  # packets the bridge read but did not send (whole GOPs)
    gaps: int = 0
    sessions: int = 0
    write_errors: int = 0
    last_wall: float | None = None
    latency: Percentiles = field(default_factory=Percentiles)
    rate: RateMeter = field(default_factory=RateMeter)
    _session: int | None = None
    _next_seq: int | None = None

    def take(self, header: wire.Header, size: int, now: float, mono: float) -> None:
        self.packets += 1
        self.bytes += size
        self.key_frames += header.key
        if header.session != self._session:
            self.sessions += 1
        elif self._next_seq is not None and header.seq > self._next_seq:
            self.gaps += 1
            self.missing += header.seq - self._next_seq
        self._session, self._next_seq = header.session, header.seq + 1
        self.last_wall = now
        self.latency.add(mono, now - header.wall)
        self.rate.add(mono, size)

    def figures(self, now: float, mono: float) -> dict:
        fps, kbps = self.rate.rates(mono)
        return {
            "office": self.office, "camera": self.camera, "packets": self.packets, "bytes": self.bytes,
            "key_frames": self.key_frames, "missing": self.missing, "gaps": self.gaps,
            "sessions": self.sessions, "fps": round(fps, 2), "kbps": round(kbps, 1),
            "latency_s": self.latency.summary(mono),
            "last_packet_age_s": None if self.last_wall is None else round(now - self.last_wall, 3),
            "frames_written": self.writer.frames_written, "skipped": self.writer.skipped,
            "segments": self.writer.segments_done, "write_errors": self.write_errors,
        }


class Receiver:
    def __init__(self, settings: ReceiverSettings) -> None:
        self.settings = settings
        self.ctx = zmq.Context()
        self.allow = AllowList(settings.allow_dir)
        self.auth = OfficeAuthenticator(self.ctx, self.allow)
        self.auth.start()
        public, secret = load_secret(settings.server_key)
        sock = self.ctx.socket(zmq.ROUTER)
        sock.curve_server = True
        sock.curve_publickey, sock.curve_secretkey = public, secret
        sock.rcvhwm = settings.rcvhwm
        sock.linger = 0
        sock.heartbeat_ivl = 2000
        sock.heartbeat_timeout = 6000
        sock.bind(settings.bind)
        self.sock = sock
        self.feeds: dict[tuple[str, str], CameraFeed] = {}
        self.bad_messages = 0
        self.http: ThreadingHTTPServer | None = None
        self._stop = threading.Event()

    def serve_http(self) -> int:
        """Re-serve the segment folder on 127.0.0.1; returns the port."""
        handler = partial(_QuietHandler, directory=str(self.settings.segment_dir))
        self.http = ThreadingHTTPServer(("127.0.0.1", self.settings.http_port or 0), handler)
        threading.Thread(target=self.http.serve_forever, name="segment-http", daemon=True).start()
        return self.http.server_address[1]

    def run(self) -> None:
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        next_stats = next_log = time.monotonic()
        try:
            while not self._stop.is_set():
                if poller.poll(200):
                    self._drain()
                mono = time.monotonic()
                if mono >= next_stats:
                    next_stats = mono + self.settings.stats_every_s
                    self.write_stats(log_it=mono >= next_log)
                    if mono >= next_log:
                        next_log = mono + LOG_EVERY_S
        finally:
            self.close()

    def stop(self) -> None:
        self._stop.set()

    def _drain(self) -> None:
        for _ in range(1000):
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            self.handle(frames)

    def handle(self, frames: list[zmq.Frame]) -> None:
        """One message: [routing id, header, packet, (config)] from an admitted office."""
        office = frames[-1].get("User-Id")
        try:
            header, payload, config = wire.decode([f.bytes for f in frames[1:]])
        except wire.WireError as exc:
            self.bad_messages += 1
            if self.bad_messages == 1 or self.bad_messages % 1000 == 0:
                log.warning("office %s sent a bad message (%d so far): %s", office, self.bad_messages, exc)
            return
        if not office:
            self.bad_messages += 1
            return
        feed = self.feeds.get((office, header.camera))
        if feed is None:
            directory = self.settings.segment_dir / office / header.camera
            feed = CameraFeed(office, header.camera, SegmentWriter(
                directory, self.settings.segment_s, self.settings.keep_segments, self.settings.format))
            self.feeds[(office, header.camera)] = feed
            log.info("first packets from %s/%s", office, header.camera)
        feed.take(header, len(payload), time.time(), time.monotonic())
        try:
            self.sock.send_multipart([frames[0].bytes, wire.encode_ack(header.session, header.seq)], zmq.NOBLOCK)
        except zmq.ZMQError:
            pass  # the office went away; it will dial again
        try:
            feed.writer.write(header, payload, config)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            feed.write_errors += 1
            log.warning("%s/%s: writing failed (%s); starting a new segment", office, header.camera, exc)
            feed.writer.abort()

    def write_stats(self, log_it: bool = False) -> dict:
        now, mono = time.time(), time.monotonic()
        cameras = {f"{o}/{c}": feed.figures(now, mono) for (o, c), feed in self.feeds.items()}
        stats = {"at": now, "refused_keys": self.allow.refused, "bad_messages": self.bad_messages,
                 "cameras": cameras}
        path = self.settings.segment_dir / "stats.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        if log_it:
            for name, fig in cameras.items():
                log.info("%s: %d packets, %.1f fps, %.0f kbit/s, %d missing, latency p95 %s s, %d segments",
                         name, fig["packets"], fig["fps"], fig["kbps"], fig["missing"],
                         fig["latency_s"]["p95"], fig["segments"])
        return stats

    def close(self) -> None:
        for feed in self.feeds.values():
            feed.writer.close()
        self.write_stats()
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()
        self.sock.close(linger=0)
        self.auth.stop()
        self.ctx.term()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        return
