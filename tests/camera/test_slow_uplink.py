"""A thin uplink (half the camera's bitrate): latency stays bounded, whole GOPs are dropped and
counted, and what arrives still plays. The link is ``tc tbf`` in a private network namespace where
the test may make one, else an in-process rate-limiting relay; both are tested where possible."""

import json

import pytest
from clips import count_frames
from harness import OFFICE, Camera, Proc, Stack
from office_harness import wait_until
from slowlink import NetnsLink, ProxyLink, netns_possible

from motcua.broker import free_port, mosquitto_binary

LINK_KBPS = 150  # the clip runs at about 290 kbit/s


class HealthTap(Proc):
    """mosquitto_sub on the camera health topic (in the link's namespace), one JSON per line."""

    def __init__(self, workdir, port, prefix):
        super().__init__(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t",
                          f"motcua/{OFFICE}/camera/+/health"], workdir / "health.jsonl", prefix=prefix)

    def latest(self) -> dict:
        lines = [line for line in self.log().splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}


@pytest.mark.parametrize("kind", ["netns", "proxy"])
def test_slow_uplink_keeps_latency_bounded_and_counts_drops(clips, tmp_path, cam_id, kind):
    if kind == "netns" and not netns_possible():
        pytest.skip("no network namespace here (needs root and iproute2); the proxy variant covers it")
    receiver_port = free_port()
    link = NetnsLink(LINK_KBPS) if kind == "netns" else ProxyLink(LINK_KBPS, receiver_port)
    with link:
        mqtt_port = free_port()
        (tmp_path / "mosquitto.conf").write_text(f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\n")
        broker = Proc([mosquitto_binary(), "-c", str(tmp_path / "mosquitto.conf")], tmp_path / "mosquitto.log",
                      prefix=link.prefix).start()
        tap = HealthTap(tmp_path, mqtt_port, link.prefix)
        where = ({"receiver_prefix": link.receiver_prefix, "receiver_host": link.receiver_host}
                 if kind == "netns" else {})
        stack = Stack(tmp_path, f"mqtt://127.0.0.1:{mqtt_port}", prefix=link.prefix, receiver_port=receiver_port,
                      bridge={"max_delay_s": 0.5}, **where)
        if kind == "proxy":
            stack.bridge_settings["endpoint"] = f"tcp://127.0.0.1:{link.port}"
        camera = Camera(tmp_path, clips["long"], prefix=link.prefix).start()
        try:
            wait_until(lambda: "Error" not in broker.log() and broker.alive(), timeout=5)
            tap.start()
            stack.start_receiver()
            stack.start_bridge({cam_id: camera.url}, {cam_id: {"uplink_kbps": 400}})
            wait_until(lambda: stack.feed(cam_id).get("packets", 0) >= 100, timeout=90, interval=0.2)
            feed = stack.feed(cam_id)  # ~18 s of video: an unbounded queue would be ~8 s behind
            health = wait_until(lambda: (lambda h: h if h.get("dropped_gops") else None)(tap.latest()), timeout=20)
        finally:
            stack.stop()
            for proc in (camera, tap, broker):
                proc.stop()
        shaped = link.shaped_bytes()
    assert feed["latency_s"]["p95"] < 4.0, feed
    assert feed["missing"] > 0 and feed["skipped"] == 0  # dropped at the bridge, as whole GOPs
    assert health["dropped_gops"] > 0 and health["latency_ms_p95"] is not None
    assert shaped > feed["bytes"]  # everything went through the thin link
    files = stack.segment_files(cam_id)
    assert count_frames(files) == stack.feed(cam_id)["frames_written"]
