"""Hall display latency: ``call`` event published → the new number painted on the hall TV.

Runs the real hall display (``HallApp``, offscreen) on a private Mosquitto, publishes call events
one at a time and times each until Qt paints the new number in the "SỐ VỪA GỌI" highlight
(``call_min_show_s`` is set to 0 so no call waits for the previous one). The raw MQTT request/reply
round trip is measured in the same run. Target (issue 5): p99 ≤ 2 × raw RTT p99 + 16 ms (a frame).
Prints the figures and the ratio as text and, with --json FILE, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import DEMO, MONDAY_8AM, describe, percentile, raw_mqtt_rtt  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402

from display.qt.apps import HallApp, qt_app  # noqa: E402
from motcua.broker import LocalBroker  # noqa: E402
from motcua.bus import BusClient  # noqa: E402
from motcua.clock import Clock  # noqa: E402
from motcua.config import load_config  # noqa: E402

FRAME_MS = 16.0


class PaintProbe(QObject):
    """Notes the moment the watched widget is painted showing the awaited text."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget
        self.awaited: str | None = None
        self.painted_at = 0.0
        self.painted = threading.Event()
        widget.installEventFilter(self)

    def expect(self, text: str) -> None:
        self.painted.clear()
        self.awaited = text

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Paint and self.awaited is not None and self.widget.text() == self.awaited:
            self.painted_at = time.perf_counter()
            self.awaited = None
            self.painted.set()
        return False


def measure(bus: BusClient, probe: PaintProbe, count: int, gap_s: float) -> list[float]:
    samples = []
    for i in range(count):
        number = f"A{i % 1000:03d}"
        probe.expect(number)
        start = time.perf_counter()
        bus.publish(bus.topics.call(), {"number": number, "counter": "1", "counter_name": "Quầy 1",
                                        "service": "HT", "recall": False, "at": MONDAY_8AM})
        if not probe.painted.wait(5):
            raise RuntimeError(f"the hall never painted {number}")
        samples.append(probe.painted_at - start)
        time.sleep(gap_s)
    return samples[20:]


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="calls to time (the first 20 are warm-up)")
    parser.add_argument("--gap", type=float, default=0.03, help="seconds between two calls")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    app = qt_app()
    with LocalBroker() as broker:
        rtt = raw_mqtt_rtt(broker.port, count=1000)
        os.environ["MOTCUA_MQTT_URL"] = broker.url
        cfg = load_config(DEMO)
        cfg = cfg.model_copy(update={"hall": cfg.hall.model_copy(update={"call_min_show_s": 0.0})})
        display_bus = BusClient(broker.url, cfg.office.id, client_id=f"bench-hall-{os.getpid()}")
        hall = HallApp(cfg, display_bus, Clock(cfg.office.timezone))
        hall.window.show()
        display_bus.start(wait=10)
        probe = PaintProbe(hall.window.newest.number)
        publisher = BusClient(broker.url, cfg.office.id, client_id=f"bench-caller-{os.getpid()}").start(wait=10)
        result: dict = {}

        def run() -> None:
            try:
                while not hall.model.connected:
                    time.sleep(0.05)
                result["samples"] = measure(publisher, probe, options.count, options.gap)
            except Exception as exc:  # noqa: BLE001 - reported by the main thread
                result["error"] = exc

        worker = threading.Thread(target=run, name="bench-caller")
        worker.start()
        done = QTimer()  # quit from the GUI thread: QCoreApplication.quit() from the worker can deadlock
        done.timeout.connect(lambda: None if worker.is_alive() else app.quit())
        done.start(100)
        app.exec()
        worker.join()
        publisher.stop()
        display_bus.stop()
    if "error" in result:
        raise result["error"]
    paint = result["samples"]
    figures = {
        "raw_rtt_p50_ms": percentile(rtt, 50) * 1000, "raw_rtt_p99_ms": percentile(rtt, 99) * 1000,
        "call_to_paint_p50_ms": percentile(paint, 50) * 1000, "call_to_paint_p99_ms": percentile(paint, 99) * 1000,
    }
    figures["target_ms"] = 2 * figures["raw_rtt_p99_ms"] + FRAME_MS
    figures["ratio_to_target"] = figures["call_to_paint_p99_ms"] / figures["target_ms"]
    print(f"raw MQTT round trip:       {describe(rtt)}")
    print(f"call → hall repainted:     {describe(paint)}")
    print(f"target p99 ≤ 2 × raw p99 + {FRAME_MS:.0f} ms = {figures['target_ms']:.2f} ms")
    print(f"ratio paint p99 / target:  {figures['ratio_to_target']:.2f}  (target ≤ 1)")
    print(f"ratio paint p99 / raw p99: {figures['call_to_paint_p99_ms'] / figures['raw_rtt_p99_ms']:.1f}")
    if options.json:
        Path(options.json).write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
