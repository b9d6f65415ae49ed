"""``motcua demo``: a whole office on a private broker, playing a simulated morning.

Starts Mosquitto on a free loopback port, ticketd on the demo office, and every device process
that is installed (displays, announcer...) in its headless mode; then citizens take numbers and
officers call, serve, transfer and mark a no-show, all through the public MQTT contract. What
the screens, the printer and the speakers would show is written under ``var/demo/``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from motcua.broker import LocalBroker
from motcua.bus import BusClient, RequestTimeout
from motcua.bus.client import default_client_id
from motcua.config import OfficeConfig
from motcua.runtime import load_or_exit, setup_logging

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "examples" / "demo-office.yaml"


def demo_start(tz: str, today: date | None = None) -> str:
    """08:00 of today, or of the next Monday on a weekend, as MOTCUA_NOW."""
    day = today or datetime.now(ZoneInfo(tz)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=ZoneInfo(tz)).isoformat()


@dataclass
class DemoLog:
    """The live view: one readable line per event, and the figures for the summary."""

    issued: Counter = field(default_factory=Counter)
    tickets: dict = field(default_factory=dict)  # number -> the ticket of its latest event/ticket
    printed: int = 0
    shown_on_screen: int = 0
    ratings: Counter = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def ticket_changed(self, msg) -> None:
        ticket = msg.json()["ticket"]
        self.tickets[ticket["number"]] = ticket

    def say(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.lines.append(text)
        print(f"  {stamp}  {text}", flush=True)


class Morning:
    """Citizens and officers of the demo office, speaking only the MQTT contract."""

    # who sits at which counter of the demo office
    STAFF = {"1": "cb-lan", "2": "cb-thao", "3": "cb-dung", "4": "cb-ngoc", "5": "cb-khoa"}

    def __init__(self, cfg: OfficeConfig, bus: BusClient, log: DemoLog, seed: int = 7, pace: float = 0.0) -> None:
        self.cfg, self.bus, self.log, self.pace = cfg, bus, log, pace
        self.topics = bus.topics
        self.rng = random.Random(seed)
        self.services = {s.code: s for s in cfg.services}
        self.kiosks = [k.id for k in cfg.devices.kiosks]

    def request(self, topic: str, payload: dict) -> dict:
        time.sleep(self.pace)
        for _attempt in range(3):
            try:
                return self.bus.request(topic, payload, timeout=15)
            except RequestTimeout:
                self.log.say("(không có phản hồi, gửi lại cùng mã yêu cầu)")
        raise RuntimeError(f"ticketd did not answer {topic}")

    def take(self, service: str, priority: bool = False) -> dict:
        kiosk = self.rng.choice(self.kiosks)
        reply = self.request(self.topics.take(kiosk), {"service": service, "priority": priority})
        if not reply["ok"]:
            self.log.say(f"{kiosk}: {self.services[service].name}: {reply['error']['message']}")
            return reply
        ticket = reply["ticket"]
        self.log.issued[service] += 1
        if reply["printed"]:
            self.log.printed += 1
            how = f"in trên {reply['printer']}"
        else:
            self.log.shown_on_screen += 1
            how = "hiện trên màn hình (" + (reply.get("print_error") or {}).get("message", "không in") + ")"
        mark = " ƯU TIÊN" if ticket["priority"] else ""
        self.log.say(f"{kiosk}: số {ticket['number']}{mark} – {ticket['service_name']}, "
                     f"{ticket['ahead']} người chờ trước, {how}")
        return reply

    def op(self, counter: str, op: str, **fields) -> dict:
        reply = self.request(self.topics.counter_cmd(counter), {"op": op, **fields})
        name = self.cfg.counter(counter).name
        if not reply["ok"]:
            if reply["error"]["code"] != "queue_empty":
                self.log.say(f"{name}: {op}: {reply['error']['message']}")
            return reply
        ticket = reply.get("ticket")
        if op == "call_next" and ticket:
            self.log.say(f"{name}: mời số {ticket['number']} ({ticket['service_name']})")
        elif op == "finish" and ticket:
            self.log.say(f"{name}: hoàn thành số {ticket['number']}")
        elif op == "no_show" and ticket:
            self.log.say(f"{name}: số {ticket['number']} vắng mặt")
        elif op == "transfer" and ticket:
            self.log.say(f"{name}: chuyển số {ticket['number']} sang {ticket['service_name']}")
        elif op == "open":
            officer = reply["counter"]["officer"]
            self.log.say(f"{name}: mở quầy – {officer['name']}, {officer['title']}")
        return reply

    def play(self) -> None:
        officers = [o.id for o in self.cfg.officers]
        counters = [c.id for c in self.cfg.counters]
        for counter, officer in zip(counters, officers):
            self.op(counter, "open", officer=self.STAFF.get(counter, officer))
        codes = list(self.services)
        weights = [5, 6, 2, 1, 2, 2, 1, 3][: len(codes)]
        for index in range(24):
            self.take(self.rng.choices(codes, weights)[0], priority=index in (5, 17))
        self.take("HT")
        special_done = {"transfer": False, "no_show": False}
        for _round in range(8):
            for counter in counters:
                reply = self.op(counter, "call_next")
                if not reply["ok"]:
                    continue
                if not special_done["no_show"] and counter == "2":
                    self.op(counter, "no_show")
                    special_done["no_show"] = True
                    continue
                self.op(counter, "start")
                if not special_done["transfer"] and counter == "1":
                    self.op(counter, "transfer", to_service="CT")
                    special_done["transfer"] = True
                    continue
                self.op(counter, "finish", outcome=self.rng.choice(["received", "received", "advised", "returned"]))
            if _round == 3:
                for _ in range(4):
                    self.take(self.rng.choices(codes, weights)[0])


def summary(log: DemoLog, data_dir: Path, hall: dict | None) -> str:
    """The morning in figures: tickets as ticketd's ``event/ticket`` left them (every device's,
    the touch kiosk's included), each counted once by where it ended."""
    tickets = log.tickets.values()
    issued = Counter(t["issued_service"] for t in tickets)
    ended = Counter(t["state"] for t in tickets)
    lines = ["", "Tóm tắt buổi sáng mô phỏng:"]
    lines.append(f"  số đã cấp: {len(log.tickets)} ({', '.join(f'{k} {v}' for k, v in sorted(issued.items()))})")
    lines.append(f"  kịch bản lấy {sum(log.issued.values())} số: đã in {log.printed}, "
                 f"hiện trên màn hình {log.shown_on_screen}")
    lines.append(f"  hoàn thành: {ended['done']}, vắng mặt: {ended['no_show']}, "
                 f"đang phục vụ: {ended['called'] + ended['serving']}, "
                 f"đã chuyển dịch vụ: {sum(1 for t in tickets if t['transfers'])}")
    if log.ratings:
        lines.append(f"  đánh giá: {sum(log.ratings.values())} "
                     f"(rất hài lòng {log.ratings['very_satisfied']}, hài lòng {log.ratings['satisfied']}, "
                     f"không hài lòng {log.ratings['dissatisfied']})")
    if hall:
        lines.append(f"  còn đang chờ: {hall['waiting_total']}")
    lines.append(f"  dữ liệu, vé in và ảnh màn hình: {data_dir}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua demo", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(DEMO_CONFIG))
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "demo"))
    parser.add_argument("--keep", action="store_true", help="keep the data of an earlier demo")
    parser.add_argument("--pace", type=float, default=0.1, help="seconds between two requests")
    options = parser.parse_args(argv)
    setup_logging()
    data_dir = Path(options.data_dir).resolve()
    if data_dir.exists() and not options.keep:
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["MOTCUA_DATA_DIR"] = str(data_dir)
    cfg = load_or_exit(options.config)
    now = demo_start(cfg.office.timezone)
    print(f"motcua demo: {cfg.office.name} — {now}")
    with LocalBroker(workdir=data_dir / "broker") as broker:
        env = dict(os.environ, MOTCUA_CONFIG=str(Path(options.config).resolve()), MOTCUA_MQTT_URL=broker.url,
                   MOTCUA_DATA_DIR=str(data_dir), MOTCUA_NOW=now, QT_QPA_PLATFORM=os.environ.get(
                       "QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb"))
        processes = start_processes(env, data_dir)
        os.environ.update(MOTCUA_MQTT_URL=broker.url, MOTCUA_NOW=now)
        cfg = load_or_exit(options.config)
        bus = BusClient(broker.url, cfg.office.id, client_id=default_client_id("motcua-demo")).start(wait=10)
        hall: dict = {}
        bus.subscribe(bus.topics.hall(), lambda msg: hall.update(msg.json()))
        log = DemoLog()
        bus.subscribe(bus.topics.rating_event(), lambda msg: log.ratings.update([msg.json()["rating"]["level"]]))
        bus.subscribe(bus.topics.ticket_event(), log.ticket_changed)
        failed: list[str] = []
        try:
            wait_online(bus, processes)
            Morning(cfg, bus, log, pace=options.pace).play()
            time.sleep(3.0)  # rating pads answer the last rate requests
            failed += run_afterwards(env, data_dir)
        finally:
            bus.stop()
            failed += stop_processes(processes)
        print(summary(log, data_dir, hall))
        if failed:
            print(f"motcua demo: these processes failed: {', '.join(failed)} (logs in {data_dir})", file=sys.stderr)
            return 1
    return 0


# Processes of the office: (name, module that must be importable, argv after `python -m`);
# "{data}" stands for the demo's data folder. Each runs headless and writes what it would show.
DEMO_PROCESSES: list[tuple[str, str, list[str]]] = [
    ("ticketd", "ticketd", ["-m", "ticketd"]),
    ("display-hall", "PySide6", ["-m", "display", "hall", "--screenshots", "{data}/screens/hall"]),
    ("display-counter-1", "PySide6", ["-m", "display", "counter", "1", "--screenshots", "{data}/screens/counter-1"]),
    ("announcer", "display.announcer_service", ["-m", "display", "announcer"]),
    ("kiosk-1", "kiosk", ["-m", "kiosk", "--kiosk", "kiosk-1", "--screenshots", "{data}/screens/kiosk", "--tour"]),
    ("stats", "kiosk", ["-m", "motcua", "stats"]),
    ("console-1", "counter_console", ["-m", "counter_console", "1", "--officer", "cb-lan",
                                      "--screenshots", "{data}/screens/console-1"]),
    *[(f"rating-pad-{n}", "rating_pad", ["-m", "rating_pad", str(n), "--auto-rate",
                                          "--screenshots", f"{{data}}/screens/rating-pad-{n}"]) for n in range(1, 6)],
]

# Run once the morning is over: (name, module, argv after `python -m`).
DEMO_AFTERWARDS: list[tuple[str, str, list[str]]] = [
    ("report-html", "ticketd.report", ["-m", "ticketd.report", "--format", "html", "--out", "{data}/reports"]),
    ("report-csv", "ticketd.report", ["-m", "ticketd.report", "--format", "csv", "--out", "{data}/reports"]),
    ("satisfaction", "ticketd.report", ["-m", "ticketd.report", "--publish-satisfaction"]),
    *[(f"tickets-{p}", "ticketd", ["-m", "motcua", "printer", "png", p, "--out", f"{{data}}/tickets/{p}"])
      for p in ("printer-1", "printer-2")],
]


def _argv(args: list[str], data_dir: Path) -> list[str]:
    return [sys.executable, *(a.replace("{data}", str(data_dir)) for a in args)]


def _available(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def start_processes(env: dict[str, str], data_dir: Path) -> dict[str, subprocess.Popen]:
    processes = {}
    for name, module, args in DEMO_PROCESSES:
        if not _available(module):
            continue
        log_file = open(data_dir / f"{name}.log", "ab")
        processes[name] = subprocess.Popen(_argv(args, data_dir), env=env, cwd=ROOT,
                                           stdout=log_file, stderr=subprocess.STDOUT)
    return processes


def run_afterwards(env: dict[str, str], data_dir: Path) -> list[str]:
    failed = []
    for name, module, args in DEMO_AFTERWARDS:
        if not _available(module):
            continue
        with open(data_dir / f"{name}.log", "ab") as log_file:
            done = subprocess.run(_argv(args, data_dir), env=env, cwd=ROOT, stdout=log_file,
                                  stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            failed.append(name)
    return failed


# device -> (its demo process, acceptable states): the morning waits for them, since calls are
# events, not retained, and a late announcer would miss the first ones
AWAITED = {"ticketd": ("ticketd", ("online",)), "announcer": ("announcer", ("online", "degraded")),
           "hall-tv": ("display-hall", ("online",))}


def wait_online(bus: BusClient, processes: dict[str, subprocess.Popen], timeout: float = 60) -> None:
    states: dict[str, str] = {}
    for device in AWAITED:
        bus.subscribe(bus.topics.device_status(device),
                      lambda msg, d=device: states.update({d: (msg.json() if msg.raw else {}).get("state")}))
    expected = {d: ok for d, (process, ok) in AWAITED.items() if process in processes}
    deadline = time.monotonic() + timeout
    while any(states.get(d) not in ok for d, ok in expected.items()):
        dead = [n for n, p in processes.items() if p.poll() is not None]
        if time.monotonic() > deadline or dead:
            raise RuntimeError(f"not online: {sorted(d for d, ok in expected.items() if states.get(d) not in ok)}; "
                               f"exited: {dead} (logs in var/demo/)")
        time.sleep(0.05)


def stop_processes(processes: dict[str, subprocess.Popen]) -> list[str]:
    failed = []
    for name, process in reversed(list(processes.items())):
        if process.poll() is None:
            process.terminate()
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if code not in (0, -15):
            failed.append(name)
    return failed
