"""Load on the provincial centre: 300 offices × 5 counters at a busy hour, on this machine.

Everything is local (loopback) and bounded: a private PostgreSQL cluster, a private Mosquitto,
``python -m province run`` as its own process, and this script publishing what ticketd and the
office devices publish (``province.simulate.busy_hour``).

Phase A (burst): the whole busy hour of every office is published as fast as possible; we time
it until every ticket and rating event is in PostgreSQL (end-to-end absorption rate), and sample
the dashboard's latency meanwhile. Phase B (catch-up): the aggregator is stopped, the next
minutes are published (the broker keeps them in the aggregator's persistent session, as after
a bridge or aggregator outage), then it is started again and we time how fast it drains them.
Phase C (steady): the next minutes are published at the pace of a whole province (3,321
communes in real time); we sample the dashboard's latency: the time from publishing an office's
hall state to the server-sent update that shows it in a browser. CPU seconds of the aggregator
and of PostgreSQL are read from /proc, so the cost per message holds on a busier machine too.

    python bench/province_load.py [--offices 300] [--counters 5] [--minutes 60] [--json FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import psycopg
from common import ROOT, percentile
from paho.mqtt.enums import CallbackAPIVersion

from motcua.broker import LocalBroker, free_port
from province.pgcluster import LocalPostgres
from province.simulate import busy_hour

COMMUNES = 3321
START = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
MARKER_OFFICE = "xa-0000"


class BenchBroker(LocalBroker):
    """The test broker, with an unbounded queue: a burst must not be cut by the broker's limit."""

    def _write_config(self) -> Path:
        conf = super()._write_config()
        conf.write_text(conf.read_text().replace("max_queued_messages 100000", "max_queued_messages 0"))
        return conf


class Publisher:
    """One MQTT 5 connection publishing at QoS 1 with a bounded window of unacknowledged messages
    (paho's message ids wrap at 65,535, so its own queue must stay below that)."""

    def __init__(self, port: int, name: str, window: int = 2000) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{name}-{os.getpid()}",
                                  protocol=mqtt.MQTTv5)
        self.client.max_inflight_messages_set(window)
        self.client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._window = threading.BoundedSemaphore(window)
        self.client.on_publish = lambda *_args: self._window.release()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self._last: mqtt.MQTTMessageInfo | None = None

    def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        self._window.acquire()
        self._last = self.client.publish(topic, payload, 1, retain)

    def flush(self, timeout: float = 120) -> None:
        if self._last is not None:
            self._last.wait_for_publish(timeout)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class DashboardWatcher:
    """A browser's event stream: records when each marker value of the marker office arrives."""

    def __init__(self, port: int, cookie: str) -> None:
        self.seen: dict[int, float] = {}
        self.updates = 0
        self.bytes = 0
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self._conn.request("GET", "/events?v=0", headers={"Cookie": cookie})
        self._response = self._conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self._response:
                if not line.startswith(b"data: "):
                    continue
                now = time.perf_counter()
                self.updates += 1
                self.bytes += len(line)
                figures = json.loads(line[6:]).get("figures", {}).get(MARKER_OFFICE)
                if figures:
                    self.seen.setdefault(figures["waiting"], now)
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        self._conn.close()


def latencies(sent: dict[int, float], seen: dict[int, float]) -> list[float]:
    """For each marker sent, the time until it or a later one was on screen (updates coalesce)."""
    out = []
    for value, at in sent.items():
        shown = [t for v, t in seen.items() if v >= value and t >= at]
        if shown:
            out.append(min(shown) - at)
    return out


def marker(publisher: Publisher, value: int, at: datetime) -> float:
    payload = {"recent": [], "serving": [], "waiting_total": value, "updated_at": at.isoformat()}
    publisher.publish(f"motcua/{MARKER_OFFICE}/hall", json.dumps(payload).encode(), True)
    return time.perf_counter()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(postmaster: int) -> float:
    total = cpu_seconds(postmaster)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
    return total


def events_in(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT (SELECT count(*) FROM ticket_events) + (SELECT count(*) FROM ratings)").fetchone()[0]


def storage(dsn: str) -> dict[str, dict[str, float]]:
    """Rows and bytes (table + indexes) per row of each partitioned table."""
    out = {}
    with psycopg.connect(dsn) as conn:
        for table in ("ticket_events", "tickets", "ratings"):
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            size = conn.execute("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                                "WHERE inhparent = %s::regclass", (table,)).fetchone()[0]
            out[table] = {"rows": rows, "bytes": int(size), "bytes_per_row": round(float(size) / rows, 1) if rows else 0}
    return out


def cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "province", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=True)
    return done.stdout.strip()


def login_cookie(url: str) -> str:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", f"{parts.path}?{parts.query}")
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie")
    conn.close()
    if not cookie:
        raise RuntimeError("the login link did not log in")
    return cookie.split(";")[0]


def describe(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    return {"n": len(samples), "p50_ms": round(percentile(samples, 50) * 1000, 1),
            "p95_ms": round(percentile(samples, 95) * 1000, 1), "max_ms": round(max(samples) * 1000, 1)}


def run(options: argparse.Namespace) -> dict:
    total_minutes = options.minutes + options.outage_minutes + options.steady_minutes
    stream = list(busy_hour(options.offices, options.counters, total_minutes, START))
    burst_end = START + timedelta(minutes=options.minutes)
    outage_end = burst_end + timedelta(minutes=options.outage_minutes)
    burst = [m for m in stream if m[0] < burst_end]
    outage = [m for m in stream if burst_end <= m[0] < outage_end]
    steady = [m for m in stream if m[0] >= outage_end]
    expected = sum(1 for _at, topic, _raw, _r in burst if "/event/" in topic)
    real_rate = len(burst) / (options.minutes * 60)  # messages/s of these offices in real time
    province_rate = real_rate * COMMUNES / options.offices
    result: dict = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf(
            "SC_PHYS_PAGES") / 2 ** 30, 1), "cpu": _cpu_model(), "python": platform.python_version()},
        "offices": options.offices, "counters": options.counters, "busy_minutes": options.minutes,
        "burst_messages": len(burst), "burst_events": expected,
        "mean_message_bytes": round(sum(len(m[2]) for m in burst) / len(burst)),
        "real_time_msgs_per_s": round(real_rate, 1), "province_real_time_msgs_per_s": round(province_rate, 1),
    }
    with tempfile.TemporaryDirectory(prefix="motcua-bench-province-") as folder, \
            LocalPostgres() as pg, BenchBroker() as broker:
        dsn = pg.create_database("province")
        http_port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_PROVINCE_DSN=dsn, MOTCUA_MQTT_URL=broker.url,
                   MOTCUA_PROVINCE_HTTP=f"127.0.0.1:{http_port}", MOTCUA_DATA_DIR=folder,
                   MOTCUA_NOW=(START + timedelta(minutes=options.minutes)).isoformat(), MOTCUA_LOG="WARNING")
        cli(env, "add-user", "bench", stdin="bench-password-0123\n")
        log = open(Path(folder) / "province.log", "wb")

        def start_service() -> subprocess.Popen:
            process = subprocess.Popen([sys.executable, "-m", "province", "run"], env=env, cwd=ROOT,
                                       stdout=subprocess.DEVNULL, stderr=log)
            _wait_http(http_port)
            return process

        service = start_service()
        try:
            postmaster = int((pg.datadir / "postmaster.pid").read_text().split()[0])
            publisher = Publisher(broker.port, "offices")
            probe = Publisher(broker.port, "marker")  # the marker office's own connection: not behind the burst
            # warm-up: every office's opening state, so the dashboard has its rows
            opening = [m for m in burst if m[0] == START]
            for _at, topic, raw, retain in opening:
                publisher.publish(topic, raw, retain)
            publisher.flush()
            _wait(lambda: _offices(dsn) == options.offices, 120)
            watcher = DashboardWatcher(http_port, login_cookie(cli(env, "login-link", "bench")))
            time.sleep(1.0)

            # phase A: the busy hour, as fast as possible
            cpu_agg, cpu_pg = cpu_seconds(service.pid), postgres_cpu_seconds(postmaster)
            load_before = os.getloadavg()[0]
            sent: dict[int, float] = {}
            value = 100_000
            t0 = time.perf_counter()
            next_marker = t0
            for index, (_at, topic, raw, retain) in enumerate(burst[len(opening):]):
                publisher.publish(topic, raw, retain)
                if index % 500 == 0 and time.perf_counter() >= next_marker:
                    value += 1
                    sent[value] = marker(probe, value, burst_end + timedelta(seconds=value - 100_000))
                    next_marker = time.perf_counter() + 0.5
            publisher.flush()
            t_published = time.perf_counter()
            _wait(lambda: events_in(dsn) >= expected, options.max_seconds)
            t_done = time.perf_counter()
            cpu_agg, cpu_pg = cpu_seconds(service.pid) - cpu_agg, postgres_cpu_seconds(postmaster) - cpu_pg
            absorbed = events_in(dsn)
            time.sleep(2)
            burst_latency = latencies(sent, watcher.seen)
            elapsed = t_done - t0
            result["burst"] = {
                "publish_seconds": round(t_published - t0, 2), "absorb_seconds": round(elapsed, 2),
                "messages_per_s": round((len(burst) - len(opening)) / elapsed), "events_per_s": round(expected / elapsed),
                "events_in_postgres": absorbed, "events_expected": expected,
                "times_real_time": round(options.minutes * 60 / elapsed, 1),
                "aggregator_cpu_s": round(cpu_agg, 1), "postgres_cpu_s": round(cpu_pg, 1),
                "aggregator_cpu_us_per_msg": round(cpu_agg / len(burst) * 1e6),
                "postgres_cpu_us_per_msg": round(cpu_pg / len(burst) * 1e6),
                "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "dashboard_latency": describe(burst_latency), "markers_sent": len(sent),
            }

            # phase B: the aggregator is down while offices publish; then it catches up
            watcher.close()
            service.terminate()
            service.wait(timeout=60)
            before = events_in(dsn)
            outage_events = sum(1 for _at, topic, _raw, _r in outage if "/event/" in topic)
            for _at, topic, raw, retain in outage:
                publisher.publish(topic, raw, retain)
            publisher.flush()
            t0 = time.perf_counter()
            service = start_service()
            t_up = time.perf_counter()
            cpu_agg, cpu_pg = cpu_seconds(service.pid), postgres_cpu_seconds(postmaster)
            _wait(lambda: events_in(dsn) >= before + outage_events, options.max_seconds)
            drained = time.perf_counter() - t0
            result["catch_up"] = {
                "messages": len(outage), "events": outage_events, "seconds": round(drained, 2),
                "startup_seconds": round(t_up - t0, 2), "messages_per_s": round(len(outage) / drained),
                "events_per_s": round(outage_events / drained),
                "events_in_postgres": events_in(dsn) - before,
                "aggregator_cpu_us_per_msg": round((cpu_seconds(service.pid) - cpu_agg) / len(outage) * 1e6),
                "postgres_cpu_us_per_msg": round((postgres_cpu_seconds(postmaster) - cpu_pg) / len(outage) * 1e6),
            }
            watcher = DashboardWatcher(http_port, login_cookie(cli(env, "login-link", "bench")))
            time.sleep(1.0)

            # phase C: a whole province's real-time pace, dashboard latency
            pace = province_rate
            sent = {}
            value = 200_000
            t0 = time.perf_counter()
            deadline = t0 + options.steady_seconds
            count = 0
            next_marker = t0 + 0.25
            for _at, topic, raw, retain in steady:
                now = time.perf_counter()
                if now >= deadline:
                    break
                due = t0 + count / pace
                if due > now:
                    time.sleep(due - now)
                publisher.publish(topic, raw, retain)
                count += 1
                if time.perf_counter() >= next_marker:
                    value += 1
                    sent[value] = marker(probe, value, outage_end + timedelta(hours=1, seconds=value - 200_000))
                    next_marker = time.perf_counter() + 0.5
            t_end = time.perf_counter()
            publisher.flush()
            time.sleep(3)
            steady_latency = latencies(sent, watcher.seen)
            result["steady"] = {
                "target_msgs_per_s": round(pace), "achieved_msgs_per_s": round(count / (t_end - t0)),
                "seconds": options.steady_seconds, "dashboard_latency": describe(steady_latency),
                "markers_sent": len(sent), "markers_shown": len(steady_latency),
                "sse_updates": watcher.updates, "sse_mean_update_bytes": round(watcher.bytes / max(watcher.updates, 1)),
            }
            result["steady"]["load_average_1m"] = round(os.getloadavg()[0], 1)
            result["storage"] = storage(dsn)
            result["overview_query_ms"] = _overview_ms(dsn)
            result["broker_cpu_us_per_msg"] = round(cpu_seconds(broker.process.pid) / (len(burst) + len(outage)
                                                                                     + count) * 1e6)
            watcher.close()
            publisher.close()
            probe.close()
        finally:
            service.terminate()
            service.wait(timeout=60)
        if options.province_minutes:
            result["province_view"] = province_view(pg, COMMUNES, options.counters, options.province_minutes)
    return result


def province_view(pg: LocalPostgres, communes: int, counters: int, minutes: float) -> dict:
    """Phase D: a whole province's offices in the database (written straight through the store),
    then what one dashboard refresh costs: the overview query, rendering every row, the payload."""
    from psycopg.rows import dict_row

    from motcua.clock import DEFAULT_TZ
    from province import pages
    from province.ingest import Batch
    from province.queries import Period, overview
    from province.store import Store
    from zoneinfo import ZoneInfo

    dsn = pg.create_database("province_size")
    store = Store(dsn).connect()
    batch = Batch()
    count = 0
    for _at, topic, raw, _retain in busy_hour(communes, counters, minutes, START, seed=11):
        batch.add(topic, raw, START)
        count += 1
        if len(batch) >= 5000:
            store.write(batch)
            batch = Batch()
    store.write(batch)
    store.close()
    now = START + timedelta(minutes=minutes)
    period = Period(now, now.date())
    tz = ZoneInfo(DEFAULT_TZ)
    dirty = [f"xa-{i:04d}" for i in range(0, communes, max(1, communes // 400))]  # ~400 offices changed

    def refresh(offices: list[str] | None) -> tuple[float, float, bytes]:
        t0 = time.perf_counter()
        rows = overview(conn, period, offices)
        t1 = time.perf_counter()
        html = {r["office"]: pages.office_row(r, {}, pages.Thresholds(), now, tz) for r in rows}
        payload = json.dumps({"rows": html}, ensure_ascii=False).encode()
        return t1 - t0, time.perf_counter() - t1, payload

    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        full = [refresh(None) for _ in range(4)][1:]
        partial = [refresh(dirty) for _ in range(4)][1:]
    return {
        "offices": communes, "messages_written": count,
        "full_refresh": {"query_ms": round(min(f[0] for f in full) * 1000),
                         "render_ms": round(min(f[1] for f in full) * 1000), "kib": round(len(full[0][2]) / 1024)},
        "dirty_offices": len(dirty),
        "dirty_refresh": {"query_ms": round(min(f[0] for f in partial) * 1000),
                          "render_ms": round(min(f[1] for f in partial) * 1000),
                          "kib": round(len(partial[0][2]) / 1024)},
    }


def _offices(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM halls").fetchone()[0]


def _overview_ms(dsn: str) -> float:
    from psycopg.rows import dict_row

    from province.queries import Period, overview

    now = START + timedelta(hours=1)
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        overview(conn, Period(now, now.date()))
        samples = []
        for _ in range(10):
            t0 = time.perf_counter()
            overview(conn, Period(now, now.date()))
            samples.append(time.perf_counter() - t0)
    return round(percentile(samples, 50) * 1000, 1)


def _wait(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the aggregator did not catch up in time")
        time.sleep(0.2)


def _wait_http(port: int) -> None:
    """Until the service answers /healthz with 200: dashboard up and aggregator subscribed."""
    def ready() -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            return status == 200
        except OSError:
            return False
    _wait(ready, 60)


def _cpu_model() -> str:
    try:
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        return match.group(1).strip() if match else platform.processor()
    except OSError:
        return platform.processor()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--counters", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=60, help="simulated busy minutes published as a burst")
    parser.add_argument("--outage-minutes", type=float, default=30, help="simulated minutes published in phase B")
    parser.add_argument("--steady-minutes", type=float, default=10, help="simulated minutes kept for phase C")
    parser.add_argument("--steady-seconds", type=float, default=20, help="how long phase C runs")
    parser.add_argument("--province-minutes", type=float, default=10,
                        help="phase D: simulated minutes of all 3,321 communes written for the dashboard's cost (0: skip)")
    parser.add_argument("--max-seconds", type=float, default=600, help="give up waiting for absorption after this")
    parser.add_argument("--json", help="write the results to this file as JSON")
    options = parser.parse_args()
    result = run(options)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if options.json:
        Path(options.json).write_text(text + "\n", encoding="utf-8")
    complete = (result["burst"]["events_in_postgres"] == result["burst"]["events_expected"]
                and result["catch_up"]["events_in_postgres"] == result["catch_up"]["events"])
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
