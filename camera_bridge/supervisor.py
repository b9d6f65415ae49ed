"""The supervisor: one worker process per camera, a watchdog over each, and debounced health.

A worker promises a deadline (monotonic clock, shared memory) by which it will show progress: a
packet, a connect attempt, the end of a backoff. One that misses it (hung in a native call,
stopped, deadlocked) is killed and restarted; one that exits is restarted, both with capped
backoff. Reports from workers become ``camera/{id}/health`` payloads through ``publish``, with
hysteresis, on every change of state and every ``publish_every_s``.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from camera_bridge.backoff import Backoff
from camera_bridge.health import HealthTracker, raw_state
from camera_bridge.settings import BridgeSettings
from camera_bridge.worker import WorkerSpec, worker_main

log = logging.getLogger("camera_bridge.supervisor")

PublishHealth = Callable[[str, dict], None]
COUNTERS = ("packets", "packets_sent", "bytes_sent", "dropped_packets", "dropped_bytes",
            "dropped_gops", "cut_gops", "reconnects")
STABLE_S = 30.0  # a worker up this long has its restart backoff reset


def mp_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a clean server that has the heavy modules loaded once (shared pages)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["camera_bridge.worker"])
    return ctx


@dataclass
class Slot:
    """One camera's worker, its history and its published health."""

    spec: WorkerSpec
    tracker: HealthTracker
    backoff: Backoff
    process: multiprocessing.process.BaseProcess | None = None
    conn: object | None = None
    deadline: object | None = None
    started: float = 0.0
    next_start: float = 0.0
    restarts: int = 0
    watchdog_kills: int = 0
    report: dict = field(default_factory=dict)
    report_at: float = 0.0
    base: dict = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    last_publish: float = float("-inf")


class Supervisor:
    def __init__(self, specs: list[WorkerSpec], settings: BridgeSettings, publish: PublishHealth,
                 clock: Callable[[], str]) -> None:
        self.settings, self.publish, self.clock = settings, publish, clock
        self.ctx = mp_context()
        health = settings.health
        self.slots = {
            s.camera_id: Slot(s, HealthTracker(health.enter_s, health.clear_s),
                              Backoff(settings.backoff_base_s, settings.backoff_cap_s))
            for s in specs
        }
        self._stop = threading.Event()

    # ---- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Supervise until ``stop()``; then stop every worker."""
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                for slot in self.slots.values():
                    self._keep_alive(slot, now)
                conns = [s.conn for s in self.slots.values() if s.conn is not None]
                for conn in wait(conns, timeout=0.5) if conns else self._idle():
                    self._receive(conn)
                now = time.monotonic()
                for slot in self.slots.values():
                    self._judge(slot, now)
        finally:
            for slot in self.slots.values():
                self._end_worker(slot, kill=False)

    def stop(self) -> None:
        self._stop.set()

    def _idle(self) -> list:
        self._stop.wait(0.5)
        return []

    # ---- workers --------------------------------------------------------------------------
    def _start(self, slot: Slot, now: float) -> None:
        receiver, sender = self.ctx.Pipe(duplex=False)
        deadline = self.ctx.RawValue("d", now + self.settings.open_timeout_s + slot.spec.stall_s + 10)
        process = self.ctx.Process(target=worker_main, args=(slot.spec, sender, deadline),
                                   name=f"camera-{slot.spec.camera_id}", daemon=True)
        process.start()
        sender.close()
        slot.process, slot.conn, slot.deadline, slot.started = process, receiver, deadline, now
        log.info("camera %s: worker started (pid %s)", slot.spec.camera_id, process.pid)

    def _keep_alive(self, slot: Slot, now: float) -> None:
        process = slot.process
        if process is None:
            if now >= slot.next_start:
                self._start(slot, now)
            return
        if process.exitcode is not None:
            log.warning("camera %s: worker exited (code %s); restarting", slot.spec.camera_id, process.exitcode)
            self._schedule_restart(slot, now)
        elif now > slot.deadline.value:
            slot.watchdog_kills += 1
            log.warning("camera %s: worker made no progress for %.0f s; killing and restarting",
                        slot.spec.camera_id, now - slot.deadline.value + slot.spec.stall_s)
            self._schedule_restart(slot, now)

    def _schedule_restart(self, slot: Slot, now: float) -> None:
        self._end_worker(slot, kill=True)
        if now - slot.started > STABLE_S:
            slot.backoff.reset()
        slot.restarts += 1
        slot.next_start = now + slot.backoff.next()

    def _end_worker(self, slot: Slot, kill: bool) -> None:
        process = slot.process
        if process is None:
            return
        if process.exitcode is None:
            process.kill() if kill else process.terminate()
            process.join(5)
            if process.exitcode is None:
                process.kill()
                process.join(5)
        for name in COUNTERS:  # totals survive the worker
            slot.base[name] += int(slot.report.get(name) or 0)
        slot.report = {k: v for k, v in slot.report.items() if k not in COUNTERS}
        slot.report["state"] = "stalled"
        if slot.conn is not None:
            slot.conn.close()
        slot.process = slot.conn = slot.deadline = None

    def _receive(self, conn) -> None:
        slot = next(s for s in self.slots.values() if s.conn is conn)
        try:
            while conn.poll():
                slot.report, slot.report_at = conn.recv(), time.monotonic()
        except (EOFError, OSError):
            conn.close()
            slot.conn = None  # the worker is gone; _keep_alive restarts it

    # ---- health ---------------------------------------------------------------------------
    def _judge(self, slot: Slot, now: float) -> None:
        report = slot.report
        first_try = (report.get("state", "connecting") == "connecting" and not report.get("reconnects")
                     and report.get("since_packet_s") is None and slot.restarts == 0)
        if first_try and now - slot.started < self.settings.open_timeout_s + slot.spec.stall_s:
            return  # nothing is published before the first connection attempt has ended
        since = report.get("since_packet_s")
        since = float("inf") if since is None else since + (now - slot.report_at)
        raw = raw_state(report.get("state", "connecting"), report.get("picture", "ok"), since,
                        self.settings.health.offline_after_s,
                        stall_after_s=self.settings.read_timeout_s + 2 * self.settings.report_every_s)
        changed = slot.tracker.update(raw, now)
        if changed is not None or now - slot.last_publish >= self.settings.health.publish_every_s:
            if changed is not None:
                log.info("camera %s: %s", slot.spec.camera_id, changed)
            slot.last_publish = now
            self.publish(slot.spec.camera_id, self.payload(slot))

    def payload(self, slot: Slot) -> dict:
        report = slot.report
        body = {
            "camera": slot.spec.camera_id, "state": slot.tracker.published,
            "fps": report.get("fps", 0.0) if report.get("state") == "live" else 0.0,
            "kbps": report.get("kbps", 0.0) if report.get("state") == "live" else 0.0,
            "at": self.clock(),
            "detail": report.get("reason"), "stream": slot.spec.stream,
            "worker": report.get("state", "connecting"), "uplink": report.get("uplink"),
            "restarts": slot.restarts, "watchdog_kills": slot.watchdog_kills,
            "backlog_ms": report.get("backlog_ms"), "latency_ms_p95": report.get("latency_ms_p95"),
            "codec": report.get("codec"), "width": report.get("width"), "height": report.get("height"),
        }
        for name in COUNTERS:
            body[name] = slot.base[name] + int(report.get(name) or 0)
        return body
