"""One camera's worker: read packets, queue them by GOP, send them up, check health on key frames.

States: ``connecting`` -> ``live`` -> ``stalled`` (the stream broke) -> ``backoff`` -> ``connecting``
again, forever, also when the camera is down from the start. The worker promises the supervisor a
``deadline`` by which it will show progress again; a worker that misses it is killed and restarted.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zmq

from camera_bridge import wire
from camera_bridge.backoff import Backoff
from camera_bridge.gop_queue import GopQueue
from camera_bridge.health import PictureCheck
from camera_bridge.inflight import InFlight
from camera_bridge.meters import Percentiles, RateMeter
from camera_bridge.redact import install_filter, public_location, url_secrets
from camera_bridge.settings import BridgeSettings
from camera_bridge.source import KeyframeDecoder, RtspSource, SourceError, thumbnail
from camera_bridge.timestamps import TimestampFixer
from camera_bridge.uplink import Uplink

log = logging.getLogger("camera_bridge.worker")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs; the URL itself is read from ``url_env`` inside the worker."""

    camera_id: str
    url_env: str
    stream: str
    fps: int
    uplink_kbps: int
    stall_s: float
    settings: BridgeSettings


class CameraWorker:
    def __init__(self, spec: WorkerSpec, url: str, report: Callable[[dict], None],
                 promise: Callable[[float], None]) -> None:
        self.spec, self.settings = spec, spec.settings
        self._report, self._promise = report, promise
        self.source = RtspSource(url, self.settings.open_timeout_s, self.settings.read_timeout_s, spec.fps)
        self.where = public_location(url)
        budget_bps = spec.uplink_kbps * 1000.0
        self.queue = GopQueue(max_age_s=self.settings.max_delay_s, max_bytes=int(budget_bps / 8 * 8),
                              rate_bps=budget_bps, burst_bytes=max(64 * 1024, int(budget_bps / 8)))
        self.ctx = zmq.Context(io_threads=1)
        self.uplink = Uplink(self.ctx, self.settings, budget_bps)
        self.backoff = Backoff(self.settings.backoff_base_s, self.settings.backoff_cap_s)
        self.picture = PictureCheck(self.settings.health)
        self.rate = RateMeter()
        self.inflight = InFlight()
        self.latency = Percentiles(window_s=10.0)  # read -> confirmed by the receiver
        self.state = "connecting"
        self.reason: str | None = None
        self.reconnects = 0
        self.last_packet: float | None = None
        self.config: wire.StreamConfig | None = None
        self._next_report = 0.0
        self._last_check = float("-inf")
        self._last_preview = float("-inf")

    # ---- main loop ------------------------------------------------------------------------
    def run(self) -> None:
        self._report(self.figures(time.monotonic()))
        attempt = 0
        while True:
            if attempt:
                self.reconnects += 1
            attempt += 1
            self._set_state("connecting")
            self._promise(time.monotonic() + self.settings.open_timeout_s + self.spec.stall_s)
            try:
                self.config = self.source.open()
            except SourceError as exc:
                self._failed("backoff", exc.reason)
                continue
            try:
                self._stream()
                reason = "end_of_stream"
            except SourceError as exc:
                reason = exc.reason
            self.source.close()
            self._failed("stalled", reason)

    def _failed(self, state: str, reason: str) -> None:
        if reason != self.reason or state == "stalled":
            log.warning("camera %s (%s): %s; retrying", self.spec.camera_id, self.where, reason)
        self.reason = reason
        self._set_state(state)
        delay = self.backoff.next()
        self._set_state("backoff")
        self._wait(delay)

    def _stream(self) -> None:
        config = self.config
        assert config is not None
        now = time.monotonic()
        self._promise(now + self.settings.read_timeout_s + self.spec.stall_s)
        session = random.getrandbits(32)
        fixer = TimestampFixer(round(1 / (config.fps * config.time_base)) if config.fps else 1)
        decoder = KeyframeDecoder(config)
        self.queue.flush()
        self.picture.reset()
        seq = 0
        for packet in self.source.packets():
            now, wall = time.monotonic(), time.time()
            self._promise(now + self.spec.stall_s)
            self.last_packet = now
            if self.state != "live":
                self.backoff.reset()
                self.reason = None
                self._set_state("live")
                log.info("camera %s live: %s %dx%d %.1f fps", self.spec.camera_id, config.codec,
                         config.width, config.height, config.fps)
            key = packet.is_keyframe
            pts, dts = fixer.fix(packet.pts, packet.dts)
            header = wire.Header(self.spec.camera_id, session, seq, pts, dts, wall, key)
            seq += 1
            self._collect_acks(now)
            self.queue.offer((header, wire.encode(header, packet, config if key else None)), packet.size, key,
                             now, backlog_s=self.inflight.oldest_age(now))
            self.rate.add(now, packet.size)
            if key and now - self._last_check >= self.settings.health.check_every_s:
                self._last_check = now
                self._check(decoder, packet, now)
            self._pump(now)

    # ---- uplink and health ------------------------------------------------------------------
    def _pump(self, now: float) -> None:
        if self.uplink.poll_events(now):
            self.queue.flush()  # what was in flight is lost: resume on a key frame
            self.inflight.clear()
        self._collect_acks(now)
        while (head := self.queue.peek(now)) is not None:
            header, parts = head.item
            if not self.uplink.try_send(parts):
                break
            self.queue.pop()
            self.inflight.sent(header.session, header.seq, head.enqueued)
        if now >= self._next_report:
            self._next_report = now + self.settings.report_every_s
            self._report(self.figures(now))

    def _collect_acks(self, now: float) -> None:
        for session, seq in self.uplink.acks():
            latency = self.inflight.acked(session, seq, now)
            if latency is not None:
                self.latency.add(now, latency)

    def _check(self, decoder: KeyframeDecoder, packet, now: float) -> None:
        frame = decoder.decode(packet)
        if frame is None:
            return
        self.picture.observe(thumbnail(frame, self.settings.health.thumb_width), now)
        health = self.settings.health
        if health.preview_dir is not None and now - self._last_preview >= health.preview_every_s:
            self._last_preview = now
            write_preview(frame, health.preview_dir / f"{self.spec.camera_id}.jpg", health.preview_width)

    def _wait(self, delay: float) -> None:
        end = time.monotonic() + delay
        self._promise(end + self.spec.stall_s)
        while (now := time.monotonic()) < end:
            self._pump(now)
            time.sleep(min(0.2, end - now))

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._next_report = 0.0  # a state change is reported at once
            self._pump(time.monotonic())

    def figures(self, now: float) -> dict:
        fps, kbps = self.rate.rates(now)
        c = self.queue.counters
        config = self.config
        return {
            "camera": self.spec.camera_id, "state": self.state, "reason": self.reason,
            "picture": self.picture.verdict if self.state == "live" else "ok",
            "since_packet_s": None if self.last_packet is None else round(now - self.last_packet, 3),
            "fps": round(fps, 2), "kbps": round(kbps, 1),
            "packets": c.packets_in, "bytes_sent": c.bytes_sent, "packets_sent": c.packets_sent,
            "dropped_packets": c.dropped_packets, "dropped_bytes": c.dropped_bytes,
            "dropped_gops": c.dropped_gops, "cut_gops": c.cut_gops, "reconnects": self.reconnects,
            "backlog_ms": round(max(self.queue.oldest_age(now), self.inflight.oldest_age(now)) * 1000),
            "latency_ms_p95": _ms(self.latency.summary(now)["p95"]),
            "uplink": self.uplink.state, "stream": self.spec.stream,
            "codec": config.codec if config else None,
            "width": config.width if config else None, "height": config.height if config else None,
        }


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value * 1000)


def write_preview(frame, path: Path, width: int) -> None:
    """A JPEG of ``frame``, ``width`` pixels wide, replaced atomically."""
    height = max(2, round(frame.height * width / max(1, frame.width)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_image(width=width, height=height).save(tmp, format="JPEG", quality=70)
    os.replace(tmp, path)


def worker_main(spec: WorkerSpec, conn, deadline) -> None:
    """Process entry point: ``conn`` carries reports to the supervisor, ``deadline`` the promise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when workers stop
    logging.basicConfig(level=os.environ.get("MOTCUA_LOG", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = os.environ.get(spec.url_env, "")
    install_filter(url_secrets(url))

    def promise(at: float) -> None:
        deadline.value = at

    CameraWorker(spec, url, conn.send, promise).run()
